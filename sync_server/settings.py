"""The server's settings: one object handed to create_app and the ingest functions.

Nothing here reads the environment at import; `Settings.from_env` is for the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from protocol.limits import MAX_BATCH_BYTES, MAX_SMALL_BODY_BYTES

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    # None means a SQLite file in data_dir: sqlite:///<data_dir>/central.db. Out of the
    # repr: a PostgreSQL URL may carry a password.
    database_url: str | None = field(default=None, repr=False)
    max_batch_bytes: int = MAX_BATCH_BYTES
    max_small_body_bytes: int = MAX_SMALL_BODY_BYTES
    token_lifetime: timedelta = timedelta(days=7)
    clock: Clock = field(default=utc_now)
    random_bytes: RandomBytes = field(default=os.urandom)
    # Apply Alembic migrations when the app starts (off when an operator migrates by hand).
    migrate_on_start: bool = True
    # A body must arrive within this many seconds: a client that declares 1,000 bytes and
    # sends one must not hold a worker (a tablet on 2G sends 4 MiB in well under this).
    body_read_seconds: float = 120.0
    # Proxies whose X-Forwarded-For names the client (nginx on this host); any other peer
    # is the client itself, so a forged header cannot dodge per-address throttling.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'central.db'}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, data_dir: Path | None = None) -> Settings:
        """MSS_DATA_DIR and MSS_DATABASE_URL; `data_dir` (a command-line option) wins."""
        chosen = data_dir or Path(environ.get("MSS_DATA_DIR", "mss-server-data"))
        return cls(data_dir=chosen, database_url=environ.get("MSS_DATABASE_URL") or None)
