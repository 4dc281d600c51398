"""Claim inbox envelopes in chunks, open and load them, commit per chunk.

On PostgreSQL several processors can run at once: each claims its chunk with
SELECT … FOR UPDATE SKIP LOCKED, so no envelope is worked on twice. On SQLite the engine's
BEGIN IMMEDIATE makes one processor write at a time. A crash loses at most the chunk in
flight, which is simply claimed again: the unique key on responses (station_id, envelope_id)
makes loading idempotent.

An envelope opens only under the station that sent it (see opening.EnvelopeAddress); the
same sealed bytes under two stations are a replay, and the copies are looked up once per
chunk.

The opening itself (loading.load_envelope) needs no database: `opener` maps it over a
chunk, in this process by default or in opener processes (openers.py) while this one stays
the single writer.

A processor holds some of the ring's survey keys (HeldKeys): it claims only envelopes sealed
to one of them, and leaves the others pending for a processor that holds theirs. An
envelope naming a key the server never made is quarantined as `unknown-survey-key`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPrivateKey, SurveyPublicKey
from sync_server.processor.loading import (
    ClaimedEnvelope,
    Loaded,
    SetAside,
    answers_document,
    load_envelope,
)
from sync_server.processor.opening import StationFacts
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

__all__ = [
    "HeldKeys",
    "Opener",
    "ProcessReport",
    "answers_document",
    "pending_count",
    "process_inbox",
]

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]  # (done in this run, pending when the run started)
# (chunk, spec bodies by (id, version)) -> one outcome per envelope, in order
Opener = Callable[[Sequence[ClaimedEnvelope], dict[tuple[str, str], str]], list[Loaded | SetAside]]


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

    def add(self, other: ProcessReport) -> None:
        self.processed += other.processed
        self.quarantined += other.quarantined
        self.dates_replaced += other.dates_replaced
        for code, count in other.reasons.items():
            self.reasons[code] = self.reasons.get(code, 0) + count
        self.left_for_keys = other.left_for_keys or self.left_for_keys  # the same count


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


_inbox = InboxEnvelope.__table__
_CLAIMED = (
    _inbox.c.station_id,
    _inbox.c.envelope_id,
    _inbox.c.envelope_v,
    _inbox.c.spec_id,
    _inbox.c.spec_version,
    _inbox.c.spec_sha256,
    _inbox.c.sealed,
    _inbox.c.received_at,
    _inbox.c.key_id,
)


_other = _inbox.alias("other")
# Whether another station holds the same envelope id: answered by the claim itself (the
# envelope-id index, per row), so only such ids are looked at again (_Copies).
_SHARED = (
    select(_other.c.envelope_id)
    .where(_other.c.envelope_id == _inbox.c.envelope_id, _other.c.station_id != _inbox.c.station_id)
    .exists()
    .label("shared")
)


def _claim(session: Session, limit: int, held: HeldKeys) -> list[Any]:
    """Lock the next pending rows (Core rows: the ORM's identity map and per-row UPDATEs
    cost more than opening them); each row's last column says whether its id is shared."""
    return list(
        session.execute(
            select(*_CLAIMED, _SHARED)
            .where(_inbox.c.state == "pending", held.claimable())
            .order_by(_inbox.c.received_at, _inbox.c.envelope_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def _insert_many(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Bulk insert in the session's transaction, each value converted by its column type's
    own bind processor (UtcDateTime's rule and the dialect's date form stay in the types).
    On PostgreSQL, COPY: psycopg runs an executemany as one statement per row, which made
    inserting rows the slowest part of processing. On SQLite, the driver's executemany of
    one prepared INSERT: Core's executemany spent more on each row's parameters than SQLite
    on the row."""
    if not rows:
        return
    connection = session.connection()
    bound = _Binding.of(table, tuple(rows[0]), connection.dialect)
    values = [bound.row(row) for row in rows]
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(bound.insert_sql, values)
        return
    statement = f"COPY {table.name} ({', '.join(bound.columns)}) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(statement) as copy:
        for value in values:
            copy.write_row(value)


@dataclass(frozen=True)
class _Binding:
    """How rows with some of a table's columns go to the driver: those columns in the table's
    order (the INSERT's), the INSERT, and the bind processors of the column types that have
    one (the others pass their values as they are)."""

    columns: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    insert_sql: str

    @staticmethod
    @cache
    def of(table: Table, given: tuple[str, ...], dialect: Dialect) -> _Binding:
        """Worked out once per table, set of columns and engine."""
        columns = tuple(column.name for column in table.c if column.name in given)
        if len(columns) != len(given):
            raise KeyError(f"not columns of {table.name}: {sorted(set(given) - set(columns))}")
        processors = []
        for index, name in enumerate(columns):
            processor = _bind_processor(table.c[name], dialect)
            if processor is not _as_is:
                processors.append((index, processor))
        # Rendered by SQLAlchemy, positional in the driver's own style.
        sql = str(insert(table).compile(dialect=dialect, column_keys=list(columns)))
        return _Binding(columns, tuple(processors), sql)

    def row(self, row: dict[str, object]) -> tuple[object, ...]:
        values = [row[name] for name in self.columns]
        for index, processor in self.processors:
            values[index] = processor(values[index])
        return tuple(values)


def _mark(
    session: Session,
    processed: list[tuple[str, str]],
    quarantined: list[dict[str, object]],
    worker_id: str,
    now: datetime,
) -> None:
    """The chunk's new states: the processed rows in one statement, the few set aside with
    their reasons in one executemany."""
    claimed = {"claimed_by": worker_id, "claimed_at": now}
    connection = session.connection()
    if processed and connection.dialect.name == "sqlite":
        # The driver's executemany of one prepared UPDATE, each row found by its primary key:
        # an IN list of the chunk's 500 keys cost SQLAlchemy more (1,500 parameters rendered
        # per chunk) than SQLite the rows.
        stamp = _bind_processor(_inbox.c.claimed_at, connection.dialect)(now)
        connection.exec_driver_sql(
            _mark_processed_sql(connection.dialect),
            [(worker_id, stamp, station_id, envelope_id) for station_id, envelope_id in processed],
        )
    elif processed:
        # PostgreSQL: one UPDATE joined to the chunk's keys sent as two arrays; an IN list
        # of 500 row values cost SQLAlchemy and psycopg 1,500 parameters per chunk.
        stations, envelope_ids = (list(column) for column in zip(*processed, strict=True))
        connection.exec_driver_sql(
            _MARK_PROCESSED_POSTGRES,
            {"by": worker_id, "at": _bind_processor(_inbox.c.claimed_at, connection.dialect)(now),
             "s": stations, "e": envelope_ids},
        )  # fmt: skip
    if quarantined:
        session.execute(
            update(_inbox)
            .where(_inbox.c.station_id == bindparam("s"), _inbox.c.envelope_id == bindparam("e"))
            .values(
                state="quarantined",
                problem_code=bindparam("code"),
                problem_detail=bindparam("reason"),
                **claimed,
            ),
            quarantined,
        )


# The ANY on envelope ids lets the planner take their index once the inbox is large (a
# plain join to the arrays hashed the whole inbox: a cost that grows with it).
_MARK_PROCESSED_POSTGRES = (
    "UPDATE inbox SET state = 'processed', claimed_by = %(by)s, claimed_at = %(at)s"
    " FROM unnest(%(s)s::varchar[], %(e)s::varchar[]) AS chunk(station_id, envelope_id)"
    " WHERE inbox.station_id = chunk.station_id AND inbox.envelope_id = chunk.envelope_id"
    " AND inbox.envelope_id = ANY(%(e)s::varchar[])"
)


@cache
def _mark_processed_sql(dialect: Dialect) -> str:
    """UPDATE inbox SET state 'processed', claimed_by, claimed_at WHERE its key, rendered by
    SQLAlchemy for a positional driver; parameters (claimed_by, claimed_at, station, id)."""
    statement = (
        update(_inbox)
        .where(_inbox.c.station_id == bindparam("s"), _inbox.c.envelope_id == bindparam("e"))
        .values(state=literal_column("'processed'"), claimed_by=bindparam("by"),
                claimed_at=bindparam("at"))
    )  # fmt: skip
    compiled = statement.compile(dialect=dialect)
    assert compiled.positiontup == ["by", "at", "s", "e"], compiled.positiontup
    return str(compiled)


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's own conversion of a value for the driver (the identity if none)."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor or _as_is


def _as_is(value: Any) -> Any:
    return value


class _Lookups:
    """Stations and spec bodies, read once per chunk rather than once per envelope."""

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
    of identical sealed bytes elsewhere, including those this chunk has just processed.

    Most ids exist under one station only: their rows are found without reading any sealed
    bytes, and only ids that another station also holds are compared by digest."""

    def __init__(self, session: Session, rows: Iterable[Any]) -> None:
        shared = sorted({row.envelope_id for row in rows if row.shared})
        self._shared = frozenset(shared)
        self._copies: dict[str, list[tuple[str, str, str]]] = {}
        if shared:
            for station_id, envelope_id, sealed, state in session.execute(
                select(_inbox.c.station_id, _inbox.c.envelope_id, _inbox.c.sealed, _inbox.c.state)
                .where(_inbox.c.envelope_id.in_(shared))
            ):  # fmt: skip
                self._copies.setdefault(envelope_id, []).append(
                    (station_id, _digest(sealed), state)
                )
        self._processed_here: set[tuple[str, str]] = set()

    def elsewhere(self, row: Any) -> frozenset[str]:
        if row.envelope_id not in self._shared:
            return frozenset()  # no other station holds this id, so no copy of it either
        digest = _digest(row.sealed)
        states = {
            state
            for station_id, other, state in self._copies.get(row.envelope_id, ())
            if station_id != row.station_id and other == digest
        }
        if (row.envelope_id, digest) in self._processed_here:
            states.add("processed")
        return frozenset(states)

    def processed(self, row: Any) -> None:
        if row.envelope_id in self._shared:
            self._processed_here.add((row.envelope_id, _digest(row.sealed)))


def _digest(sealed: bytes) -> str:
    return hashlib.sha256(sealed).hexdigest()


def open_here(held: HeldKeys) -> Opener:
    """The opener that works in this process."""

    def opener(
        chunk: Sequence[ClaimedEnvelope], bodies: dict[tuple[str, str], str]
    ) -> list[Loaded | SetAside]:
        return [open_claimed(e, bodies, held) for e in chunk]

    return opener


def open_claimed(
    envelope: ClaimedEnvelope, bodies: dict[tuple[str, str], str], held: HeldKeys
) -> Loaded | SetAside:
    """One claimed envelope, opened with the key it names."""
    body = bodies[(envelope.spec_id, envelope.spec_version)]
    return load_envelope(envelope, body, held.key_for(envelope.key_id))


def process_inbox(
    session_factory: sessionmaker[Session],
    held: HeldKeys | SurveyPrivateKey,
    *,
    clock: Clock,
    worker_id: str = "processor",
    chunk_size: int = 200,
    progress: Progress | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    opener: Opener | None = None,
) -> ProcessReport:
    """Process every pending inbox envelope sealed to a key held here (`held`; a lone
    private key is taken as the first key); returns what happened in this run."""
    if isinstance(held, SurveyPrivateKey):
        held = HeldKeys.only(held)
    opener = opener or open_here(held)
    report = ProcessReport()
    unknown = _quarantine_unknown_keys(session_factory, held)
    if unknown:
        report.quarantined += unknown
        report.reasons[UNKNOWN_KEY] = unknown
    total = pending_count(session_factory, held)
    while True:
        with session_factory() as session, session.begin():
            now = clock()
            rows = _claim(session, chunk_size, held)
            if not rows:
                break
            _process_chunk(session, rows, opener, report, worker_id, now, new_id)
        if progress is not None:
            progress(report.processed + report.quarantined - unknown, total)
    with session_factory() as session:
        left = pending_by_key(session, held.first_key_id)
    report.left_for_keys = {k: n for k, n in sorted(left.items()) if k not in held.keys}
    return report


def _process_chunk(
    session: Session,
    rows: list[Any],
    opener: Opener,
    report: ProcessReport,
    worker_id: str,
    now: datetime,
    new_id: Callable[[], str],
) -> None:
    lookups = _Lookups(session)
    copies = _Copies(session, rows)
    # In order, so a v1 envelope's second copy in one chunk sees the first as processed.
    # That needs the first one's outcome: a chunk is opened in runs that hold no envelope id
    # twice (in the field: never, so one run).
    outcomes: list[Loaded | SetAside] = []
    start = 0
    while start < len(rows):
        end, seen = start, set()
        while end < len(rows) and rows[end].envelope_id not in seen:
            seen.add(rows[end].envelope_id)
            end += 1
        run = [
            ClaimedEnvelope(
                *row[: len(_CLAIMED)],
                station=lookups.station(row.station_id),
                copies_elsewhere=copies.elsewhere(row),
            )
            for row in rows[start:end]
        ]
        bodies = {(e.spec_id, e.spec_version): lookups.spec_body(e.spec_id, e.spec_version)
                  for e in run}  # fmt: skip
        for row, outcome in zip(rows[start:end], opener(run, bodies), strict=True):
            if isinstance(outcome, Loaded):
                copies.processed(row)
            outcomes.append(outcome)
        start = end
    responses: list[dict[str, object]] = []
    processed: list[tuple[str, str]] = []
    quarantined: list[dict[str, object]] = []
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, SetAside):
            quarantined.append(
                {"s": row.station_id, "e": row.envelope_id,
                 "code": outcome.code, "reason": outcome.reason}
            )  # fmt: skip
            report.quarantined += 1
            report.reasons[outcome.code] = report.reasons.get(outcome.code, 0) + 1
            continue
        responses.append({"response_id": new_id(), **outcome.columns, "processed_at": now})
        processed.append((row.station_id, row.envelope_id))
        report.processed += 1
        report.dates_replaced += int(outcome.date_replaced)
    _insert_many(session, ResponseRecord.__table__, responses)
    _mark(session, processed, quarantined, worker_id, now)
