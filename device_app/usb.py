"""USB export: the outbox as signed batch files plus a manifest, for a server with no network.

Each file `<station_id>-<batch_seq>.mssb` holds exactly the gzip bytes an HTTP sync would
send (cut into batches by the same `batching.Batcher`), so the server's import runs the same
verification and dedup. `manifest.json` is `protocol.usb_manifest.UsbManifest`: each file's
name, SHA-256, batch id, batch_seq, envelope count and station id. Files are written to a
temporary name, fsynced and renamed, and the manifest last, so a stick pulled out mid-export
holds only whole files.

Export marks nothing acknowledged: only a server's receipt does. Syncing after the import then
sends the same envelopes again and the server answers "duplicate" for each.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from device_app.durable_files import write_whole_file
from device_app.errors import ExportTargetInvalid
from protocol.usb_manifest import MANIFEST_NAME, ManifestFile, UsbManifest, batch_file_name

if TYPE_CHECKING:
    from device_app.batching import Batcher, BuiltBatch


@dataclass
class ExportReport:
    directory: Path
    files: list[str] = field(default_factory=list)
    envelopes: int = 0

    @property
    def batches(self) -> int:
        return len(self.files)


def export_outbox(
    batcher: Batcher, to_dir: Path, *, include_acknowledged: bool = False
) -> ExportReport:
    """Write the pending (or pending and acknowledged) envelopes as batch files."""
    directory = prepare_directory(to_dir)
    manifest = read_manifest(directory)
    report = ExportReport(directory)
    states = ["pending", "acknowledged"] if include_acknowledged else ["pending"]
    for entries in batcher.groups(batcher.store.entries(states=states)):
        built = batcher.issue(entries, via="usb")
        name = write_batch_file(directory, batcher.station_id, built)
        manifest = manifest.with_file(
            ManifestFile(
                file=name,
                sha256=hashlib.sha256(built.data).hexdigest(),
                batch_id=built.batch_id,
                batch_seq=built.batch_seq,
                envelopes=len(built.envelope_ids),
                station_id=batcher.station_id,
            )
        )
        report.files.append(name)
        report.envelopes += len(built.envelope_ids)
    if report.files:
        write_atomically(directory / MANIFEST_NAME, manifest.to_json())
    return report


def prepare_directory(to_dir: Path) -> Path:
    directory = Path(to_dir)
    if directory.exists() and not directory.is_dir():
        raise ExportTargetInvalid(f"{directory} exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportTargetInvalid(f"cannot create {directory}: {error.strerror}") from None
    if not os.access(directory, os.W_OK):
        raise ExportTargetInvalid(f"{directory} is not writable")
    return directory


def read_manifest(directory: Path) -> UsbManifest:
    """The manifest already on the stick (exports add to it), or a fresh one."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return UsbManifest(files=[])
    try:
        manifest = UsbManifest.from_json(path.read_bytes())
    except (OSError, ValidationError):
        raise ExportTargetInvalid(
            f"{path} exists but is not a readable MSS manifest; choose an empty folder"
        ) from None
    # Keep entries whose files are still there; a removed file must not stay listed.
    kept = [item for item in manifest.files if (directory / item.file).is_file()]
    return manifest.model_copy(update={"files": kept})


def write_batch_file(directory: Path, station_id: str, built: BuiltBatch) -> str:
    name = batch_file_name(station_id, built.batch_seq)
    write_atomically(directory / name, built.data)
    return name


def write_atomically(path: Path, data: bytes) -> None:
    try:
        # Some USB file systems refuse a directory fsync: the rename is what counts there.
        write_whole_file(path, data, strict=False)
    except OSError as error:
        raise ExportTargetInvalid(f"cannot write {path}: {error.strerror}") from None
