"""Opening the SQLCipher file: the raw key, the pragmas, and explicit transactions.

Choices (SQLCipher 4.x as shipped by sqlcipher3 0.6.4):
- `PRAGMA key = "x'<64 hex>'"`: a raw 256-bit key. The passphrase KDF is ours (Argon2id in
  `crypto`), so SQLCipher's own PBKDF2 (256 000 iterations at every open) would only cost
  time. The page HMAC and the per-file salt stay on; the header is fully encrypted (no
  plaintext header), so the file does not even say it is SQLite.
- `cipher_memory_security = ON`: SQLCipher wipes the memory it frees, so decrypted pages and
  key material do not linger in the heap. It is process-wide and cannot be turned off again
  in that process; the station process is ours alone and its volumes are small, so the cost
  is acceptable. Python's own copies of the key (bytes objects) cannot be wiped; we keep
  them short-lived and never store the key on the store object.
- WAL with `synchronous=FULL`: a commit is on the disk when it returns, even across a power
  cut (the default NORMAL can lose the last commits in WAL mode). `secure_delete=ON` zeroes
  freed content (a deleted draft is overwritten, not only unlinked, so even a later key
  compromise does not bring it back). `temp_store=MEMORY` keeps sort and temporary tables off
  the disk. `foreign_keys=ON` because SQLite leaves them off by default.
- The connection is in autocommit mode (`isolation_level=None`) and every write goes through
  `transaction()`, which issues `BEGIN IMMEDIATE`: the write lock is taken before the first
  read, so reading "the last seq" and inserting the next one cannot interleave with another
  writer (another process, e.g. a coordinator command while the kiosk runs). busy_timeout
  makes such a second process wait instead of failing at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from device_app.store.errors import DatabaseUnreadable, StoreError

DATABASE_FILE_NAME = "station.db"
BUSY_TIMEOUT_MS = 10_000

Connection = sqlcipher3.Connection

# (pragma, value to set, value read back when it is in force)
REQUIRED_PRAGMAS: tuple[tuple[str, str, str], ...] = (
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", "2"),
    ("secure_delete", "ON", "1"),
    ("temp_store", "MEMORY", "2"),
    ("foreign_keys", "ON", "1"),
    ("busy_timeout", str(BUSY_TIMEOUT_MS), str(BUSY_TIMEOUT_MS)),
)


def open_database(path: Path, key: bytes, *, memory_security: bool = True) -> Connection:
    """Open (or create) the encrypted database at `path` with the raw 32-byte `key`.

    Raises DatabaseUnreadable when the file does not decrypt with the key. The error message
    never contains the key.
    """
    connection = sqlcipher3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        _apply_key(connection, key)
        if memory_security:
            connection.execute("PRAGMA cipher_memory_security = ON")
        # The first read decrypts page 1: a wrong key or a damaged file fails here.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for name, value, _expected in REQUIRED_PRAGMAS:
            connection.execute(f"PRAGMA {name} = {value}").fetchall()
        problems = pragma_problems(connection)
        if problems:
            raise DatabaseUnreadable("the station database refused its settings: " + problems)
    except sqlcipher3.DatabaseError as error:
        connection.close()
        raise DatabaseUnreadable(
            f"the station database {path} does not open with its key "
            f"(damaged or replaced file): {error}"
        ) from None
    except BaseException:
        connection.close()
        raise
    return connection


def _apply_key(connection: Connection, key: bytes) -> None:
    if len(key) != 32:
        raise StoreError("a station database key is 32 bytes")
    # PRAGMA takes no bound parameters; the literal is hex digits only, so nothing can be
    # injected. The statement text is not echoed in sqlcipher3 error messages.
    statement = f"PRAGMA key = \"x'{key.hex()}'\""
    try:
        connection.execute(statement)
    finally:
        del statement


def pragma_problems(connection: Connection) -> str:
    """Empty if every required pragma is in force, else a description of those that are not."""
    wrong = []
    for name, _value, expected in REQUIRED_PRAGMAS:
        actual = str(connection.execute(f"PRAGMA {name}").fetchone()[0]).lower()
        if actual != expected:
            wrong.append(f"{name} is {actual}, expected {expected}")
    return "; ".join(wrong)


@contextlib.contextmanager
def transaction(connection: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (then re-raised)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    try:
        connection.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full, I/O error) leaves the transaction open: undo it so the
        # connection is usable and nothing half-written is visible.
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
