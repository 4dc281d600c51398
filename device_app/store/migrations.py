"""Numbered schema migrations, each applied in its own transaction and recorded.

`schema_migrations` holds one row per applied migration: its number, its name and when it
was applied (UTC, to the second). That time is when the software was installed or upgraded,
not when anyone answered, so it cannot be linked to a respondent.

Rules for adding a migration: append a new `Migration` with the next number; never edit or
renumber one that has shipped. A database that records a number this code does not know was
written by newer software and is refused (SchemaTooNew) rather than used half-understood.

Privacy in the schema: no table has a creation or update time for anything a respondent
did. Drafts and outbox rows carry no timestamps; their order is the outbox `seq` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from device_app.store.database import Connection, transaction
from device_app.store.errors import SchemaTooNew, StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "station tables",
        (
            # Station settings: identity, enrolment, keys, coordinator settings. `kind` says
            # how `value` decodes (text, bytes or JSON) so typed values survive a round trip.
            """CREATE TABLE station_config (
                key TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('text', 'bytes', 'json')),
                value BLOB NOT NULL
            ) WITHOUT ROWID""",
            # The spec bodies the station runs, by identity (id, version, sha256).
            """CREATE TABLE specs (
                spec_id TEXT NOT NULL,
                version TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
                canonical_json BLOB NOT NULL,
                PRIMARY KEY (spec_id, version)
            )""",
            # The in-progress response: a JSON snapshot of the session. No timestamps.
            """CREATE TABLE drafts (
                draft_id TEXT PRIMARY KEY NOT NULL,
                payload BLOB NOT NULL
            ) WITHOUT ROWID""",
            # Every batch ever sent or exported; batch_seq is unique and issued by counters.
            """CREATE TABLE batches (
                batch_id TEXT PRIMARY KEY NOT NULL,
                batch_seq INTEGER NOT NULL UNIQUE CHECK (batch_seq >= 1),
                envelope_count INTEGER NOT NULL CHECK (envelope_count >= 0),
                via TEXT NOT NULL CHECK (via IN ('http', 'usb'))
            )""",
            # The sealed envelopes, a hash chain ordered by seq (1, 2, 3… no gaps).
            """CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                envelope_id TEXT NOT NULL UNIQUE,
                spec_id TEXT NOT NULL,
                spec_version TEXT NOT NULL,
                spec_sha256 TEXT NOT NULL CHECK (length(spec_sha256) = 64),
                envelope BLOB NOT NULL,
                envelope_hash TEXT NOT NULL CHECK (length(envelope_hash) = 64),
                size INTEGER NOT NULL CHECK (size = length(envelope)),
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'acknowledged', 'conflict', 'rejected')),
                code TEXT,
                batch_id TEXT REFERENCES batches (batch_id),
                CHECK ((state = 'acknowledged') = (batch_id IS NOT NULL))
            )""",
            # `pending()` walks pending rows in seq order.
            "CREATE INDEX outbox_state_seq ON outbox (state, seq)",
            # Which envelopes each batch carried (an envelope may travel in several).
            """CREATE TABLE batch_envelopes (
                batch_id TEXT NOT NULL REFERENCES batches (batch_id),
                envelope_id TEXT NOT NULL REFERENCES outbox (envelope_id),
                PRIMARY KEY (batch_id, envelope_id)
            ) WITHOUT ROWID""",
            # Persisted monotonic counters (batch_seq); never decremented.
            """CREATE TABLE counters (
                name TEXT PRIMARY KEY NOT NULL,
                value INTEGER NOT NULL CHECK (value >= 0)
            ) WITHOUT ROWID""",
            "INSERT INTO counters (name, value) VALUES ('batch_seq', 0)",
            # Coordinator-facing sync history: when a sync was tried and how it went.
            """CREATE TABLE sync_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                message TEXT NOT NULL
            )""",
        ),
    ),
)

_BOOTSTRAP = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


def applied_versions(connection: Connection) -> list[int]:
    rows = connection.execute("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows]


def migrate(
    connection: Connection,
    *,
    clock: Callable[[], datetime],
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[int]:
    """Apply pending migrations in order, one transaction each; return the numbers applied."""
    _check_numbering(migrations)
    with transaction(connection):
        connection.execute(_BOOTSTRAP)
    known = migrations[-1].version if migrations else 0
    newest = max(applied_versions(connection), default=0)
    if newest > known:
        raise SchemaTooNew(
            f"the station database is at schema version {newest}, newer than this software "
            f"knows ({known}); update the station software"
        )
    applied = []
    for migration in migrations:
        with transaction(connection):
            # Re-checked inside the write lock: another process may have just applied it.
            done = connection.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
            ).fetchone()
            if done:
                continue
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, _utc_seconds(clock())),
            )
        applied.append(migration.version)
    return applied


def _check_numbering(migrations: tuple[Migration, ...]) -> None:
    numbers = [migration.version for migration in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migrations must be numbered 1, 2, 3… without gaps, got {numbers}")


def _utc_seconds(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise StoreError("the clock must return an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
