"""The audit log: every release, download and raw export, allowed or not, in one table.

Only ever appended to (the database refuses UPDATE and DELETE on it, see migration 0003).
An entry says who, what, when and which release, and why it was refused; never data,
passwords or tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from protocol.wire import wire_time
from sync_server.store.access_models import AUDIT_OUTCOMES, AuditEntry
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]

# "sign-in" (the console's, and its sign-out), "page" (a console page or form refused),
# "revoke" (a station revoked from the console), "report" (a results report made),
# "enrol" (an enrolment token issued from the console), "import" (USB files uploaded to the
# console), "quarantine" (an envelope released from quarantine), "target" (a sample size set).
AUDIT_ACTIONS = (
    "release", "download", "export", "token", "unlock", "sign-in", "page", "revoke", "report",
    "enrol", "import", "quarantine", "target",
)  # fmt: skip
MAX_DETAIL_CHARS = 1000


@dataclass(frozen=True)
class AuditView:
    entry_id: int
    at: datetime
    actor: str | None
    action: str
    outcome: str
    release_id: str | None
    detail: str

    def to_json(self) -> dict[str, object]:
        return {
            "entry_id": self.entry_id,
            "at": wire_time(self.at),
            "actor": self.actor,
            "action": self.action,
            "outcome": self.outcome,
            "release_id": self.release_id,
            "detail": self.detail,
        }


def record(
    session: Session,
    *,
    at: datetime,
    actor: str | None,
    action: str,
    outcome: str,
    release_id: str | None = None,
    detail: str = "",
) -> None:
    """Append one entry inside the caller's transaction (so it commits with the work)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in AUDIT_OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    session.add(
        AuditEntry(
            at=at,
            # What a caller typed is kept, cut to the column's size, so probing stays visible.
            actor=actor[:100] if actor is not None else None,
            action=action,
            outcome=outcome,
            release_id=release_id[:100] if release_id is not None else None,
            detail=detail[:MAX_DETAIL_CHARS],
        )
    )


def record_event(
    session_factory: sessionmaker[Session],
    *,
    clock: Clock,
    actor: str | None,
    action: str,
    outcome: str,
    release_id: str | None = None,
    detail: str = "",
) -> None:
    """Append one entry in a transaction of its own (for refusals: nothing else commits)."""

    def work(session: Session) -> None:
        record(
            session,
            at=clock(),
            actor=actor,
            action=action,
            outcome=outcome,
            release_id=release_id,
            detail=detail,
        )

    in_transaction(session_factory, work)


def read_audit(
    session_factory: sessionmaker[Session],
    *,
    limit: int = 100,
    actor: str | None = None,
    outcome: str | None = None,
) -> list[AuditView]:
    """The newest `limit` entries, newest first, optionally for one actor or outcome."""
    query = select(AuditEntry).order_by(AuditEntry.entry_id.desc()).limit(max(1, limit))
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if outcome is not None:
        query = query.where(AuditEntry.outcome == outcome)
    with session_factory() as session:
        return [
            AuditView(
                entry_id=row.entry_id,
                at=row.at,
                actor=row.actor,
                action=row.action,
                outcome=row.outcome,
                release_id=row.release_id,
                detail=row.detail,
            )
            for row in session.scalars(query)
        ]
