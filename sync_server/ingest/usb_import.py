"""Import a USB folder of signed batch files through the same intake as HTTP.

Every `*.mssb` file goes through `accept_batch` (signature, station status, replay, dedup),
one transaction per file, so importing the same folder twice, or syncing after importing,
adds nothing. The manifest's checksums are checked first: a file altered on the stick is
refused with its name and the reason, and nothing of it is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from protocol import MAX_BATCH_BYTES, Problem
from protocol.usb_manifest import BATCH_FILE_SUFFIX, MANIFEST_NAME, UsbManifest
from sync_server.ingest.batches import accept_batch


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

    @property
    def refused(self) -> list[FileOutcome]:
        return [outcome for outcome in self.files if not outcome.ok]

    def total(self, status: str) -> int:
        return sum(getattr(outcome, status) for outcome in self.files)


class ImportFolderInvalid(ValueError):
    """The folder cannot be imported at all (missing, unreadable manifest)."""


def read_checksums(folder: Path) -> dict[str, str]:
    """file name -> sha256 from the manifest (protocol.usb_manifest); {} when there is none."""
    path = folder / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        return UsbManifest.from_json(path.read_bytes()).checksums()
    except (OSError, ValueError) as error:
        raise ImportFolderInvalid(f"{path} is not a readable MSS manifest: {error}") from None


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


def _import_file(
    session_factory: sessionmaker[Session],
    path: Path,
    checksums: dict[str, str],
    clock: Callable[[], datetime],
) -> FileOutcome:
    outcome = FileOutcome(path.name, ok=False)
    try:
        if path.stat().st_size > MAX_BATCH_BYTES:
            outcome.reason = "larger than any batch may be"
            return outcome
        data = path.read_bytes()
    except OSError as error:
        outcome.reason = f"cannot read it: {error.strerror}"
        return outcome
    expected = checksums.get(path.name)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        outcome.reason = "its checksum does not match the manifest: the file was altered"
        return outcome
    try:
        receipt = accept_batch(session_factory, data, via="usb", clock=clock)
    except Problem as problem:
        outcome.reason = f"{problem.code}: {problem.detail}"
        return outcome
    outcome.ok = True
    for result in receipt.results:
        if result.status in ("accepted", "duplicate", "conflict"):
            setattr(outcome, result.status, getattr(outcome, result.status) + 1)
    return outcome
