"""Read the central store into the frame the anonymiser takes: one row per response.

Two queries, both streamed: the responses of one spec and wave, then their answers. Answers
are pivoted in bulk (pyarrow hashing to find each answer's row and column, one numpy scatter
for every numeric answer); only lists and texts are decoded one by one. A response and its
answers are committed together, and responses are read first, so every response read has all
its answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Question, QuestionType, Spec, SpecError
from questionnaire_specs.models import SPEC_ID_PATTERN
from sync_server.processor.opening import spec_from_body
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.waves import wave_bounds, wave_of
from sync_server.store.models import KnownSpec, ResponseRecord

# Columns of the responses table that go into the frame (the ids stay behind, except
# response_id, which the anonymiser drops).
RESPONSE_COLUMNS = (
    "response_id",
    "country",
    "region",
    "population",
    "language",
    "completed_on",
    "duration_s",
    "complete",
)
BASE_NAMES = frozenset(RESPONSE_COLUMNS) - {"response_id"}
CHUNK_ROWS = 200_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StoreFrame:
    frame: pd.DataFrame  # one row per response, in response-id order
    spec: Spec  # the newest registered version: labels and questions come from it
    wave: str
    versions: tuple[str, ...]  # the spec versions the responses answered
    fingerprint: str  # sha256 of what was read: changes whenever a response arrives


@dataclass(frozen=True)
class StoreResponses:
    """The responses of a release (without answers): enough to decide, hash and refuse."""

    spec: Spec
    wave: str
    table: pa.Table
    versions: tuple[str, ...]
    fingerprint: str

    @property
    def count(self) -> int:
        return self.table.num_rows

    def countries(self) -> list[str]:
        return sorted(pc.unique(self.table["country"]).to_pylist())


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def newest_spec(session: Session, spec_id: str) -> Spec:
    """The newest registered version of a spec; ReleaseRefused unknown-spec otherwise."""
    rows = session.execute(
        select(KnownSpec.version, KnownSpec.body).where(KnownSpec.spec_id == spec_id)
    ).all()
    if not rows:
        known = ", ".join(sorted(set(session.scalars(select(KnownSpec.spec_id))))) or "none"
        raise ReleaseRefused("unknown-spec", f"no spec {spec_id!r} is registered (known: {known})")
    _version, body = max(rows, key=lambda row: _version_key(row[0]))
    try:
        return spec_from_body(body)
    except SpecError as error:
        raise ReleaseRefused("unknown-spec", f"spec {spec_id!r} does not load: {error}") from None


def latest_wave(session: Session, spec_id: str) -> str:
    last = session.scalar(
        select(func.max(ResponseRecord.completed_on)).where(ResponseRecord.spec_id == spec_id)
    )
    if last is None:
        raise ReleaseRefused("no-responses", f"the store holds no response to {spec_id!r}")
    if isinstance(last, str):  # SQLite hands back text for an aggregate of dates
        last = date.fromisoformat(last)
    return wave_of(last)


def _wave_filter(stmt: Select[Any], spec_id: str, wave: str) -> Select[Any]:
    first, after = wave_bounds(wave)
    return stmt.where(
        ResponseRecord.spec_id == spec_id,
        ResponseRecord.completed_on >= first,
        ResponseRecord.completed_on < after,
    )


def _partitions(connection: Connection, stmt: Select[Any]) -> Iterator[Sequence[Any]]:
    result = connection.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(stmt)
    yield from result.partitions()


def read_responses(
    session_factory: sessionmaker[Session], spec_id: str, wave: str | None
) -> StoreResponses:
    """The responses of one spec and wave (the latest wave when None), in response-id order."""
    with session_factory() as session:
        spec = newest_spec(session, spec_id)
        chosen = wave if wave is not None else latest_wave(session, spec_id)
        columns = [getattr(ResponseRecord, name) for name in RESPONSE_COLUMNS]
        stmt = _wave_filter(
            select(*columns, ResponseRecord.spec_version), spec_id, chosen
        ).order_by(ResponseRecord.response_id)
        parts: list[list[Any]] = [[] for _ in range(len(RESPONSE_COLUMNS) + 1)]
        for rows in _partitions(session.connection(), stmt):
            for index, values in enumerate(zip(*rows, strict=True)):
                parts[index].extend(values)
    arrays = {name: parts[index] for index, name in enumerate(RESPONSE_COLUMNS)}
    table = pa.table(
        {
            "response_id": pa.array(arrays["response_id"], pa.string()),
            "country": pa.array(arrays["country"], pa.string()),
            "region": pa.array(arrays["region"], pa.string()),
            "population": pa.array(arrays["population"], pa.string()),
            "language": pa.array(arrays["language"], pa.string()),
            "completed_on": pa.array(arrays["completed_on"], pa.date32()),
            "duration_s": pa.array(arrays["duration_s"], pa.int64()),
            "complete": pa.array(arrays["complete"], pa.bool_()),
            "spec_version": pa.array(parts[-1], pa.string()),
        }
    )
    if not parts[0]:
        raise ReleaseRefused(
            "no-responses", f"the store holds no response to {spec_id!r} in wave {chosen}"
        )
    versions = tuple(sorted(set(parts[-1]), key=_version_key))
    return StoreResponses(spec, chosen, table, versions, _fingerprint(spec_id, chosen, table))


def _fingerprint(spec_id: str, wave: str, table: pa.Table) -> str:
    """What identifies the input: answers never change once their response is stored, so
    the sorted response ids and their spec versions stand for the whole data."""
    digest = hashlib.sha256(f"{spec_id}\x1f{wave}\x1f".encode())
    for name in ("response_id", "spec_version"):
        column = table[name].combine_chunks()
        for buffer in column.buffers():
            if buffer is not None:
                digest.update(memoryview(buffer))
    return digest.hexdigest()


def _answer_batches(session: Session, responses: StoreResponses) -> Iterator[list[Any]]:
    """The answers of these responses, in batches of plain tuples straight from the driver
    (SQLAlchemy's rows cost more than the read itself at tens of millions of answers).
    A value_json is only fetched where there is no number (lists and texts)."""
    connection = session.connection()
    columns = (
        "a.response_id, a.question_id, a.value_number, "
        "CASE WHEN a.value_number IS NULL THEN a.value_json END"
    )
    total = connection.scalar(select(func.count()).select_from(ResponseRecord))
    if total == responses.count:
        # Every stored response is in the release: skip the filter (it costs a lookup per
        # answer on SQLite); foreign answers would be dropped by the pivot anyway.
        sql = f"SELECT {columns} FROM answers a"  # noqa: S608 - no value in it
    else:
        first, after = wave_bounds(responses.wave)
        if not re.fullmatch(SPEC_ID_PATTERN, responses.spec.id):
            raise ValueError(f"unexpected spec id {responses.spec.id!r}")
        # Inlined values: the spec id matched the spec id pattern when its spec loaded, and
        # the bounds are dates made here; no text from a caller reaches the SQL.
        sql = (
            f"SELECT {columns} FROM answers a JOIN responses r "  # noqa: S608
            f"ON r.response_id = a.response_id WHERE r.spec_id = '{responses.spec.id}' "
            f"AND r.completed_on >= '{first.isoformat()}' "
            f"AND r.completed_on < '{after.isoformat()}'"
        )
    driver = connection.connection.dbapi_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="mss_release_answers")  # server-side: streamed
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield rows
    finally:
        cursor.close()


def _answered(spec: Spec) -> list[Question]:
    return [question for question in spec.questions if question.is_answered]


def _is_numeric(spec: Spec, question: Question) -> bool:
    """Whether every answer to the question is a plain number (value_number holds it)."""
    if question.type is QuestionType.NUMBER:
        return True
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.LIKERT):
        return all(type(option.code) is int for option in spec.options_for(question))
    return False


def read_frame(
    session_factory: sessionmaker[Session],
    responses: StoreResponses,
    *,
    progress: Progress | None = None,
) -> StoreFrame:
    """The anonymiser's input frame for these responses (one query for all their answers)."""
    spec = responses.spec
    questions = _answered(spec)
    question_ids = pa.array([q.id for q in questions], pa.string())
    response_ids = responses.table["response_id"].combine_chunks()
    rows_total = responses.count
    numbers = np.full((rows_total, len(questions)), np.nan)
    others: list[tuple[np.ndarray, np.ndarray, list[str]]] = []
    read = 0
    with session_factory() as session:
        for rows in _answer_batches(session, responses):
            rid, qid, number, text = zip(*rows, strict=True)
            row_at = pc.index_in(pa.array(rid, pa.string()), value_set=response_ids)
            column_at = pc.index_in(pa.array(qid, pa.string()), value_set=question_ids)
            # Unknown rows (another spec or wave, or a response stored after ours were read)
            # or questions (not in the newest version) have no place in the frame.
            keep = pc.and_(pc.is_valid(row_at), pc.is_valid(column_at))
            value = pa.array(number, pa.float64())
            numeric = pc.and_(keep, pc.is_valid(value)).to_numpy(zero_copy_only=False)
            row_np = row_at.to_numpy(zero_copy_only=False)
            column_np = column_at.to_numpy(zero_copy_only=False)
            value_np = value.to_numpy(zero_copy_only=False)
            numbers[row_np[numeric].astype(np.intp), column_np[numeric].astype(np.intp)] = value_np[
                numeric
            ]
            rest = np.flatnonzero(pc.and_(keep, pc.is_null(value)).to_numpy(zero_copy_only=False))
            if len(rest):
                others.append(
                    (
                        row_np[rest].astype(np.intp),
                        column_np[rest].astype(np.intp),
                        [text[i] for i in rest],
                    )
                )
            read += len(rows)
            if progress is not None:
                progress(read, 0)
    columns = _question_columns(spec, questions, numbers, others)
    # A question named like a response column (CIPS asks `region`) is that column: the
    # respondent's own answer, coded and generalisable, replaces the station's region text.
    frame = _base_frame(responses.table).drop(columns=[c for c in columns if c in BASE_NAMES])
    frame = pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)
    return StoreFrame(frame, spec, responses.wave, responses.versions, responses.fingerprint)


