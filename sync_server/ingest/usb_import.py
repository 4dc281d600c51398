"""Import a USB folder of signed batch files through the same intake as HTTP.

Every `*.mssb` file, read from a folder (`mss server import`) or uploaded to the console
(`import_files`), goes through intake's rules (signature, station status, replay, dedup),
one transaction per file, so importing the same folder twice, or syncing after importing,
adds nothing, and is counted as already here. The manifest's checksums are checked first:
a file altered on the stick is refused with its name and the reason, and nothing of it is
stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from protocol import MAX_BATCH_BYTES, Problem
from protocol.codec import ParsedBatch, parse_signed_batch_document
from protocol.usb_manifest import BATCH_FILE_SUFFIX, MANIFEST_NAME, UsbManifest
from sync_server.ingest.batches import accept_parsed_batch
from sync_server.store.models import BatchRecord


@dataclass
class FileOutcome:
    file: str
    ok: bool
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    files: list[FileOutcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Files given that are neither a batch file nor the manifest (import_files only).
    ignored: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileOutcome]:
        return [outcome for outcome in self.files if not outcome.ok]

    def total(self, status: str) -> int:
        return sum(getattr(outcome, status) for outcome in self.files)


class ImportFolderInvalid(ValueError):
    """The folder cannot be imported at all (missing, unreadable manifest)."""


TOO_LARGE = "larger than any batch may be"


def read_checksums(folder: Path) -> dict[str, str]:
    """file name -> sha256 from the manifest (protocol.usb_manifest); {} when there is none."""
    path = folder / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFolderInvalid(f"{path} is not a readable MSS manifest: {error}") from None
    return _checksums(data, str(path))


def _checksums(manifest: bytes, where: str) -> dict[str, str]:
    try:
        return UsbManifest.from_json(manifest).checksums()
    except ValueError as error:
        raise ImportFolderInvalid(f"{where} is not a readable MSS manifest: {error}") from None


def import_folder(
    session_factory: sessionmaker[Session],
    folder: Path,
    *,
    clock: Callable[[], datetime],
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    if not folder.is_dir():
        raise ImportFolderInvalid(f"{folder} is not a folder")
    checksums = read_checksums(folder)
    files = sorted(folder.glob(f"*{BATCH_FILE_SUFFIX}"))
    report = ImportReport(missing=sorted(set(checksums) - {path.name for path in files}))
    for number, path in enumerate(files, start=1):
        report.files.append(_import_file(session_factory, path, checksums, clock))
        if progress is not None:
            progress(number, len(files))
    return report


def import_files(
    session_factory: sessionmaker[Session],
    files: Sequence[tuple[str, bytes]],
    *,
    clock: Callable[[], datetime],
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """The same import over a folder's files given as (name, bytes), as the console's
    upload has them: the manifest among them (by its name), the `*.mssb` files imported in
    name order, any other file left aside (named in `ignored`), as the folder import does.
    A name is the file's own, never a path into a folder."""
    names = [name.replace("\\", "/").rsplit("/", 1)[-1] for name, _data in files]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFolderInvalid(f"two files are named {repeated[0]}: a folder has one of each")
    by_name = {name: data for name, (_given, data) in zip(names, files, strict=True)}
    manifest = by_name.get(MANIFEST_NAME)
    checksums = {} if manifest is None else _checksums(manifest, MANIFEST_NAME)
    batches = sorted(name for name in by_name if name.endswith(BATCH_FILE_SUFFIX))
    report = ImportReport(
        missing=sorted(set(checksums) - set(batches)),
        ignored=sorted(set(by_name) - set(batches) - {MANIFEST_NAME}),
    )
    for number, name in enumerate(batches, start=1):
        report.files.append(_import_data(session_factory, name, by_name[name], checksums, clock))
        if progress is not None:
            progress(number, len(batches))
    return report


def _import_file(
    session_factory: sessionmaker[Session],
    path: Path,
    checksums: dict[str, str],
    clock: Callable[[], datetime],
) -> FileOutcome:
    try:
        if path.stat().st_size > MAX_BATCH_BYTES:
            return FileOutcome(path.name, ok=False, reason=TOO_LARGE)
        data = path.read_bytes()
    except OSError as error:
        return FileOutcome(path.name, ok=False, reason=f"cannot read it: {error.strerror}")
    return _import_data(session_factory, path.name, data, checksums, clock)


def _import_data(
    session_factory: sessionmaker[Session],
    name: str,
    data: bytes,
    checksums: dict[str, str],
    clock: Callable[[], datetime],
) -> FileOutcome:
    """One batch file's checks (size, the manifest's checksum) and its intake."""
    outcome = FileOutcome(name, ok=False)
    if len(data) > MAX_BATCH_BYTES:
        outcome.reason = TOO_LARGE
        return outcome
    expected = checksums.get(name)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        outcome.reason = "its checksum does not match the manifest: the file was altered"
        return outcome
    try:
        parsed = parse_signed_batch_document(data)
        again = _taken_before(session_factory, parsed)
        receipt = accept_parsed_batch(session_factory, parsed, via="usb", clock=clock)
    except Problem as problem:
        outcome.reason = f"{problem.code}: {problem.detail}"
        return outcome
    outcome.ok = True
    for result in receipt.results:
        status = result.status
        if again and status == "accepted":
            # This very file was taken before: intake answers its first receipt again, but
            # nothing of it is new now.
            status = "duplicate"
        if status in ("accepted", "duplicate", "conflict"):
            setattr(outcome, status, getattr(outcome, status) + 1)
    return outcome


def _taken_before(session_factory: sessionmaker[Session], parsed: ParsedBatch) -> bool:
    batch = parsed.signed.batch
    with session_factory() as session:
        stored = session.get(BatchRecord, batch.batch_id)
    return (
        stored is not None
        and stored.station_id == batch.station_id
        and stored.content_sha256 == parsed.content_sha256()
    )
