"""The processor against a real store (SQLite and PostgreSQL): open, check, load, quarantine."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from crypto import generate_survey_key, seal
from miniatures.station_chain import StationChain
from protocol import CATALOGUE, Envelope, seal_info_of
from protocol.response import response_plaintext
from questionnaire_specs import load_spec
from sync_server.ingest import accept_batch
from sync_server.processor import process_inbox
from sync_server.processor.run import answers_document
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.sync_server.builders import World

SPEC_PATH = Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "example.yaml"
GOOD_ANSWERS = {"consent": 1, "age": 2, "lead_example": 4, "offered_payment": 2, "years": 12}


def response(answers: dict, identity, **changes) -> dict:
    return {
        "v": 1,
        "answers": answers,
        "spec": identity.model_dump(),
        "language": "fr",
        "population": "officials",
        "country": "SL",
        "region": "Western Area",
        "completed_on": "2026-11-29",
        "duration_s": 412,
        "complete": True,
        **changes,
    }


SPEC = load_spec(SPEC_PATH)


def sealed_envelope(
    chain: StationChain, payload: dict, public_key, *, plaintext: bytes | None = None
) -> Envelope:
    return chain.sealed(plaintext or response_plaintext(SPEC, payload), public_key)


def deliver(world: World, chain: StationChain, envelopes: list[Envelope]) -> None:
    data = chain.signed_bytes(chain.batch(envelopes))
    accept_batch(world.session_factory, data, via="http", clock=world.clock)


def counts(session_factory) -> tuple[int, int, dict[str, int]]:
    with session_factory() as session:
        responses = session.scalar(select(func.count()).select_from(ResponseRecord))
        documents = session.scalars(select(ResponseRecord.answers)).all()
        answers = sum(len(json.loads(document)) for document in documents)
        states = dict(
            session.execute(
                select(InboxEnvelope.state, func.count()).group_by(InboxEnvelope.state)
            ).all()
        )
    return responses, answers, states


def ids(seed: int):
    rng = random.Random(seed)
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def test_processing_loads_each_envelope_once(setup, survey_key, clock):
    world, chain = setup
    public = survey_key.public_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
                           for _ in range(5)])  # fmt: skip
    report = process_inbox(world.session_factory, survey_key, clock=clock, new_id=ids(1))
    assert (report.processed, report.quarantined) == (5, 0)
    assert counts(world.session_factory) == (5, 25, {"processed": 5})
    again = process_inbox(world.session_factory, survey_key, clock=clock, new_id=ids(2))
    assert (again.processed, again.quarantined) == (0, 0)
    assert counts(world.session_factory)[:2] == (5, 25)
    with world.session_factory() as session:
        stored = session.scalars(select(ResponseRecord)).first()
        assert (stored.country, stored.language, stored.duration_s) == ("SL", "fr", 412)
        assert stored.completed_on.isoformat() == "2026-11-29"
        # One canonical JSON object per response, exactly as the sealed response carried it.
        assert stored.answers == answers_document(GOOD_ANSWERS)
        assert json.loads(stored.answers)["years"] == 12


def test_the_bulk_written_rows_read_back_through_the_column_types(setup, survey_key, clock):
    """The response rows and the inbox marks bypass the ORM's per-row path but not its
    column types: dates, times and flags read back as written, and a query binding the same
    instant through the type finds them (SQLite stores text: the same text form)."""
    world, chain = setup
    public = survey_key.public_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)])
    stamp = clock()
    report = process_inbox(world.session_factory, survey_key, clock=lambda: stamp,
                           worker_id="worker-7")  # fmt: skip
    assert report.processed == 1
    with world.session_factory() as session:
        stored = session.scalars(
            select(ResponseRecord).where(ResponseRecord.processed_at == stamp)
        ).one()
        assert stored.processed_at == stamp and stored.processed_at.tzinfo is not None
        assert (stored.completed_on.isoformat(), stored.complete) == ("2026-11-29", True)
        assert stored.complete is True and stored.careless is None
        inbox = session.scalars(
            select(InboxEnvelope).where(InboxEnvelope.claimed_at == stamp)
        ).one()
        assert (inbox.state, inbox.claimed_by, inbox.claimed_at) == ("processed", "worker-7", stamp)
        assert inbox.problem_code is None


def test_a_text_answer_is_stored_exactly(setup, survey_key, clock):
    """Tabs, backslashes, quotes and newlines survive the bulk insert (COPY on PostgreSQL)."""
    world, chain = setup
    answers = {**GOOD_ANSWERS, "comment": 'tab\there, back\\slash, "quoted"\nnext line, élan'}
    payload = response(answers, chain.spec)
    deliver(world, chain, [sealed_envelope(chain, payload, survey_key.public_key())])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (1, 0)
    with world.session_factory() as session:
        stored = session.scalars(select(ResponseRecord.answers)).one()
    assert stored == answers_document(answers)
    assert json.loads(stored)["comment"] == answers["comment"]


def test_the_answers_document_is_canonical():
    document = answers_document({"years": 12, "stages": [1, 3], "comment": "élan\nnext"})
    assert document == '{"comment":"élan\\nnext","stages":[1,3],"years":12}'
    assert "\n" not in document  # one line per response: releases parse them as JSON lines


def test_a_crash_mid_run_resumes_without_duplicates(setup, survey_key, clock):
    world, chain = setup
    public = survey_key.public_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
                           for _ in range(7)])  # fmt: skip

    def crash_after_first_chunk(done: int, total: int) -> None:
        raise KeyboardInterrupt  # the process dies after committing one chunk

    with pytest.raises(KeyboardInterrupt):
        process_inbox(
            world.session_factory, survey_key, clock=clock, chunk_size=3,
            progress=crash_after_first_chunk,
        )  # fmt: skip
    assert counts(world.session_factory)[0] == 3
    report = process_inbox(world.session_factory, survey_key, clock=clock, chunk_size=3)
    assert report.processed == 4
    assert counts(world.session_factory) == (7, 35, {"processed": 7})


@pytest.mark.parametrize(
    ("payload_change", "code"),
    [
        # what the codec can carry but the rules refuse
        (
            {"answers": {**GOOD_ANSWERS, "offered_payment": 1, "stages": [1, 2, 3]}},
            "invalid-answers",
        ),  # count-selected(.) <= 2
        ({"answers": {**GOOD_ANSWERS, "stages": [1]}}, "invalid-answers"),  # not relevant
        ({"answers": {"age": 2}}, "invalid-answers"),  # consent is required
        ({"country": "NP"}, "country-mismatch"),
        # what the codec can carry but a column cannot hold: once a traceback that stopped
        # the run (PostgreSQL INTEGER, SQLite's 64 bits, PostgreSQL text and NUL)
        ({"duration_s": 2**31}, "value-out-of-range"),
        ({"duration_s": 2**63}, "value-out-of-range"),
        ({"region": "Western\x00Area"}, "nul-in-text"),
        ({"answers": {**GOOD_ANSWERS, "comment": "fine\x00then"}}, "nul-in-text"),
    ],
)
def test_bad_content_is_quarantined_with_its_reason(setup, survey_key, clock, payload_change, code):
    world, chain = setup
    public = survey_key.public_key()
    good = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
    bad = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec) | payload_change, public)
    after = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
    deliver(world, chain, [good, bad, after])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined, report.reasons) == (2, 1, {code: 1})
    with world.session_factory() as session:
        row = session.get(InboxEnvelope, (chain.station_id, bad.envelope_id))
        assert (row.state, row.problem_code) == ("quarantined", code)
        assert row.problem_detail
        # the reason names rules and questions, never an answer
        assert "Western Area" not in row.problem_detail


def test_a_quarantine_reason_quotes_no_answer(setup, survey_key, clock):
    """Answers that break their rules are named by question and rule, never quoted."""
    world, chain = setup
    answers = {**GOOD_ANSWERS, "years": 4567, "comment": "Zebra-7731 " * 100}
    bad = sealed_envelope(chain, response(answers, chain.spec), survey_key.public_key())
    deliver(world, chain, [bad])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"invalid-answers": 1}
    with world.session_factory() as session:
        detail = session.get(InboxEnvelope, (chain.station_id, bad.envelope_id)).problem_detail
    assert "years" in detail and "comment" in detail  # it does say what is wrong
    assert "4567" not in detail and "Zebra" not in detail


def test_bytes_that_are_no_response_are_quarantined(setup, survey_key, clock):
    world, chain = setup
    deliver(world, chain, [
        sealed_envelope(chain, {}, survey_key.public_key(), plaintext=b"\x01\x01garbage"),
    ])  # fmt: skip
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"malformed-response": 1}


def test_an_envelope_naming_a_key_the_server_never_made_is_quarantined(setup, survey_key, clock):
    world, chain = setup
    stranger = generate_survey_key().public_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), stranger)])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"unknown-survey-key": 1}
    assert report.left_for_keys == {}
    assert counts(world.session_factory)[:2] == (0, 0)
    assert "unknown-survey-key" in CATALOGUE


def test_an_envelope_sealed_to_another_key_under_a_held_key_id_is_quarantined(
    setup, survey_key, clock
):
    """The label says the held key; the bytes were sealed to another: it cannot open."""
    world, chain = setup
    stranger = generate_survey_key().public_key()
    held_id = survey_key.public_key().key_id()
    envelope_id = chain.new_id()
    info = seal_info_of(chain.envelope_v, envelope_id, chain.spec, chain.station_id, held_id)
    payload = response_plaintext(SPEC, response(GOOD_ANSWERS, chain.spec))
    sealed = seal(payload, stranger, info=info)
    deliver(world, chain, [chain.append(sealed, envelope_id, held_id)])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"cannot-open": 1}
    assert counts(world.session_factory)[:2] == (0, 0)


def test_the_sealed_context_binds_the_key_id(setup, survey_key, clock):
    """Sealed to the held key under a context naming another key id, then relabelled with
    the held key's id: the label is checked by the seal, so it does not open."""
    world, chain = setup
    held_id = survey_key.public_key().key_id()
    envelope_id = chain.new_id()
    info = seal_info_of(
        chain.envelope_v, envelope_id, chain.spec, chain.station_id, "bbbbbbbbbbbbbbbb"
    )
    payload = response_plaintext(SPEC, response(GOOD_ANSWERS, chain.spec))
    sealed = seal(payload, survey_key.public_key(), info=info)
    deliver(world, chain, [chain.append(sealed, envelope_id, held_id)])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"cannot-open": 1}


