"""Releasing an envelope from quarantine, once its cause is fixed: it goes back to the
processor's queue (the inbox, pending), never into the central store directly.

- Set aside by the processor (the inbox row is `quarantined`): the row is pending again,
  its reason cleared. The processor checks everything anew; a cause not fixed quarantines it
  again with its reason, and the unique key on responses means it is loaded once at most.
- Refused at intake (a conflict, kept in the quarantine table): it enters the inbox only if
  intake's own sorting (batches.sort_envelopes, the one place that rule lives) now takes it
  as new; if it still conflicts, the release is refused with the conflict, and nothing moves.
  Inbox rows are never deleted, so this frees a conflict only after an operator has repaired
  what it conflicted with.

Each release is audited by the caller (the console, `mss server quarantine release`) with
who asked; here only ids and reasons pass, never a sealed byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from protocol.codec import envelope_hash
from protocol.problems import Problem
from protocol.wire import Envelope
from sync_server.ingest.batches import sort_envelopes
from sync_server.ingest.fleet import QuarantineEntry
from sync_server.store.models import InboxEnvelope, QuarantinedEnvelope, Station
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
WHERE = ("intake", "processor")


@dataclass(frozen=True)
class QuarantineRef:
    """Which quarantined envelope: intake conflicts by their row (one envelope id may
    conflict in several versions), the processor's by station and envelope id."""

    where: str
    station_id: str
    envelope_id: str
    quarantine_id: int | None = None

    def to_text(self) -> str:
        if self.where == "intake":
            return f"intake:{self.quarantine_id}"
        return f"processor:{self.station_id}/{self.envelope_id}"

    @classmethod
    def of(cls, entry: QuarantineEntry) -> QuarantineRef:
        return cls(entry.where, entry.station_id, entry.envelope_id, entry.quarantine_id)

    @classmethod
    def from_text(cls, text: str, station_id: str = "", envelope_id: str = "") -> QuarantineRef:
        """`intake:<n>` or `processor:<station>/<envelope id>` (what to_text writes)."""
        where, _, rest = text.partition(":")
        if where == "intake" and rest.isdigit() and len(rest) < 19:
            return cls("intake", station_id, envelope_id, int(rest))
        station, _, envelope = rest.partition("/")
        if where == "processor" and station and envelope and len(rest) <= 100:
            return cls("processor", station, envelope)
        raise Problem("invalid-request", f"{text[:60]!r} names no quarantined envelope")


@dataclass(frozen=True)
class Released:
    ref: QuarantineRef
    station_id: str
    country: str
    envelope_id: str
    reason: str  # the reason it was held for


def quarantined_country(session_factory: sessionmaker[Session], ref: QuarantineRef) -> str | None:
    """The country of the station whose envelope `ref` names, if it is in quarantine (for
    the caller's role check before releasing)."""
    with session_factory() as session:
        if ref.where == "intake":
            row = session.get(QuarantinedEnvelope, ref.quarantine_id)
            station_id = row.station_id if row is not None else None
        else:
            held = session.get(InboxEnvelope, (ref.station_id, ref.envelope_id))
            station_id = held.station_id if held and held.state == "quarantined" else None
        if station_id is None:
            return None
        return session.scalar(select(Station.country).where(Station.station_id == station_id))


def release_quarantined(
    session_factory: sessionmaker[Session], ref: QuarantineRef, *, clock: Clock
) -> Released:
    """Put the envelope back in the processor's queue. Problem not-found (nothing of that
    name is in quarantine), or an intake conflict that still conflicts: its conflict code
    (envelope-conflict, sequence-conflict, chain-mismatch); nothing changes then."""
    if ref.where == "processor":
        return in_transaction(session_factory, lambda session: _requeue(session, ref))
    return in_transaction(session_factory, lambda session: _admit(session, ref, clock()))


def _requeue(session: Session, ref: QuarantineRef) -> Released:
    row = session.execute(
        select(InboxEnvelope)
        .where(
            InboxEnvelope.station_id == ref.station_id,
            InboxEnvelope.envelope_id == ref.envelope_id,
            InboxEnvelope.state == "quarantined",
        )
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise Problem("not-found", f"no envelope {ref.to_text()} is quarantined by the processor")
    reason = row.problem_code or ""
    row.state, row.problem_code, row.problem_detail = "pending", None, None
    row.claimed_by, row.claimed_at = None, None
    country = session.scalar(select(Station.country).where(Station.station_id == row.station_id))
    return Released(ref, row.station_id, country or "", row.envelope_id, reason)


def _admit(session: Session, ref: QuarantineRef, now: datetime) -> Released:
    held = session.get(QuarantinedEnvelope, ref.quarantine_id)
    if held is None:
        raise Problem("not-found", f"no envelope {ref.to_text()} is held at intake")
    # The station's batches are taken one at a time under this lock: so is a release.
    station = session.execute(
        select(Station).where(Station.station_id == held.station_id).with_for_update()
    ).scalar_one()
    envelope = Envelope.model_validate_json(held.envelope)
    digest = envelope_hash(envelope)
    sorting = sort_envelopes(session, station.station_id, [envelope], [digest])
    (result,) = sorting.results
    assert result is not None
    if result.status == "conflict":
        raise Problem(
            result.code or "envelope-conflict",
            f"envelope {held.envelope_id} still conflicts with what is stored: it stays in "
            "quarantine",
        )
    if sorting.inbox_rows:
        rows = [
            {**row, "station_id": station.station_id, "batch_id": held.batch_id,
             "received_at": now}
            for row in sorting.inbox_rows
        ]  # fmt: skip
        session.execute(insert(InboxEnvelope.__table__), rows)
        station.envelopes_received += 1
        station.last_envelope_seq = max(station.last_envelope_seq, envelope.seq)
    # Taken now, or the very same bytes are in the inbox already: no longer held either way.
    session.delete(held)
    return Released(ref, station.station_id, station.country, held.envelope_id, held.reason)
