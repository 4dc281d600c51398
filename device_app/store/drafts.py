"""The in-progress response, as a JSON snapshot of the survey session.

A draft holds a respondent's plain answers, so it lives only here, inside SQLCipher, and
carries no timestamps. Deleting it (at finish, abandon or a coordinator reset) overwrites
its pages (`secure_delete`), and finishing deletes it in the same transaction that appends
the sealed envelope (see `outbox.append_envelope`).
"""

from __future__ import annotations

from device_app.store.database import Connection, transaction
from device_app.store.errors import InvalidValue


def _check_draft_id(draft_id: object) -> str:
    if not isinstance(draft_id, str) or not draft_id:
        raise InvalidValue("a draft needs a non-empty draft id")
    return draft_id


def save_draft(connection: Connection, draft_id: str, payload: bytes) -> None:
    _check_draft_id(draft_id)
    if not isinstance(payload, bytes):
        raise InvalidValue("a draft payload is bytes (the session's JSON snapshot)")
    with transaction(connection):
        connection.execute(
            "INSERT INTO drafts (draft_id, payload) VALUES (?, ?) "
            "ON CONFLICT (draft_id) DO UPDATE SET payload = excluded.payload",
            (draft_id, payload),
        )


def load_draft(connection: Connection, draft_id: str) -> bytes | None:
    row = connection.execute(
        "SELECT payload FROM drafts WHERE draft_id = ?", (_check_draft_id(draft_id),)
    ).fetchone()
    return None if row is None else bytes(row[0])


def delete_draft(connection: Connection, draft_id: str) -> bool:
    """Delete a draft; False if there was none."""
    with transaction(connection):
        deleted = connection.execute(
            "DELETE FROM drafts WHERE draft_id = ?", (_check_draft_id(draft_id),)
        ).rowcount
    return deleted > 0


def draft_ids(connection: Connection) -> list[str]:
    return [row[0] for row in connection.execute("SELECT draft_id FROM drafts ORDER BY draft_id")]
