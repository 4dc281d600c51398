"""The central store's folder and files are owner-only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from sync_server.store import make_engine, upgrade_to_head


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    before = os.umask(0o022)  # the common default: files 0644, folders 0755
    yield
    os.umask(before)


def test_a_new_store_is_owner_only_with_its_wal(tmp_path: Path, loose_umask) -> None:
    database = tmp_path / "data" / "central.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE canary (x)"))
            connection.execute(text("INSERT INTO canary VALUES (1)"))
        assert mode(database.parent) == 0o700
        assert mode(database) == 0o600
        wal = database.with_name("central.db-wal")
        assert wal.exists() and mode(wal) == 0o600
        assert mode(database.with_name("central.db-shm")) == 0o600
    finally:
        engine.dispose()


def test_a_store_found_world_readable_is_narrowed_and_its_folder_warned(
    tmp_path: Path, loose_umask, caplog
) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    database = folder / "central.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    engine.dispose()
    assert mode(database) == 0o600
    assert mode(folder) == 0o755  # the operator's folder: warned about, not changed
    assert "narrowed" in caplog.text and "others can list" in caplog.text
