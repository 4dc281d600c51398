"""When the station last tried to sync and how it went: coordinator information only.

The messages are the coordinator's ("server unreachable", "12 envelopes acknowledged"),
never respondent data. Only the most recent entries (and the last success) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from device_app.store.database import Connection, transaction
from device_app.store.errors import InvalidValue

KEEP_ENTRIES = 200
MAX_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class SyncStatus:
    last_attempt: datetime | None
    last_ok: bool | None
    last_message: str | None
    last_success: datetime | None


def record_sync(connection: Connection, at: datetime, ok: bool, message: str) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidValue("a sync time must be an aware datetime")
    if not isinstance(message, str):
        raise InvalidValue("a sync message is text")
    stamp = at.astimezone(UTC).replace(microsecond=0).isoformat()
    with transaction(connection):
        connection.execute(
            "INSERT INTO sync_log (at, ok, message) VALUES (?, ?, ?)",
            (stamp, int(bool(ok)), message[:MAX_MESSAGE_CHARS]),
        )
        # Prune old entries but keep the last success, however old, for `last_sync()`.
        connection.execute(
            "DELETE FROM sync_log WHERE id <= (SELECT max(id) FROM sync_log) - ? "
            "AND id IS NOT (SELECT max(id) FROM sync_log WHERE ok = 1)",
            (KEEP_ENTRIES,),
        )


def last_sync(connection: Connection) -> SyncStatus:
    attempt = connection.execute(
        "SELECT at, ok, message FROM sync_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if attempt is None:
        return SyncStatus(None, None, None, None)
    success = connection.execute(
        "SELECT at FROM sync_log WHERE ok = 1 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return SyncStatus(
        last_attempt=datetime.fromisoformat(attempt[0]),
        last_ok=bool(attempt[1]),
        last_message=attempt[2],
        last_success=datetime.fromisoformat(success[0]) if success else None,
    )
