"""`StationStore`: one station directory, one SQLCipher database, one connection.

A station directory holds:
    station.key   the 32-byte database key wrapped by the coordinator passphrase (0600)
    station.db    the SQLCipher database (0600), with its -wal and -shm files while open

A station exists once `station.key` exists: `create` writes it last, after the database is
fully migrated, and removes everything it made if any step fails, so no half-made station is
left behind. A powered-off tablet is locked: nothing is readable until `unlock` gets the
coordinator's passphrase.

Threads: the store is ONE connection guarded by a re-entrant lock, shared by the kiosk (UI
thread) and sync (a background thread). Each public method holds the lock for one short
transaction, so calls from the two threads are serialised and a finishing response never
interleaves with marking a batch acknowledged. We chose this over one connection per thread
because it makes "one writer" true by construction, unlocks (derives and applies the key)
once, and keeps the key out of any per-thread setup; SQLite's busy_timeout still covers a
second *process* (a coordinator command) touching the same file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from device_app.durable_files import sync_directory
from device_app.store import batches as batch_records
from device_app.store import config as station_config
from device_app.store import drafts as draft_store
from device_app.store import outbox as outbox_store
from device_app.store import sync_log
from device_app.store.batches import BatchRecord
from device_app.store.config import ConfigValue, StoredSpec
from device_app.store.database import (
    DATABASE_FILE_NAME,
    REQUIRED_PRAGMAS,
    Connection,
    open_database,
)
from device_app.store.errors import (
    KeyFileDamaged,
    NotAStation,
    StationExists,
    StoreClosed,
    StoreError,
)
from device_app.store.keyfile import (
    DATABASE_KEY_BYTES,
    KEY_FILE_NAME,
    check_passphrase,
    read_key,
    wrap_key,
    write_key_file,
)
from device_app.store.migrations import applied_versions, migrate
from device_app.store.outbox import ChainProblem, OutboxCounts, OutboxEntry, SealedEnvelope
from device_app.store.sync_log import SyncStatus

if TYPE_CHECKING:
    from crypto import KdfCost

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

_ENTRIES_PAGE = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _key_fingerprint(key: bytes) -> bytes:
    # Lets change_passphrase check the key file still belongs to the open database without
    # keeping the key itself on the object.
    return hashlib.sha256(b"MSS station key fingerprint\x00" + key).digest()


def _station_files(station_dir: Path) -> list[Path]:
    database = station_dir / DATABASE_FILE_NAME
    return [
        station_dir / KEY_FILE_NAME,
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ]


class StationStore:
    """The station's encrypted database. Build it with `create` or `unlock`, never directly."""

    def __init__(self, station_dir: Path, connection: Connection, key_fingerprint: bytes):
        self._station_dir = station_dir
        self._connection: Connection | None = connection
        self._key_fingerprint = key_fingerprint
        self._lock = threading.RLock()

    # ---- opening and closing -------------------------------------------------------------

    @classmethod
    def create(
        cls,
        station_dir: Path,
        passphrase: str,
        *,
        cost: KdfCost | None = None,
        random_bytes: RandomBytes = os.urandom,
        clock: Clock = _utc_now,
        memory_security: bool = True,
    ) -> StationStore:
        """Make a new station in `station_dir` (created if missing, or empty of station files).

        StationExists if a station (or any station file) is already there. On any failure
        everything this call created is removed again.
        """
        station_dir = Path(station_dir)
        check_passphrase(passphrase)
        if station_dir.exists():
            if not station_dir.is_dir():
                raise NotAStation(f"{station_dir} exists and is not a directory")
            found = [path.name for path in _station_files(station_dir) if path.exists()]
            if found:
                raise StationExists(
                    f"{station_dir} already holds a station ({', '.join(found)}); "
                    "unlock it, or choose another directory"
                )
        key = random_bytes(DATABASE_KEY_BYTES)
        if not isinstance(key, bytes) or len(key) != DATABASE_KEY_BYTES:
            raise StoreError("the random source did not give 32 bytes for the database key")
        # The slow, fallible passphrase wrapping comes before anything touches the disk.
        blob = wrap_key(key, passphrase, cost)
        made_dirs: list[Path] = []
        made_files: list[Path] = []
        connection: Connection | None = None
        try:
            made_dirs = _make_directories(station_dir)
            database_path = station_dir / DATABASE_FILE_NAME
            # Create the file ourselves with 0600: SQLite gives -wal and -shm the same mode.
            os.close(os.open(database_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            made_files = _station_files(station_dir)[1:]
            connection = open_database(database_path, key, memory_security=memory_security)
            migrate(connection, clock=clock)
            # The key file is the commit point. Ours to remove on failure: the O_EXCL create of
            # the database above already shut out any concurrent `create` in this directory.
            made_files.append(station_dir / KEY_FILE_NAME)
            write_key_file(station_dir / KEY_FILE_NAME, blob, replace=False)
        except BaseException:
            if connection is not None:
                connection.close()
            _remove(made_files, made_dirs)
            raise
        return cls(station_dir, connection, _key_fingerprint(key))

    @classmethod
    def unlock(
        cls,
        station_dir: Path,
        passphrase: str,
        *,
        clock: Clock = _utc_now,
        memory_security: bool = True,
    ) -> StationStore:
        """Open an existing station. StationLocked on a wrong passphrase (nothing changes),
        NotAStation if the directory holds no station; pending migrations are applied."""
        station_dir = Path(station_dir)
        check_passphrase(passphrase)
        if not station_dir.is_dir():
            raise NotAStation(f"there is no station directory at {station_dir}")
        key_path = station_dir / KEY_FILE_NAME
        database_path = station_dir / DATABASE_FILE_NAME
        if not key_path.is_file():
            raise NotAStation(f"{station_dir} holds no station (no {KEY_FILE_NAME})")
        if not database_path.is_file():
            raise NotAStation(
                f"{station_dir} has a station key but no database ({DATABASE_FILE_NAME})"
            )
        key = read_key(key_path, passphrase)
        connection = open_database(database_path, key, memory_security=memory_security)
        try:
            migrate(connection, clock=clock)
        except BaseException:
            connection.close()
            raise
        return cls(station_dir, connection, _key_fingerprint(key))

    @staticmethod
    def holds_station(station_dir: Path) -> bool:
        return (Path(station_dir) / KEY_FILE_NAME).is_file()

    @property
    def station_dir(self) -> Path:
        return self._station_dir

    @property
    def database_path(self) -> Path:
        return self._station_dir / DATABASE_FILE_NAME

    @property
    def key_path(self) -> Path:
        return self._station_dir / KEY_FILE_NAME

    @property
    def closed(self) -> bool:
        return self._connection is None

    def close(self) -> None:
        """Checkpoint the WAL into the database and close; closing twice is harmless."""
        with self._lock:
            if self._connection is None:
                return
            connection, self._connection = self._connection, None
            try:
                # Another process may hold a read lock; the WAL then stays, which is safe.
                with contextlib.suppress(sqlcipher3.OperationalError):
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                connection.close()

    def __enter__(self) -> StationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _use(self) -> Iterator[Connection]:
        with self._lock:
            if self._connection is None:
                raise StoreClosed("the station store is closed; unlock the station again")
            yield self._connection

    # ---- keys and health -----------------------------------------------------------------

    def change_passphrase(self, old: str, new: str, *, cost: KdfCost | None = None) -> None:
        """Rewrap the database key under `new`; StationLocked if `old` is wrong. The database
        itself is untouched; the key file is replaced atomically."""
        check_passphrase(old)
        check_passphrase(new)
        with self._use():
            key = read_key(self.key_path, old)
            if not hmac.compare_digest(_key_fingerprint(key), self._key_fingerprint):
                raise KeyFileDamaged(
                    f"{self.key_path} no longer holds the key of the open database; "
                    "the passphrase was not changed"
                )
            write_key_file(self.key_path, wrap_key(key, new, cost), replace=True)

    def schema_versions(self) -> list[int]:
        with self._use() as connection:
            return applied_versions(connection)

    def pragmas(self) -> dict[str, str]:
        """The required pragmas as SQLite reports them now (for status and tests)."""
        with self._use() as connection:
            return {
                name: str(connection.execute(f"PRAGMA {name}").fetchone()[0]).lower()
                for name, _value, _expected in REQUIRED_PRAGMAS
            }

    def integrity_check(self) -> str:
        """'ok', or the problems SQLite's integrity_check and SQLCipher's page-HMAC check find."""
        with self._use() as connection:
            lines = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
            # cipher_integrity_check returns no rows when every page's HMAC verifies.
            lines += [str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check")]
        if lines == ["ok"]:
            return "ok"
        return "\n".join(line for line in lines if line != "ok") or "ok"

    def checkpoint(self) -> None:
        """Move the WAL's content into the database file and truncate the WAL."""
        with self._use() as connection:
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreError("the WAL could not be checkpointed: another process is reading")

    # ---- outbox --------------------------------------------------------------------------

    def append_envelope(
        self, build: Callable[[int, str], SealedEnvelope], *, draft_id: str | None = None
    ) -> OutboxEntry:
        """Finish a response in ONE transaction: build(next_seq, prev_hash) seals the envelope
        for the next slot, it is appended, and the draft (if named) is deleted. If build
        raises, or returns an envelope for another slot, nothing changes. `build` runs inside
        the write transaction: it must seal and return, not call the store."""
        with self._use() as connection:
            return outbox_store.append_envelope(connection, build, draft_id=draft_id)

    def entries(self, *, states: Sequence[str] | None = None) -> Iterator[OutboxEntry]:
        """Every envelope (or those in `states`) in seq order, read page by page."""
        after = 0
        while True:
            with self._use() as connection:
                page = outbox_store.entries_after(connection, after, states, _ENTRIES_PAGE)
            yield from page
            if len(page) < _ENTRIES_PAGE:
                return
            after = page[-1].seq

    def mark_acknowledged(self, envelope_ids: Iterable[str], *, batch_id: str) -> int:
        """Acknowledge the named envelopes that are pending, in one transaction; the count."""
        with self._use() as connection:
            return outbox_store.mark_acknowledged(connection, envelope_ids, batch_id)

    def mark_problem(self, envelope_id: str, state: str, code: str) -> bool:
        """Mark a pending envelope `conflict` or `rejected` with the receipt's code."""
        with self._use() as connection:
            return outbox_store.mark_problem(connection, envelope_id, state, code)

    def counts(self) -> OutboxCounts:
        with self._use() as connection:
            return outbox_store.counts(connection)

    def verify_chain(self) -> list[ChainProblem]:
        """Every break in the outbox: seq gaps, wrong hashes, wrong `prev` links. [] if sound."""
        with self._use() as connection:
            return outbox_store.verify_chain(connection)

    # ---- batches -------------------------------------------------------------------------

    def next_batch_seq(self) -> int:
        """The next batch_seq, committed before it is returned: never handed out twice."""
        with self._use() as connection:
            return batch_records.next_batch_seq(connection)

    def record_batch(
        self, batch_id: str, batch_seq: int, envelope_ids: Iterable[str], via: str
    ) -> BatchRecord:
        with self._use() as connection:
            return batch_records.record_batch(connection, batch_id, batch_seq, envelope_ids, via)

    def batches(self) -> list[BatchRecord]:
        with self._use() as connection:
            return batch_records.batches(connection)

    # ---- config and specs ----------------------------------------------------------------

    def get_config(self, key: str, default: ConfigValue | None = None) -> ConfigValue | None:
        with self._use() as connection:
            value = station_config.get_config(connection, key)
        return default if value is None else value

    def set_config(self, key: str, value: ConfigValue | None) -> None:
        """Set a station setting (str, bytes, or JSON-able); None removes it."""
        with self._use() as connection:
            station_config.set_config(connection, key, value)

    def config_keys(self) -> list[str]:
        with self._use() as connection:
            return station_config.config_keys(connection)

    def save_spec(
        self, spec_id: str, version: str, sha256: str, canonical_json: bytes
    ) -> StoredSpec:
        with self._use() as connection:
            return station_config.save_spec(connection, spec_id, version, sha256, canonical_json)

    def specs(self) -> list[StoredSpec]:
        with self._use() as connection:
            return station_config.specs(connection)

    # ---- drafts --------------------------------------------------------------------------

    def save_draft(self, draft_id: str, payload: bytes) -> None:
        with self._use() as connection:
            draft_store.save_draft(connection, draft_id, payload)

    def load_draft(self, draft_id: str) -> bytes | None:
        with self._use() as connection:
            return draft_store.load_draft(connection, draft_id)

    def delete_draft(self, draft_id: str) -> bool:
        with self._use() as connection:
            return draft_store.delete_draft(connection, draft_id)

    def drafts(self) -> list[str]:
        """The ids of the stored drafts."""
        with self._use() as connection:
            return draft_store.draft_ids(connection)

    # ---- sync log ------------------------------------------------------------------------

    def record_sync(self, at: datetime, ok: bool, message: str) -> None:
        with self._use() as connection:
            sync_log.record_sync(connection, at, ok, message)

    def last_sync(self) -> SyncStatus:
        with self._use() as connection:
            return sync_log.last_sync(connection)


def _make_directories(station_dir: Path) -> list[Path]:
    """mkdir station_dir and any missing parents (0700); return those made, outermost first."""
    missing = []
    directory = station_dir
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    made = []
    try:
        for directory in reversed(missing):
            directory.mkdir(mode=0o700)
            made.append(directory)
        if made:
            sync_directory(made[0].parent)
    except BaseException:
        _remove([], made)
        raise
    if not made:
        # An existing directory: the station's files must still not be world-readable.
        with contextlib.suppress(OSError):
            os.chmod(station_dir, 0o700)
    return made


def _remove(files: list[Path], directories: list[Path]) -> None:
    """Best-effort removal of what a failed `create` made; innermost directories first."""
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink()
    for directory in reversed(directories):
        with contextlib.suppress(OSError):
            directory.rmdir()