def test_sealed_context_binds_the_envelope_id(setup, survey_key, clock):
    """Sealed bytes moved into another envelope (a replay under a new id) do not open."""
    world, chain = setup
    public = survey_key.public_key()
    original = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
    moved = Envelope(
        v=1, envelope_id=chain.new_id(), seq=original.seq, prev=original.prev,
        spec=original.spec, sealed=original.sealed,
    )  # fmt: skip
    deliver(world, chain, [moved])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"cannot-open": 1}


def test_inbox_holds_no_readable_answer(setup, survey_key, clock):
    world, chain = setup
    words = {**GOOD_ANSWERS}
    deliver(
        world, chain, [sealed_envelope(chain, response(words, chain.spec), survey_key.public_key())]
    )
    with world.session_factory() as session:
        sealed = session.scalars(select(InboxEnvelope.sealed)).one()
    for needle in (b"Western Area", b"consent", b"lead_example", b"2026-11-29"):
        assert needle not in sealed


@pytest.mark.parametrize(
    ("claimed", "kept", "source"),
    [
        ("1970-01-01", "2026-11-29", "received"),  # a flat clock battery
        ("1999-12-31", "2026-11-29", "received"),
        ("2300-01-01", "2026-11-29", "received"),  # once quarantined as malformed
        ("2026-11-28", "2026-11-28", "station"),
    ],
)
def test_an_impossible_tablet_date_is_kept_and_dated_on_arrival(
    setup, survey_key, clock, claimed, kept, source
):
    world, chain = setup
    envelope = sealed_envelope(
        chain, response(GOOD_ANSWERS, chain.spec, completed_on=claimed), survey_key.public_key()
    )
    deliver(world, chain, [envelope])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (1, 0)
    assert report.dates_replaced == (1 if source == "received" else 0)
    with world.session_factory() as session:
        stored = session.scalars(select(ResponseRecord)).one()
        assert (stored.completed_on.isoformat(), stored.completed_on_source) == (kept, source)


