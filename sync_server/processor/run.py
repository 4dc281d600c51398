"""Claim inbox envelopes in chunks, open and load them, commit per chunk.

On PostgreSQL several processors can run at once: each claims its chunk with
SELECT … FOR UPDATE SKIP LOCKED, so no envelope is worked on twice. On SQLite the engine's
BEGIN IMMEDIATE makes one processor write at a time. A crash loses at most the chunk in
flight, which is simply claimed again: the unique key on responses (station_id, envelope_id)
makes loading idempotent.

An envelope opens only under the station that sent it (see opening.EnvelopeAddress); the
same sealed bytes under two stations are a replay, and the copies are looked up once per
chunk.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPrivateKey
from protocol import canonical_json, envelope_channel
from questionnaire_specs.response_quality import careless_flags
from sync_server.processor.opening import (
    EnvelopeAddress,
    Quarantine,
    StationFacts,
    check_opened,
    judged_completion_date,
    load_registered_spec,
    open_envelope,
)
from sync_server.store.models import InboxEnvelope, KnownSpec, ResponseRecord, Station

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]  # (done in this run, pending when the run started)


@dataclass
class ProcessReport:
    processed: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # processed responses whose impossible tablet date was replaced by the arrival day
    dates_replaced: int = 0


def pending_count(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(InboxEnvelope)
                .where(InboxEnvelope.state == "pending")
            )
            or 0
        )


def _claim(session: Session, limit: int, worker_id: str, now: datetime) -> list[InboxEnvelope]:
    rows = list(
        session.scalars(
            select(InboxEnvelope)
            .where(InboxEnvelope.state == "pending")
            .order_by(InboxEnvelope.received_at, InboxEnvelope.envelope_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.claimed_by = worker_id
        row.claimed_at = now
    return rows


def answers_document(answers: Mapping[str, object]) -> str:
    """A response's answers as stored in its row: one canonical JSON object, question id ->
    value as the sealed response carries it."""
    return canonical_json(answers).decode("utf-8")


def _insert_many(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Bulk insert in the session's transaction. On PostgreSQL, COPY: psycopg runs an
    executemany as one statement per row, which made inserting rows the slowest part of
    processing. On SQLite, a Core executemany (the ORM's bulk path costs more than the
    database)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


class _Lookups:
    """Stations and spec bodies, read once per run rather than once per envelope."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.stations: dict[str, StationFacts] = {}
        self.specs: dict[tuple[str, str], str] = {}

    def station(self, station_id: str) -> StationFacts:
        if station_id not in self.stations:
            station = self.session.get(Station, station_id)
            assert station is not None  # inbox rows reference an enrolled station
            self.stations[station_id] = StationFacts(station.country, tuple(station.populations))
        return self.stations[station_id]

    def spec_body(self, spec_id: str, version: str) -> str:
        if (spec_id, version) not in self.specs:
            spec = self.session.get(KnownSpec, (spec_id, version))
            assert spec is not None  # intake refuses envelopes for unknown specs
            self.specs[(spec_id, version)] = spec.body
        return self.specs[(spec_id, version)]


class _Copies:
    """The same envelope ids under other stations, for the chunk being processed: the states
    of identical sealed bytes elsewhere, including those this run has just processed."""

    def __init__(self, session: Session, rows: Iterable[InboxEnvelope]) -> None:
        ids = sorted({row.envelope_id for row in rows})
        self._copies: dict[str, list[tuple[str, bytes, str]]] = {}
        for station_id, envelope_id, sealed, state in session.execute(
            select(
                InboxEnvelope.station_id,
                InboxEnvelope.envelope_id,
                InboxEnvelope.sealed,
                InboxEnvelope.state,
            ).where(InboxEnvelope.envelope_id.in_(ids))
        ):
            self._copies.setdefault(envelope_id, []).append((station_id, _digest(sealed), state))
        self._processed_here: set[tuple[str, str]] = set()

    def elsewhere(self, row: InboxEnvelope) -> frozenset[str]:
        digest = _digest(row.sealed)
        states = {
            state
            for station_id, other, state in self._copies.get(row.envelope_id, ())
            if station_id != row.station_id and other == digest
        }
        if (row.envelope_id, digest) in self._processed_here:
            states.add("processed")
        return frozenset(states)

    def processed(self, row: InboxEnvelope) -> None:
        self._processed_here.add((row.envelope_id, _digest(row.sealed)))


def _digest(sealed: bytes) -> str:
    return hashlib.sha256(sealed).hexdigest()


def process_inbox(
    session_factory: sessionmaker[Session],
    private_key: SurveyPrivateKey,
    *,
    clock: Clock,
    worker_id: str = "processor",
    chunk_size: int = 200,
    progress: Progress | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> ProcessReport:
    """Process every pending inbox envelope; returns what happened in this run."""
    report = ProcessReport()
    total = pending_count(session_factory)
    while True:
        with session_factory() as session, session.begin():
            now = clock()
            rows = _claim(session, chunk_size, worker_id, now)
            if not rows:
                break
            lookups = _Lookups(session)
            copies = _Copies(session, rows)
            responses: list[dict[str, object]] = []
            for row in rows:
                try:
                    spec = load_registered_spec(lookups.spec_body(row.spec_id, row.spec_version))
                    opened = open_envelope(
                        address=EnvelopeAddress(row.station_id, row.envelope_id, row.envelope_v),
                        spec=spec,
                        sealed=row.sealed,
                        private_key=private_key,
                        copies_elsewhere=copies.elsewhere(row),
                    )
                    check_opened(opened, spec, lookups.station(row.station_id))
                except Quarantine as outcome:
                    row.state = "quarantined"
                    row.problem_code = outcome.code
                    row.problem_detail = outcome.reason
                    report.quarantined += 1
                    report.reasons[outcome.code] = report.reasons.get(outcome.code, 0) + 1
                    continue
                response_id = new_id()
                completed_on, source = judged_completion_date(
                    opened.completed_date, row.received_at
                )
                report.dates_replaced += int(source == "received")
                responses.append(
                    {
                        "response_id": response_id,
                        "station_id": row.station_id,
                        "envelope_id": row.envelope_id,
                        "spec_id": row.spec_id,
                        "spec_version": row.spec_version,
                        "spec_sha256": row.spec_sha256,
                        "country": opened.country,
                        "region": opened.region,
                        "population": opened.population,
                        "language": opened.language,
                        "completed_on": completed_on,
                        "completed_on_source": source,
                        "channel": envelope_channel(row.envelope_v),
                        "duration_s": opened.duration_s,
                        "complete": opened.complete,
                        "careless": careless_flags(
                            spec, opened.population, opened.answers, opened.duration_s
                        ),
                        "processed_at": now,
                        "answers": answers_document(opened.answers),
                    }
                )
                row.state = "processed"
                copies.processed(row)
                report.processed += 1
            _insert_many(session, ResponseRecord.__table__, responses)
        if progress is not None:
            progress(report.processed + report.quarantined, total)
    return report
