"""Putting key files on disk so that they are whole, private, and never silently replaced.

A new file is written beside its final name, fsynced, then hard-linked into place: link()
fails when the name exists, so even two writers racing cannot overwrite a key. Filesystems
without hard links (FAT on USB sticks) fall back to an existence check and rename().
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from crypto.errors import KeyFileError

# Key files are a few hundred bytes; a larger file is not ours and is not read whole.
MAX_KEY_FILE_BYTES = 64 * 1024


def write_new_file(path: Path, data: bytes, *, mode: int) -> None:
    """Create `path` holding `data` with permissions `mode`; FileExistsError if it exists."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise FileExistsError(errno.EEXIST, "refusing to overwrite an existing file", str(path))
    directory = path.parent
    # mkstemp creates the file 0600, so the secret is never readable by others, even briefly.
    descriptor, temporary_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        _link_into_place(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    _sync_directory(directory)


def read_key_file_bytes(path: Path) -> bytes:
    """The bytes of a small key file; KeyFileError (naming the path) when it cannot be read."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise KeyFileError(f"cannot read key file {path}: {error.strerror}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"{path} is too large to be a key file")
    return data


def key_file_fields(path: Path, magic: str, names: set[str], what: str) -> dict[str, str]:
    """The `name: value` lines of an ASCII key file that starts with `magic` and has exactly
    the fields `names`; strict ("\\n" or "\\r\\n" line ends, no blank, unknown or repeated
    lines). KeyFileError naming the path otherwise."""
    try:
        text = read_key_file_bytes(path).decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a text key file") from None
    lines = [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]
    if lines[0] != magic:
        raise KeyFileError(f"{path} is not an MSS {what} file (v1)")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, separator, value = line.partition(": ")
        if not separator or name in fields:
            raise KeyFileError(f"{path}: malformed line in the key file")
        fields[name] = value
    if set(fields) != names:
        raise KeyFileError(f"{path}: the key file needs exactly {' and '.join(sorted(names))}")
    return fields


def _link_into_place(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsError(
            errno.EEXIST, "refusing to overwrite an existing file", str(path)
        ) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if path.exists():
            raise FileExistsError(
                errno.EEXIST, "refusing to overwrite an existing file", str(path)
            ) from None
        os.replace(temporary, path)


def _sync_directory(directory: Path) -> None:
    # The new directory entry must survive a power cut too.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
