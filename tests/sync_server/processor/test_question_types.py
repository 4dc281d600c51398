"""A date, a range, a ranking and a calculation from the sealed response to the release frame
(SQLite and PostgreSQL): the processor works the calculation out again, keeps a ranking's
order and refuses a short one, the frame coarsens the date."""

from __future__ import annotations

import json

from sqlalchemy import select

from crypto import StationKey, generate_survey_key
from protocol.response import response_plaintext
from questionnaire_specs import canonical_json, load_spec
from sync_server.ingest import accept_batch, register_spec
from sync_server.ingest.specs import register_survey_key
from sync_server.processor import process_inbox
from sync_server.releases.frame import read_frame, read_responses
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.questionnaire_specs.documents import FIXTURES
from tests.sync_server.builders import World

SPEC = load_spec(FIXTURES / "every_type.yaml")


def _enrolled(session_factory, clock):
    """The spec and an SL survey key registered, and one station enrolled: the key, its chain."""
    survey_key = generate_survey_key()
    identity = register_spec(session_factory, canonical_json(SPEC), clock=clock)
    register_survey_key(session_factory, "SL", survey_key.public_key().to_text(), clock=clock)
    world = World(session_factory, clock, identity, survey_key.public_key().to_text())
    return survey_key, world.enrol(StationKey.generate())


def test_a_calculation_is_worked_out_by_the_processor_and_a_date_released_by_month(
    session_factory, clock
):
    survey_key, chain = _enrolled(session_factory, clock)
    envelopes = []
    for trust, joined in ((8, "1998-04-30"), (2, "2011-12-01")):
        payload = {
            "v": 1, "spec": chain.spec.model_dump(), "language": "en", "population": "officials",
            "country": "SL", "region": "Western Area", "completed_on": "2026-11-29",
            "duration_s": 400, "complete": True,
            # what a station with a forged calculation would send: it never travels
            "answers": {"post": 1, "joined": joined, "trust": trust, "trust_doubled": "99"},
        }  # fmt: skip
        envelopes.append(chain.sealed(response_plaintext(SPEC, payload), survey_key.public_key()))
    accept_batch(
        session_factory, chain.signed_bytes(chain.batch(envelopes)), via="http", clock=clock
    )
    report = process_inbox(session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (2, 0)
    with session_factory() as session:
        stored = [json.loads(a) for a in session.scalars(select(ResponseRecord.answers)).all()]
    assert sorted(a["trust_doubled"] for a in stored) == ["16", "4"]
    assert sorted(a["joined"] for a in stored) == ["1998-04-30", "2011-12-01"]

    frame = read_frame(session_factory, read_responses(session_factory, "every-type", None)).frame
    assert sorted(frame["joined"]) == ["1998-04", "2011-12"]  # the spec's date precision
    # Stored as text, as XLSForm keeps it; released as the whole number it is.
    assert sorted(frame["trust_doubled"]) == [4, 16]
    assert frame["trust_doubled"].dtype == "Int64"
    assert sorted(frame["trust"]) == [2, 8]


def test_a_ranking_is_stored_in_its_order_and_a_short_one_quarantined(session_factory, clock):
    """The codec carries any ordered subset of the options; the rule book refuses one that
    leaves an option unranked, and the reason names the question, never the ranking."""
    survey_key, chain = _enrolled(session_factory, clock)
    envelopes = []
    for ranking in ([2, 3, 1], [2, 3]):
        payload = {
            "v": 1, "spec": chain.spec.model_dump(), "language": "en", "population": "officials",
            "country": "SL", "region": "Western Area", "completed_on": "2026-11-29",
            "duration_s": 400, "complete": True, "answers": {"post": 1, "priorities": ranking},
        }  # fmt: skip
        envelopes.append(chain.sealed(response_plaintext(SPEC, payload), survey_key.public_key()))
    accept_batch(
        session_factory, chain.signed_bytes(chain.batch(envelopes)), via="http", clock=clock
    )
    report = process_inbox(session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined, report.reasons) == (1, 1, {"invalid-answers": 1})
    with session_factory() as session:
        stored = [json.loads(a) for a in session.scalars(select(ResponseRecord.answers)).all()]
        (detail,) = session.scalars(
            select(InboxEnvelope.problem_detail).where(InboxEnvelope.state == "quarantined")
        ).all()
    assert [a["priorities"] for a in stored] == [[2, 3, 1]]
    assert "priorities" in detail and "[2, 3]" not in detail
