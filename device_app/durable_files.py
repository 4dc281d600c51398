"""Files that survive a power cut or a pulled USB stick whole: the one way the station writes.

A file is written beside its final name, fsynced, then moved into place and its directory
fsynced, so a crash leaves either the old file (or none) or the new one, never a torn one.
The station key file and the USB batch files and manifest all go through here.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_whole_file(
    path: Path, data: bytes, *, mode: int = 0o644, replace: bool = True, strict: bool = True
) -> None:
    """Write `data` to `path` atomically, created with permissions `mode` (before umask).

    With `replace=False` an existing `path` is never overwritten (FileExistsError): link()
    fails when the name exists, so no race can overwrite another station's key. OSError
    otherwise; nothing is left behind but the old file. `strict` as for `sync_directory`.
    """
    temporary = path.with_name(f".{path.name}.partial")
    # A leftover from an earlier crash holds only what was being written then; replace it.
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
            temporary.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    sync_directory(path.parent, strict=strict)


def sync_directory(directory: Path, *, strict: bool = True) -> None:
    """fsync a directory so a rename or a new file inside it survives a power cut.

    With `strict=False` a file system that refuses it (some USB sticks) is let be.
    """
    try:
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        if strict:
            raise
