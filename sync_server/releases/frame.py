"""Read the central store into the frame the anonymiser takes: one row per response.

Two streamed queries: the responses of one spec and wave (enough to decide, hash and refuse),
then, when the treatment is not cached, their answers documents. Each response row holds its
answers as one canonical JSON object; a chunk of them is joined into newline-delimited JSON
and parsed by pyarrow in bulk against a schema derived from the spec, so no answer is decoded
one by one in Python (unless a chunk does not fit the schema: see _decoded_slowly).
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Question, QuestionType, Spec, SpecError, load_spec_body
from questionnaire_specs.question_types import kind_of
from sync_server.anonymise.dates import coarsen_dates
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
    "careless",
    "channel",
)
BASE_NAMES = frozenset(RESPONSE_COLUMNS) - {"response_id"}
CHUNK_ROWS = 200_000
ANSWER_CHUNK_ROWS = 25_000  # ~30 MB of JSON for 60 answers: one parsing task

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
        return load_spec_body(body)
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


def _wave_sql(columns: str, dialect: str) -> str:
    # No ORDER BY: on SQLite it walks the primary key index and reads rows in random order,
    # twice as slow as a scan; the rows are sorted (or placed) afterwards, in arrow.
    mark = "%s" if dialect == "postgresql" else "?"
    return (  # only our column names and the driver's placeholder go in: values are bound
        f"SELECT {columns} FROM responses "  # noqa: S608
        f"WHERE spec_id = {mark} AND completed_on >= {mark} AND completed_on < {mark}"
    )


def _wave_rows(
    session: Session, columns: str, spec_id: str, wave: str, chunk: int = CHUNK_ROWS
) -> Iterator[list[Any]]:
    """The given columns of the responses of one spec and wave, in batches of plain tuples
    straight from the driver (SQLAlchemy's rows cost more than the read at a million)."""
    connection = session.connection()
    dialect = connection.dialect.name
    first, after = wave_bounds(wave)
    bounds: tuple[Any, Any] = (first, after)
    if dialect != "postgresql":
        bounds = (first.isoformat(), after.isoformat())  # SQLite keeps dates as ISO text
    driver = connection.connection.dbapi_connection
    assert driver is not None
    # On PostgreSQL a named (server-side) cursor: streamed, not all held by the client.
    cursor = driver.cursor(name="mss_release_rows") if dialect == "postgresql" else driver.cursor()
    try:
        cursor.execute(_wave_sql(columns, dialect), (spec_id, *bounds))
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Millions of row tuples (which hold no reference cycles) would run the cyclic garbage
    collector over and over for nothing: a third of the reading time. Process-wide, but only
    for the read; a concurrent read that re-enables it early merely reads slower."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dates(values: list[Any]) -> pa.Array:
    if values and isinstance(values[0], str):  # SQLite: ISO text
        return pa.array(values, pa.string()).cast(pa.date32())
    return pa.array(values, pa.date32())


def read_responses(
    session_factory: sessionmaker[Session], spec_id: str, wave: str | None
) -> StoreResponses:
    """The responses of one spec and wave (the latest wave when None), in response-id order."""
    names = (*RESPONSE_COLUMNS, "spec_version")
    parts: list[list[Any]] = [[] for _ in names]
    with session_factory() as session:
        spec = newest_spec(session, spec_id)
        chosen = wave if wave is not None else latest_wave(session, spec_id)
        with _no_cycle_collection():
            for rows in _wave_rows(session, ", ".join(names), spec_id, chosen):
                for index, values in enumerate(zip(*rows, strict=True)):
                    parts[index].extend(values)
    if not parts[0]:
        raise ReleaseRefused(
            "no-responses", f"the store holds no response to {spec_id!r} in wave {chosen}"
        )
    arrays = dict(zip(names, parts, strict=True))
    table = pa.table(
        {
            "response_id": pa.array(arrays["response_id"], pa.string()),
            "country": pa.array(arrays["country"], pa.string()),
            "region": pa.array(arrays["region"], pa.string()),
            "population": pa.array(arrays["population"], pa.string()),
            "language": pa.array(arrays["language"], pa.string()),
            "completed_on": _dates(arrays["completed_on"]),
            "duration_s": pa.array(arrays["duration_s"], pa.int64()),
            # SQLite hands back 0 and 1
            "complete": pa.array(arrays["complete"]).cast(pa.bool_()),
            "careless": pa.array(arrays["careless"], pa.string()),
            "channel": pa.array(arrays["channel"], pa.string()),
            "spec_version": pa.array(arrays["spec_version"], pa.string()),
        }
    ).sort_by("response_id")
    versions = tuple(sorted(set(arrays["spec_version"]), key=_version_key))
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


def _json_type(spec: Spec, question: Question) -> pa.DataType:
    """The arrow type an answer to the question parses as, by its type's release kind
    (questionnaire_specs/question_types.py; a spec never mixes number and text codes in one
    question: questionnaire_specs refuses it)."""
    if question.type is QuestionType.CALCULATE:
        return pa.string()  # stored as text ("4"): released_calculations types it
    release = kind_of(question).release(question, spec)
    if release in _ARROW_TYPES:
        return _ARROW_TYPES[release]
    codes = [option.code for option in spec.options_for(question)]
    code = pa.int64() if all(type(code) is int for code in codes) else pa.string()
    return pa.list_(code) if release in ("codes", "ranks") else code


# Release kinds whose arrow type does not depend on the options; a date is its ISO text
# until the frame coarsens it (released_dates).
_ARROW_TYPES = {
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "text": pa.string(),
    "date": pa.string(),
}


def _schema(spec: Spec) -> dict[str, pa.DataType]:
    """Question id -> the type its answers parse as, for every answered question."""
    return {q.id: _json_type(spec, q) for q in spec.questions if q.is_answered}


def _column_type(parsed: pa.DataType) -> pa.DataType:
    """The type a parsed column is kept as: lists of codes become "1;3" text (a rank's in its
    order, first-ranked first)."""
    return pa.string() if pa.types.is_list(parsed) else parsed


def _parsed_chunk(
    schema: dict[str, pa.DataType], stored: Sequence[str | bytes]
) -> dict[str, pa.Array]:
    """A chunk of answers documents as one arrow array per question."""
    documents = [d if isinstance(d, bytes) else d.encode("utf-8") for d in stored]
    try:
        return _parsed_by_arrow(schema, documents)
    except pa.ArrowInvalid:
        return _decoded_slowly(schema, documents)


def _parsed_by_arrow(schema: dict[str, pa.DataType], documents: list[bytes]) -> dict[str, Any]:
    longest = max(map(len, documents), default=0)
    table = pa_json.read_json(
        pa.BufferReader(b"\n".join(documents)),
        read_options=pa_json.ReadOptions(block_size=max(1 << 20, 2 * longest + 2)),
        parse_options=pa_json.ParseOptions(
            explicit_schema=pa.schema(list(schema.items())),
            # Answers to questions the newest spec version no longer asks get a column of
            # their own, dropped below ("ignore" would drop them too, but parses 25% slower).
            unexpected_field_behavior="infer",
        ),
    )
    columns: dict[str, Any] = {}
    for name, parsed in schema.items():
        column = table[name].combine_chunks()
        if pa.types.is_list(parsed):
            column = pc.binary_join(column.cast(pa.list_(pa.string())), ";")
        columns[name] = column
    return columns


def _decoded_slowly(schema: dict[str, pa.DataType], documents: list[bytes]) -> dict[str, Any]:
    """Answers decoded one by one: for a chunk holding an answer the newest spec version
    types otherwise (an older version's code, say). Such an answer is missing in the frame,
    as a non-number always was in a numeric column."""
    loaded = [json.loads(document) for document in documents]
    columns: dict[str, Any] = {}
    for name, parsed in schema.items():
        cells = [_typed_cell(parsed, answers.get(name)) for answers in loaded]
        columns[name] = pa.array(cells, _column_type(parsed))
    return columns


def _typed_cell(parsed: pa.DataType, value: Any) -> Any:
    kind = type(value)
    if pa.types.is_integer(parsed):
        whole = int(value) if kind in (int, float) else None
        return whole if whole is not None and -(2**63) <= whole < 2**63 else None
    if pa.types.is_floating(parsed):
        return float(value) if kind in (int, float) else None
    if pa.types.is_list(parsed):
        if kind is not list:
            return None
        return ";".join(str(code) for code in value)
    return value if kind is str else None


def read_frame(
    session_factory: sessionmaker[Session],
    responses: StoreResponses,
    *,
    progress: Progress | None = None,
) -> StoreFrame:
    """The anonymiser's input frame for these responses (one query for all their answers).

    Chunks of documents are parsed on a thread per core while the next ones are fetched:
    pyarrow's own threads barely help its JSON reader, separate calls do (2x on 2 cores)."""
    spec = responses.spec
    schema = _schema(spec)
    response_ids = responses.table["response_id"].combine_chunks()
    workers = max(1, pa.cpu_count())
    parsed: deque[Future[dict[str, pa.Array]]] = deque()
    read_ids: list[pa.Array] = []
    pieces: dict[str, list[pa.Array]] = {name: [] for name in schema}

    def collect(limit: int) -> None:
        while len(parsed) > limit:
            for name, column in parsed.popleft().result().items():
                pieces[name].append(column)

    read = 0
    with (
        session_factory() as session,
        ThreadPoolExecutor(workers) as pool,
        _no_cycle_collection(),
    ):
        sqlite = session.connection().dialect.name == "sqlite"
        # On SQLite the UTF-8 bytes as stored: no decoding to str and encoding back.
        columns = "response_id, CAST(answers AS BLOB)" if sqlite else "response_id, answers"
        for rows in _wave_rows(session, columns, spec.id, responses.wave, ANSWER_CHUNK_ROWS):
            ids, documents = zip(*rows, strict=True)
            read_ids.append(pa.array(ids, pa.string()))
            parsed.append(pool.submit(_parsed_chunk, schema, documents))
            collect(2 * workers)  # a bounded number of chunks in memory
            read += len(rows)
            if progress is not None:
                progress(read, 0)
        collect(0)
    # Where each document read goes in the frame; one hash of the response ids for all.
    # A response stored after ours were read has no row there.
    places = pc.index_in(pa.chunked_array(read_ids, pa.string()), value_set=response_ids)
    columns = _question_columns(schema, pieces, places.combine_chunks(), responses.count)
    # A question named like a response column (CIPS asks `region`) is that column: the
    # respondent's own answer, coded and generalisable, replaces the station's region text.
    frame = _base_frame(responses.table).drop(columns=[c for c in columns if c in BASE_NAMES])
    frame = pd.concat([frame, pd.DataFrame(columns, index=frame.index, copy=False)], axis=1)
    released_dates(frame, spec)
    released_calculations(frame, spec)
    return StoreFrame(frame, spec, responses.wave, responses.versions, responses.fingerprint)


def released_dates(frame: pd.DataFrame, spec: Spec) -> None:
    """A date answer at the spec's date precision ("2019-03", or "2019-Q1"), in place: as
    the completion date, no exact day leaves the central store."""
    for question in spec.questions:
        if question.id in frame and kind_of(question).release(question) == "date":
            frame[question.id] = coarsen_dates(frame[question.id], spec.settings.date_precision)


def released_calculations(frame: pd.DataFrame, spec: Spec) -> None:
    """A calculation's stored text ("4", "2.5") as the number its kind says, in place
    (question_types.py: `release`); what is no finite number ("", "NaN") is missing, and so
    is a fraction in an integer column (a declared bind::type the values do not keep)."""
    for question in spec.questions:
        if question.type is not QuestionType.CALCULATE or question.id not in frame:
            continue
        release = kind_of(question).release(question, spec)
        if release not in ("integer", "decimal"):
            continue
        numbers = pd.to_numeric(frame[question.id], errors="coerce").astype("Float64")
        numbers = numbers.where(np.isfinite(numbers.fillna(0.0).to_numpy(dtype=float)))
        if release == "integer":
            whole = numbers.where(numbers.round() == numbers)
            whole = whole.where(whole.abs() < 2**53)  # exact in a float, so in an Int64
            frame[question.id] = whole.astype("Int64")
        else:
            frame[question.id] = numbers


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
            "careless": table["careless"].to_pandas().astype(object),
            "channel": table["channel"].to_pandas().astype(object),
        }
    )
    return frame


