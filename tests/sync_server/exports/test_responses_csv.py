"""`mss server export --format csv` reads the answers documents (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select

from sync_server.exports.responses_csv import export_responses_csv
from sync_server.store.models import ResponseRecord
from tests.sync_server.releases.simulated import simulate


def test_each_response_is_one_row_with_its_answers(session_factory, clock, tmp_path):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 20)
    out = tmp_path / "responses.csv"
    assert export_responses_csv(session_factory, out) == 20
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with session_factory() as session:
        documents = session.scalars(
            select(ResponseRecord.answers).order_by(ResponseRecord.response_id)
        ).all()
    assert len(rows) == len(documents) == 20
    seen = set()
    for row, document in zip(rows, documents, strict=True):  # both in response-id order
        answers = json.loads(document)
        for question in ("consent", "lead_example", "payment_stage", "comment"):
            value = answers.get(question)
            if isinstance(value, list):
                expected = ";".join(str(code) for code in value)
            else:
                expected = "" if value is None else str(value)
            assert row[question] == expected
            seen.add((question, "list" if isinstance(value, list) else type(value).__name__))
    # Codes, lists of codes, texts and unanswered questions all came through.
    assert {("payment_stage", "list"), ("comment", "str"), ("comment", "NoneType")} <= seen


def test_a_date_answer_is_cut_to_its_month_like_the_completion_date(session_factory, clock,
                                                                    tmp_path):  # fmt: skip
    import random
    from datetime import date

    from questionnaire_specs import canonical_json
    from sync_server.ingest import register_spec
    from tests.sync_server.releases.test_question_type_release import SPEC, EveryType

    register_spec(session_factory, canonical_json(SPEC), clock=clock)
    EveryType(session_factory, SPEC, random.Random(2)).add(
        "SL", 5, days=(date(2026, 3, 1), date(2026, 4, 30))
    )
    out = tmp_path / "responses.csv"
    assert export_responses_csv(session_factory, out) == 5
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(len(row["joined"]) == len("1998-04") for row in rows)
    assert {row["trust_doubled"] for row in rows} <= {"0", "4", "8", "12", "16", "20"}
