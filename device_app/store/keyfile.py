"""The station key file: the 32-byte database key, wrapped by the coordinator passphrase.

The passphrase KDF (Argon2id) and the wrapping live in `crypto`; this module only decides
where the blob lives and how it reaches the disk. The file is replaced atomically (write a
temporary file, fsync, rename, fsync the directory) so a power cut during a passphrase change
leaves either the old or the new file, never a torn one, and it is created with mode 0600.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crypto import KeyFileError, WrongPassphrase, read_key_file_bytes, unwrap_secret, wrap_secret
from device_app.durable_files import write_whole_file
from device_app.store.errors import InvalidValue, KeyFileDamaged, StationLocked

if TYPE_CHECKING:
    from crypto import KdfCost

KEY_FILE_NAME = "station.key"
DATABASE_KEY_BYTES = 32


def check_passphrase(passphrase: object) -> str:
    """Refuse an empty or non-text passphrase before any work is done."""
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidValue("the coordinator passphrase must be a non-empty text")
    return passphrase


def wrap_key(key: bytes, passphrase: str, cost: KdfCost | None) -> bytes:
    # Only pass `cost` when asked, so `crypto` keeps the say on the strong default.
    if cost is None:
        return wrap_secret(key, passphrase)
    return wrap_secret(key, passphrase, cost=cost)


def read_key(path: Path, passphrase: str) -> bytes:
    """Unwrap the database key; StationLocked on a wrong passphrase, KeyFileDamaged else."""
    try:
        blob = read_key_file_bytes(path)
    except KeyFileError as error:
        raise KeyFileDamaged(f"the station key file: {error}") from None
    try:
        key = unwrap_secret(blob, passphrase)
    except WrongPassphrase:
        raise StationLocked() from None  # the station's one wording of it
    except KeyFileError as error:
        raise KeyFileDamaged(f"the station key file {path} is damaged: {error}") from None
    if len(key) != DATABASE_KEY_BYTES:
        raise KeyFileDamaged(f"the station key file {path} does not hold a database key")
    return key


def write_key_file(path: Path, blob: bytes, *, replace: bool) -> None:
    """Write `blob` to `path` atomically with mode 0600; refuse to overwrite unless `replace`."""
    write_whole_file(path, blob, mode=0o600, replace=replace)
