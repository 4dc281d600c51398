"""Engines for the two supported databases: a SQLite file (default) and PostgreSQL."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

log = logging.getLogger(__name__)


def private_sqlite_file(path: Path) -> None:
    """Make the central store's file owner-only before SQLite opens it, whatever the umask:
    it holds processed answers in the clear. SQLite gives its -wal and -shm files the
    database file's mode, so they follow. A folder it creates is owner-only; an existing
    folder open to others is the operator's to fix (it may be shared on purpose), so the
    log warns; a wider file is narrowed, and the log says so."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    os.close(descriptor)
    folder_mode = folder.stat().st_mode & 0o777
    if folder_mode & ~PRIVATE_DIR_MODE:
        log.warning("%s is mode %o: others can list the central store's folder", folder,
                    folder_mode)  # fmt: skip
    file_mode = path.stat().st_mode & 0o777
    if file_mode & ~PRIVATE_FILE_MODE:
        log.warning("%s was mode %o: narrowed to %o (owner only)", path, file_mode,
                    PRIVATE_FILE_MODE)  # fmt: skip
        path.chmod(PRIVATE_FILE_MODE)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below); pysqlite's implicit BEGIN would be DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",  # a receipt is a promise: it must survive power loss
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead
        # of one failing at once when it upgrades a read lock (SQLite's only serialisation).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str, *, connect_args: dict[str, Any] | None = None) -> Engine:
    """An engine for `sqlite:///file` or `postgresql+psycopg://…`, set up for intake."""
    url = make_url(database_url)
    args = dict(connect_args or {})
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("the central store needs a SQLite file, not an in-memory database")
        private_sqlite_file(Path(url.database))
        args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=args, pool_size=8, max_overflow=8)
        _configure_sqlite(engine)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.get_driver_name() != "psycopg":
            raise ValueError("use a psycopg 3 URL: postgresql+psycopg://user@host:port/db")
        return create_engine(
            url, connect_args=args, pool_size=8, max_overflow=8, pool_pre_ping=True
        )
    raise ValueError(f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
