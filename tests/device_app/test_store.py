"""Creating, unlocking and locking a station: real SQLCipher files in tmp_path."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crypto import KdfCost
from device_app.store import (
    DatabaseUnreadable,
    InvalidValue,
    KeyFileDamaged,
    NotAStation,
    SchemaTooNew,
    StationExists,
    StationLocked,
    StationStore,
    StoreClosed,
)
from device_app.store.migrations import MIGRATIONS, Migration, migrate
from tests.device_app.conftest import STORE_PASSPHRASE, sealer


def directory_fingerprint(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def test_create_makes_an_encrypted_station_that_unlocks(store_dir: Path) -> None:
    with StationStore.create(store_dir, STORE_PASSPHRASE, cost=KdfCost.FAST) as store:
        store.set_config("station_id", "st_0001")
    assert StationStore.holds_station(store_dir)
    with StationStore.unlock(store_dir, STORE_PASSPHRASE) as store:
        assert store.get_config("station_id") == "st_0001"


def test_station_files_are_private(store: StationStore, store_dir: Path) -> None:
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((store_dir / "station.key").stat().st_mode) == 0o600
    for path in store_dir.glob("station.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_the_database_is_not_plain_sqlite(store: StationStore, store_dir: Path) -> None:
    store.save_draft("d1", b'{"answers": {"q1": "tell nobody"}}')
    store.checkpoint()
    database = store_dir / "station.db"
    assert database.read_bytes()[:16] != b"SQLite format 3\x00"
    plain = sqlite3.connect(database)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            plain.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        plain.close()
    assert b"tell nobody" not in database.read_bytes()


def test_the_key_file_holds_no_raw_key(store_dir: Path) -> None:
    key = bytes(range(32))
    StationStore.create(
        store_dir, STORE_PASSPHRASE, cost=KdfCost.FAST, random_bytes=lambda n: key[:n]
    ).close()
    blob = (store_dir / "station.key").read_bytes()
    assert key not in blob
    assert key.hex().encode() not in blob


def test_pragmas_are_in_force(store: StationStore) -> None:
    assert store.pragmas() == {
        "journal_mode": "wal",
        "synchronous": "2",  # FULL
        "secure_delete": "1",
        "temp_store": "2",  # MEMORY
        "foreign_keys": "1",
        "busy_timeout": "10000",
    }


def test_pragmas_are_in_force_after_unlock(store: StationStore, store_dir: Path) -> None:
    store.close()
    with StationStore.unlock(store_dir, STORE_PASSPHRASE) as again:
        assert again.pragmas()["secure_delete"] == "1"
        assert again.pragmas()["synchronous"] == "2"
        assert again.integrity_check() == "ok"


def test_wrong_passphrase_is_refused_and_changes_nothing(
    store: StationStore, store_dir: Path
) -> None:
    store.append_envelope(sealer())
    store.close()
    before = directory_fingerprint(store_dir)
    with pytest.raises(StationLocked) as refused:
        StationStore.unlock(store_dir, "not the passphrase")
    assert refused.value.code == "wrong-passphrase"
    assert "not the passphrase" not in str(refused.value)
    assert directory_fingerprint(store_dir) == before
    with StationStore.unlock(store_dir, STORE_PASSPHRASE) as again:
        assert again.counts().pending == 1


def test_create_refuses_an_existing_station(store: StationStore, store_dir: Path) -> None:
    store.close()
    before = directory_fingerprint(store_dir)
    with pytest.raises(StationExists, match="already holds a station"):
        StationStore.create(store_dir, "another passphrase", cost=KdfCost.FAST)
    assert directory_fingerprint(store_dir) == before


def test_create_refuses_leftover_station_files(store_dir: Path) -> None:
    store_dir.mkdir(parents=True)
    (store_dir / "station.db").write_bytes(b"leftover")
    with pytest.raises(StationExists, match=r"station\.db"):
        StationStore.create(store_dir, STORE_PASSPHRASE, cost=KdfCost.FAST)
    assert (store_dir / "station.db").read_bytes() == b"leftover"


def test_create_accepts_an_empty_existing_directory(tmp_path: Path) -> None:
    with StationStore.create(tmp_path, STORE_PASSPHRASE, cost=KdfCost.FAST) as store:
        assert store.schema_versions() == [m.version for m in MIGRATIONS]


def test_create_refuses_an_empty_passphrase(store_dir: Path) -> None:
    with pytest.raises(InvalidValue):
        StationStore.create(store_dir, "", cost=KdfCost.FAST)
    assert not store_dir.exists()


def test_failed_create_leaves_no_half_made_station(tmp_path: Path) -> None:
    station_dir = tmp_path / "new" / "st_two"

    def broken_random(count: int) -> bytes:
        raise OSError("no entropy today")

    with pytest.raises(OSError, match="no entropy"):
        StationStore.create(station_dir, STORE_PASSPHRASE, random_bytes=broken_random)
    assert list(tmp_path.iterdir()) == []


def test_create_failing_after_files_exist_removes_them(tmp_path: Path) -> None:
    station_dir = tmp_path / "new" / "st_three"

    def broken_clock() -> datetime:
        # Called while recording the first migration: the database file already exists.
        assert (station_dir / "station.db").exists()
        raise RuntimeError("clock failure")

    with pytest.raises(RuntimeError, match="clock failure"):
        StationStore.create(station_dir, STORE_PASSPHRASE, cost=KdfCost.FAST, clock=broken_clock)
    assert list(tmp_path.iterdir()) == []


def test_short_random_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="32 bytes"):
        StationStore.create(
            tmp_path / "st", STORE_PASSPHRASE, cost=KdfCost.FAST, random_bytes=lambda n: b"x"
        )
    assert list(tmp_path.iterdir()) == []


def test_unlock_a_missing_or_foreign_directory(tmp_path: Path) -> None:
    with pytest.raises(NotAStation, match="no station directory"):
        StationStore.unlock(tmp_path / "absent", STORE_PASSPHRASE)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotAStation, match="holds no station"):
        StationStore.unlock(tmp_path, STORE_PASSPHRASE)
    with pytest.raises(NotAStation, match="not a directory"):
        StationStore.create(tmp_path / "notes.txt", STORE_PASSPHRASE, cost=KdfCost.FAST)


def test_damaged_key_file(store: StationStore, store_dir: Path) -> None:
    store.close()
    (store_dir / "station.key").write_bytes(b"this is not a key file at all, not even close" * 2)
    with pytest.raises(KeyFileDamaged) as damaged:
        StationStore.unlock(store_dir, STORE_PASSPHRASE)
    assert damaged.value.code == "station-key-damaged"


def test_key_file_of_another_station_does_not_open_the_database(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    keys = {first: b"\x01" * 32, second: b"\x02" * 32}
    for directory, key in keys.items():
        StationStore.create(
            directory, STORE_PASSPHRASE, cost=KdfCost.FAST, random_bytes=lambda n, k=key: k
        ).close()
    (first / "station.key").write_bytes((second / "station.key").read_bytes())
    with pytest.raises(DatabaseUnreadable, match="does not open with its key") as refused:
        StationStore.unlock(first, STORE_PASSPHRASE)
    message = str(refused.value)
    for key in keys.values():
        assert key.hex() not in message.lower()


def test_change_passphrase(store: StationStore, store_dir: Path) -> None:
    store.save_draft("d1", b"{}")
    database_before = hashlib.sha256((store_dir / "station.db").read_bytes()).hexdigest()
    with pytest.raises(StationLocked):
        store.change_passphrase("wrong old", "new passphrase", cost=KdfCost.FAST)
    store.change_passphrase(STORE_PASSPHRASE, "new passphrase", cost=KdfCost.FAST)
    # The database file is untouched by the rewrap (nothing was written since the draft).
    assert hashlib.sha256((store_dir / "station.db").read_bytes()).hexdigest() == database_before
    assert [p.name for p in store_dir.iterdir() if p.name.startswith(".")] == []
    store.close()
    with pytest.raises(StationLocked):
        StationStore.unlock(store_dir, STORE_PASSPHRASE)
    with StationStore.unlock(store_dir, "new passphrase") as again:
        assert again.load_draft("d1") == b"{}"
        assert stat.S_IMODE((store_dir / "station.key").stat().st_mode) == 0o600


def test_migrations_are_recorded_and_idempotent(store: StationStore, store_dir: Path) -> None:
    assert store.schema_versions() == [m.version for m in MIGRATIONS]
    store.close()
    stamp = datetime(2030, 1, 1, tzinfo=UTC)
    for _ in range(2):
        with StationStore.unlock(store_dir, STORE_PASSPHRASE, clock=lambda: stamp) as again:
            assert again.schema_versions() == [m.version for m in MIGRATIONS]
            assert again.integrity_check() == "ok"


def test_a_new_migration_is_applied_once_and_recorded(store: StationStore) -> None:
    extra = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "extra", ("CREATE TABLE extra (x)",)))
    clock = lambda: datetime(2030, 5, 6, 7, 8, 9, 123, tzinfo=UTC)  # noqa: E731
    with store._use() as connection:
        assert migrate(connection, clock=clock, migrations=extra) == [len(extra)]
        assert migrate(connection, clock=clock, migrations=extra) == []
        recorded = connection.execute(
            "SELECT name, applied_at FROM schema_migrations WHERE version = ?", (len(extra),)
        ).fetchone()
        # Applied time to the second only.
        assert recorded == ("extra", "2030-05-06T07:08:09+00:00")
        # Code that knows fewer migrations refuses the newer database.
        with pytest.raises(SchemaTooNew):
            migrate(connection, clock=clock)


def test_a_failing_migration_leaves_nothing_behind(store: StationStore) -> None:
    broken = (
        *MIGRATIONS,
        Migration(len(MIGRATIONS) + 1, "broken", ("CREATE TABLE half (x)", "NOT SQL AT ALL")),
    )
    with store._use() as connection, pytest.raises(Exception, match="syntax error"):
        migrate(connection, clock=lambda: datetime.now(UTC), migrations=broken)
    assert store.schema_versions() == [m.version for m in MIGRATIONS]
    with store._use() as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables


def test_closed_store_refuses_use(store: StationStore) -> None:
    store.close()
    store.close()  # harmless twice
    assert store.closed
    with pytest.raises(StoreClosed):
        store.counts()


def test_integrity_check_is_ok(store: StationStore) -> None:
    store.append_envelope(sealer())
    assert store.integrity_check() == "ok"
