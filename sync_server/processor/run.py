"""Claim inbox envelopes in chunks, open and load them, commit per chunk.

On PostgreSQL several processors can run at once: each claims its chunk with
SELECT … FOR UPDATE SKIP LOCKED, so no envelope is worked on twice. On SQLite the engine's
BEGIN IMMEDIATE makes one processor write at a time. A crash loses at most the chunk in
flight, which is simply claimed again: the unique key on responses (station_id, envelope_id)
makes loading idempotent.

An envelope opens only under the station that sent it (see opening.EnvelopeAddress); the
same sealed bytes under two stations are a replay, and the copies are looked up once per
chunk.

A processor holds some of the ring's survey keys (HeldKeys): it claims only envelopes sealed
to one of them, and leaves the others pending for a processor that holds theirs. An
envelope naming a key the server never made is quarantined as `unknown-survey-key`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Table, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPrivateKey, SurveyPublicKey
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
from sync_server.store.campaign_models import Campaign
from sync_server.store.models import (
    InboxEnvelope,
    KnownSpec,
    ResponseRecord,
    RingKey,
    Station,
    SurveyKey,
)
from sync_server.survey_keys import pending_by_key

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]  # (done in this run, pending when the run started)


@dataclass(frozen=True)
class HeldKeys:
    """The survey private keys this processor holds, by key id, and the id of the ring's
    first key (the one envelopes of before v4, which name none, were sealed to)."""

    keys: Mapping[str, SurveyPrivateKey]
    first_key_id: str

    @classmethod
    def only(cls, key: SurveyPrivateKey) -> HeldKeys:
        """A processor holding just the first key (a server of one key)."""
        key_id = key.public_key().key_id()
        return cls({key_id: key}, key_id)

    def key_for(self, key_id: str | None) -> SurveyPrivateKey:
        return self.keys[key_id or self.first_key_id]

    def claimable(self) -> ColumnElement[bool]:
        """The inbox rows sealed to a key held here."""
        named = InboxEnvelope.key_id.in_(sorted(self.keys))
        if self.first_key_id in self.keys:
            return or_(named, InboxEnvelope.key_id.is_(None))
        return named


@dataclass
class ProcessReport:
    processed: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # processed responses whose impossible tablet date was replaced by the arrival day
    dates_replaced: int = 0
    # envelopes left pending at the end because their key is not held here, per key id
    left_for_keys: dict[str, int] = field(default_factory=dict)


def pending_count(session_factory: sessionmaker[Session], held: HeldKeys | None = None) -> int:
    """Pending inbox envelopes (only those `held` can open, when given)."""
    where = InboxEnvelope.state == "pending"
    if held is not None:
        where = and_(where, held.claimable())
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEnvelope).where(where)) or 0


UNKNOWN_KEY = "unknown-survey-key"


def _quarantine_unknown_keys(session_factory: sessionmaker[Session], held: HeldKeys) -> int:
    """Set aside every pending envelope naming a key id the server does not know (not in the
    ring, not a country's or a campaign's key, not held here): no processor anywhere can
    open it, and waiting would hide it."""
    with session_factory() as session, session.begin():
        known = {*held.keys, held.first_key_id, *session.scalars(select(RingKey.key_id))}
        texts = [*session.scalars(select(SurveyKey.public_key)),
                 *session.scalars(select(Campaign.public_key))]  # fmt: skip
        known |= {SurveyPublicKey.from_text(text).key_id() for text in texts}
        result = session.execute(
            update(InboxEnvelope)
            .where(
                InboxEnvelope.state == "pending",
                InboxEnvelope.key_id.is_not(None),
                InboxEnvelope.key_id.not_in(sorted(known)),
            )
            .values(
                state="quarantined",
                problem_code=UNKNOWN_KEY,
                problem_detail="the envelope names a survey key this server does not know",
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def _claim(
    session: Session, limit: int, worker_id: str, now: datetime, held: HeldKeys
) -> list[InboxEnvelope]:
    rows = list(
        session.scalars(
            select(InboxEnvelope)
            .where(InboxEnvelope.state == "pending", held.claimable())
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
    held: HeldKeys | SurveyPrivateKey,
    *,
    clock: Clock,
    worker_id: str = "processor",
    chunk_size: int = 200,
    progress: Progress | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> ProcessReport:
    """Process every pending inbox envelope sealed to a key held here (`held`; a lone
    private key is taken as the first key); returns what happened in this run."""
    if isinstance(held, SurveyPrivateKey):
        held = HeldKeys.only(held)
    report = ProcessReport()
    unknown = _quarantine_unknown_keys(session_factory, held)
    if unknown:
        report.quarantined += unknown
        report.reasons[UNKNOWN_KEY] = unknown
    total = pending_count(session_factory, held)
    while True:
        with session_factory() as session, session.begin():
            now = clock()
            rows = _claim(session, chunk_size, worker_id, now, held)
            if not rows:
                break
            lookups = _Lookups(session)
            copies = _Copies(session, rows)
            responses: list[dict[str, object]] = []
            for row in rows:
                try:
                    spec = load_registered_spec(lookups.spec_body(row.spec_id, row.spec_version))
                    address = EnvelopeAddress(
                        row.station_id, row.envelope_id, row.envelope_v, row.key_id
                    )
                    opened = open_envelope(
                        address=address,
                        spec=spec,
                        sealed=row.sealed,
                        private_key=held.key_for(row.key_id),
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
            progress(report.processed + report.quarantined - unknown, total)
    with session_factory() as session:
        left = pending_by_key(session, held.first_key_id)
    report.left_for_keys = {k: n for k, n in sorted(left.items()) if k not in held.keys}
    return report