def test_careless_responses_are_flagged_not_refused(setup, survey_key, clock):
    """A response answered faster than anyone reads is kept, and flagged for the report."""
    world, chain = setup
    public = survey_key.public_key()
    read = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
    rushed = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec, duration_s=6), public)
    deliver(world, chain, [read, rushed])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (2, 0)
    with world.session_factory() as session:
        rows = session.execute(select(ResponseRecord.duration_s, ResponseRecord.careless)).all()
        flags = {duration: careless for duration, careless in rows}
    assert flags == {412: None, 6: "speeder"}  # 5 answers in 6 s


def test_no_statement_of_a_run_reads_the_whole_inbox_on_sqlite(setup, survey_key, clock):
    # A statement that scans the inbox costs more with every envelope stored: processing
    # grew faster than the inbox (bench/growth.py) while the chunk's UPDATE did.
    world, chain = setup
    engine = world.session_factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plans read here are SQLite's")
    public = survey_key.public_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
                           for _ in range(3)])  # fmt: skip
    statements = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany):
        if "inbox" in statement:  # an executemany's plan is read with its first row
            statements.append((statement, parameters[0] if executemany else parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        report = process_inbox(world.session_factory, survey_key, clock=clock, new_id=ids(3))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert report.processed == 3
    updates = [s for s, _ in statements if s.lstrip().upper().startswith("UPDATE INBOX")]
    assert updates  # the chunk's states were written, and their plans are read below
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            steps = [row[3] for row in plan]
            assert not any(step.startswith("SCAN inbox") for step in steps), (statement, steps)