def _question_columns(
    schema: dict[str, pa.DataType], pieces: dict[str, list[pa.Array]], places: pa.Array, rows: int
) -> dict[str, Any]:
    """One pandas array per question, in the responses' order: codes and whole numbers as
    Int64, decimals as Float64, texts and "1;3" lists as objects (None when unanswered)."""
    known = places.is_valid().to_numpy(zero_copy_only=False)
    order = np.full(rows, -1, dtype=np.intp)
    order[places.drop_null().to_numpy().astype(np.intp)] = np.flatnonzero(known)
    # Rows of the frame with no document read (none, unless the store changed) stay missing.
    indices = pa.array(order, mask=order < 0)
    result: dict[str, Any] = {}
    for name, parsed in schema.items():
        kind = _column_type(parsed)
        column = pa.chunked_array(pieces[name], kind).combine_chunks().take(indices)
        if pa.types.is_integer(kind):
            missing = column.is_null().to_numpy(zero_copy_only=False)
            whole = pc.fill_null(column, 0).to_numpy(zero_copy_only=False, writable=True)
            result[name] = pd.arrays.IntegerArray(whole, missing)
        elif pa.types.is_floating(kind):
            result[name] = pd.array(column.to_numpy(zero_copy_only=False), dtype="Float64")
        else:
            result[name] = pd.array(column.to_numpy(zero_copy_only=False), dtype="object")
    return result