def _base_frame(table: pa.Table) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "response_id": table["response_id"].to_pandas(),
            "country": table["country"].to_pandas(),
            "region": table["region"].to_pandas(),
            "population": table["population"].to_pandas(),
            "language": table["language"].to_pandas(),
            "completed_on": pd.to_datetime(table["completed_on"].to_pandas()),
            "duration_s": table["duration_s"].to_pandas().astype("Int64"),
            "complete": table["complete"].to_pandas().astype("boolean"),
        }
    )
    return frame


def _question_columns(
    spec: Spec,
    questions: list[Question],
    numbers: np.ndarray,
    others: list[tuple[np.ndarray, np.ndarray, list[str]]],
) -> dict[str, Any]:
    decoded: dict[int, dict[int, Any]] = {}
    for rows, columns, texts in others:
        for row, column, text in zip(rows, columns, texts, strict=True):
            decoded.setdefault(int(column), {})[int(row)] = json.loads(text)
    result: dict[str, Any] = {}
    for index, question in enumerate(questions):
        column = numbers[:, index]
        if _is_numeric(spec, question):
            missing = np.isnan(column)
            if question.type is QuestionType.NUMBER and not question.integer:
                result[question.id] = pd.array(column, dtype="Float64")
            else:
                whole = np.where(missing, 0, column).astype(np.int64)
                result[question.id] = pd.arrays.IntegerArray(whole, missing)
            continue
        values = np.full(len(column), None, dtype=object)
        for row, value in decoded.get(index, {}).items():
            values[row] = _cell(question, value)
        result[question.id] = pd.array(values, dtype="object")
    return result


def _cell(question: Question, value: Any) -> Any:
    """A decoded non-numeric answer as the frame holds it: a multi_choice list as "1;3"."""
    if question.type is QuestionType.MULTI_CHOICE and isinstance(value, list):
        return ";".join(str(code) for code in value)
    return value
