"""The coordinator's view of the fleet: what each station sent, what is missing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from protocol.wire import parse_wire_time
from sync_server.ingest.arrival_spikes import ArrivalRate, campaign_arrivals
from sync_server.store.models import InboxEnvelope, QuarantinedEnvelope, Station


class StationStatus(BaseModel):
    station_id: str
    country: str
    region: str
    status: str
    app_version: str
    enrolled_at: datetime
    received: int
    duplicates: int
    conflicts: int
    last_batch_seq: int
    last_envelope_seq: int
    # Envelope seq ranges (first, last), inclusive, not in the inbox though a later one is.
    gaps: list[tuple[int, int]]
    last_sync_at: datetime | None
    last_beacon: dict[str, Any] | None
    last_beacon_at: datetime | None
    # What the tablet's clock said minus when its beacon arrived (seconds): a flat clock
    # battery shows as decades; None without a beacon.
    clock_skew_seconds: int | None = None
    # An online campaign's envelopes in the last hour against its usual rate, a flood
    # flagged (ingest/arrival_spikes.py); None for a tablet.
    arrivals: ArrivalRate | None = None


# Past this, a tablet's clock is wrong, not merely late with its beacon.
CLOCK_SKEW_WARNING_SECONDS = 24 * 3600


def clock_skew(beacon: dict[str, Any] | None, arrived: datetime | None) -> int | None:
    if not beacon or arrived is None:
        return None
    try:
        claimed = parse_wire_time(str(beacon.get("sent_at", "")))
    except ValueError:
        return None
    if arrived.tzinfo is None:
        arrived = arrived.replace(tzinfo=UTC)
    return int((claimed - arrived).total_seconds())


class FleetStatus(BaseModel):
    stations: list[StationStatus]
    pending: int
    processed: int
    quarantined: int  # by the processor
    conflicts: int  # refused at intake, kept in the quarantine table


def _gaps(session: Session) -> dict[str, list[tuple[int, int]]]:
    """Missing seq ranges per station, found by the database (window LAG) among the stations
    that hold fewer envelopes than their highest seq: seqs are unique per station and start
    at 1, so only those can have a gap, and the window runs over their rows alone (with 1 M
    envelopes and one station in ten with a gap: 4x faster on PostgreSQL, bench/console.py)."""
    with_gaps = (
        select(InboxEnvelope.station_id)
        .group_by(InboxEnvelope.station_id)
        .having(func.count() < func.max(InboxEnvelope.seq))
    )
    before = (
        func.lag(InboxEnvelope.seq)
        .over(partition_by=InboxEnvelope.station_id, order_by=InboxEnvelope.seq)
        .label("before")
    )
    ordered = (
        select(InboxEnvelope.station_id, InboxEnvelope.seq, before)
        .where(InboxEnvelope.station_id.in_(with_gaps))
        .subquery()
    )
    rows = session.execute(
        select(ordered.c.station_id, ordered.c.before, ordered.c.seq)
        .where(
            or_(
                and_(ordered.c.before.is_(None), ordered.c.seq > 1),
                ordered.c.seq - ordered.c.before > 1,
            )
        )
        .order_by(ordered.c.station_id, ordered.c.seq)
    )
    gaps: dict[str, list[tuple[int, int]]] = {}
    for station_id, previous, seq in rows:
        first = 1 if previous is None else previous + 1
        gaps.setdefault(station_id, []).append((first, seq - 1))
    return gaps


def fleet_status(
    session_factory: sessionmaker[Session], *, now: datetime | None = None
) -> FleetStatus:
    with session_factory() as session:
        gaps = _gaps(session)
        arrivals = campaign_arrivals(session, now or datetime.now(UTC))
        states: dict[str, int] = {
            state: count
            for state, count in session.execute(
                select(InboxEnvelope.state, func.count()).group_by(InboxEnvelope.state)
            )
        }
        conflicts = session.scalar(select(func.count()).select_from(QuarantinedEnvelope)) or 0
        stations = [
            StationStatus(
                station_id=s.station_id,
                country=s.country,
                region=s.region,
                status=s.status,
                app_version=s.app_version,
                enrolled_at=s.enrolled_at,
                received=s.envelopes_received,
                duplicates=s.duplicates,
                conflicts=s.conflicts,
                last_batch_seq=s.last_batch_seq,
                last_envelope_seq=s.last_envelope_seq,
                gaps=gaps.get(s.station_id, []),
                last_sync_at=s.last_sync_at,
                last_beacon=s.last_beacon,
                last_beacon_at=s.last_beacon_at,
                clock_skew_seconds=clock_skew(s.last_beacon, s.last_beacon_at),
                arrivals=arrivals.get(s.station_id),
            )
            for s in session.scalars(select(Station).order_by(Station.station_id))
        ]
    return FleetStatus(
        stations=stations,
        pending=states.get("pending", 0),
        processed=states.get("processed", 0),
        quarantined=states.get("quarantined", 0),
        conflicts=conflicts,
    )


class QuarantineEntry(BaseModel):
    """One envelope set aside, with its reason: never its content (sealed or opened)."""

    station_id: str
    country: str
    envelope_id: str
    seq: int
    where: str  # "intake" (a conflict refused at intake) or "processor"
    reason: str
    detail: str
    at: datetime | None
    # The intake quarantine's row (one envelope id may conflict in several versions).
    quarantine_id: int | None = None


def quarantine_entries(session_factory: sessionmaker[Session]) -> list[QuarantineEntry]:
    """Intake conflicts and the processor's quarantine, newest first; only the columns
    that say why, so no answer can leak into a listing."""
    with session_factory() as session:
        intake = session.execute(
            select(
                QuarantinedEnvelope.station_id, Station.country, QuarantinedEnvelope.envelope_id,
                QuarantinedEnvelope.seq, QuarantinedEnvelope.reason, QuarantinedEnvelope.detail,
                QuarantinedEnvelope.quarantined_at, QuarantinedEnvelope.id,
            ).join(Station, Station.station_id == QuarantinedEnvelope.station_id)
        ).all()  # fmt: skip
        processor = session.execute(
            select(
                InboxEnvelope.station_id, Station.country, InboxEnvelope.envelope_id,
                InboxEnvelope.seq, InboxEnvelope.problem_code, InboxEnvelope.problem_detail,
                InboxEnvelope.claimed_at,
            )
            .join(Station, Station.station_id == InboxEnvelope.station_id)
            .where(InboxEnvelope.state == "quarantined")
        ).all()  # fmt: skip
    entries = [
        QuarantineEntry(
            station_id=row[0],
            country=row[1],
            envelope_id=row[2],
            seq=row[3],
            where=where,
            reason=row[4] or "",
            detail=row[5] or "",
            at=row[6],
            quarantine_id=row[7] if where == "intake" else None,
        )  # fmt: skip
        for where, rows in (("intake", intake), ("processor", processor))
        for row in rows
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(entries, key=lambda entry: entry.at or oldest, reverse=True)
