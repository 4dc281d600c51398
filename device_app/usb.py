"""USB export: the outbox as signed batch files plus a manifest, for a server with no network.

Each file `<station_id>-<batch_seq>.mssb` holds exactly the gzip bytes an HTTP sync would
send, so the server's import runs the same verification and dedup. `manifest.json` lists
each file's name, SHA-256, batch id, envelope count and station id. Files are written to a
temporary name, fsynced and renamed, and the manifest last, so a stick pulled out mid-export
holds only whole files.

Export marks nothing acknowledged: only a server's receipt does. Syncing after the import then
sends the same envelopes again and the server answers "duplicate" for each.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from device_app.durable_files import write_whole_file
from device_app.errors import ExportTargetInvalid
from device_app.sync import BatchLimits, BuiltBatch, issue_batch

if TYPE_CHECKING:
    from device_app.store import OutboxEntry, StationStore

MANIFEST_NAME = "manifest.json"
BATCH_SUFFIX = ".mssb"
MANIFEST_VERSION = 1


@dataclass
class ExportReport:
    directory: Path
    files: list[str] = field(default_factory=list)
    envelopes: int = 0

    @property
    def batches(self) -> int:
        return len(self.files)


def batch_file_name(station_id: str, batch_seq: int) -> str:
    return f"{station_id}-{batch_seq}{BATCH_SUFFIX}"


def export_outbox(
    store: StationStore,
    to_dir: Path,
    *,
    station_id: str,
    sign: Callable[[str, bytes], bytes],
    clock: Callable[[], datetime],
    new_id: Callable[[], str],
    limits: BatchLimits,
    include_acknowledged: bool = False,
) -> ExportReport:
    """Write the pending (or pending and acknowledged) envelopes as batch files."""
    directory = prepare_directory(to_dir)
    manifest = read_manifest(directory)
    report = ExportReport(directory)
    states = ["pending", "acknowledged"] if include_acknowledged else ["pending"]
    for chunk in chunks(store.entries(states=states), limits):
        built = issue_batch(
            store, chunk, via="usb", station_id=station_id, sign=sign, clock=clock,
            new_id=new_id,
        )  # fmt: skip
        name = write_batch_file(directory, station_id, built)
        manifest["files"] = [f for f in manifest["files"] if f.get("file") != name]
        manifest["files"].append(
            {
                "file": name,
                "sha256": hashlib.sha256(built.data).hexdigest(),
                "batch_id": built.batch_id,
                "batch_seq": built.batch_seq,
                "envelopes": len(built.envelope_ids),
                "station_id": station_id,
            }
        )
        report.files.append(name)
        report.envelopes += len(built.envelope_ids)
    if report.files:
        write_atomically(directory / MANIFEST_NAME, manifest_bytes(manifest))
    return report


def chunks(entries: Any, limits: BatchLimits) -> list[list[OutboxEntry]]:
    """Group entries in seq order, bounded by count and bytes (a lone large one still goes)."""
    groups: list[list[OutboxEntry]] = []
    current: list[OutboxEntry] = []
    size = 0
    for entry in entries:
        full = len(current) >= limits.max_envelopes or size + entry.size > limits.max_bytes
        if current and full:
            groups.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry.size
    if current:
        groups.append(current)
    return groups


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


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest already on the stick (exports add to it), or a fresh one."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return {"v": MANIFEST_VERSION, "files": []}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ExportTargetInvalid(
            f"{path} exists but is not a readable manifest; choose an empty folder"
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ExportTargetInvalid(f"{path} is not an MSS manifest; choose an empty folder")
    # Keep entries whose files are still there; a removed file must not stay listed.
    manifest["files"] = [
        item
        for item in manifest["files"]
        if isinstance(item, dict) and (directory / str(item.get("file", ""))).is_file()
    ]
    manifest["v"] = MANIFEST_VERSION
    return manifest


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


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
