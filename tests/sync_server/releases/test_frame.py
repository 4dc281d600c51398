"""Reading the store into the anonymiser's frame (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select, update

from sync_server.processor.run import answers_document
from sync_server.releases.frame import read_frame, read_responses
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.waves import wave_bounds, wave_of
from sync_server.store.models import ResponseRecord
from tests.sync_server.releases.simulated import simulate


def test_the_frame_has_one_row_per_response_with_typed_answers(session_factory, clock):
    simulation = simulate(session_factory, clock)
    sl = simulation.add("SL", 12)
    gh = simulation.add("GH", 8, region="Ashanti")
    simulation.add("GH", 3, days=(date(2024, 5, 1), date(2024, 6, 1)))  # another wave
    responses = read_responses(session_factory, "cips-officials", None)
    assert responses.wave == "2026"
    assert responses.countries() == ["GH", "SL"]
    store = read_frame(session_factory, responses)
    frame = store.frame.set_index("response_id")
    assert sorted(frame.index) == sorted(sl + gh)
    assert list(store.frame["response_id"]) == sorted(sl + gh)  # a stable order
    assert str(frame["lead_example"].dtype) == "Int64"
    assert set(frame["consent"]) == {1}
    assert pd.api.types.is_datetime64_any_dtype(frame["completed_on"])
    # The spec's own `region` question replaces the station's region text.
    assert "Ashanti" not in set(frame["region"].astype(str))
    assert str(frame["region"].dtype) == "Int64"
    with session_factory() as session:
        documents = dict(
            session.execute(select(ResponseRecord.response_id, ResponseRecord.answers)).all()
        )
    answers = {
        key: json.loads(document) for key, document in documents.items() if key in frame.index
    }
    stages = {
        key: value["payment_stage"] for key, value in answers.items() if "payment_stage" in value
    }
    texts = {key: value["comment"] for key, value in answers.items() if "comment" in value}
    assert stages and texts
    for response_id, codes in stages.items():
        assert frame.at[response_id, "payment_stage"] == ";".join(str(code) for code in codes)
    for response_id, text in texts.items():
        assert frame.at[response_id, "comment"] == text
    assert pd.api.types.is_string_dtype(frame["payment_stage"])  # "1;3", not lists
    unanswered = frame["payment_stage"].isna()
    assert unanswered.any()
    # Another wave is its own frame.
    older = read_responses(session_factory, "cips-officials", "2024")
    assert older.count == 3 and older.fingerprint != responses.fingerprint


def test_answers_that_do_not_fit_the_newest_spec_are_missing(session_factory, clock):
    """A document with an answer of another type (an older version's code, say) is decoded
    one by one: the same frame, with that one answer missing; a response stored after the
    responses were read is left out."""
    simulation = simulate(session_factory, clock)
    ids = simulation.add("SL", 10)
    responses = read_responses(session_factory, "cips-officials", "2026")
    fast = read_frame(session_factory, responses).frame.set_index("response_id")
    with session_factory.begin() as session:
        answers = json.loads(session.get(ResponseRecord, ids[0]).answers)
        answers["lead_example"] = str(answers["lead_example"])  # text where a code belongs
        answers["retired_question"] = 3  # asked by no version we know
        session.execute(
            update(ResponseRecord)
            .where(ResponseRecord.response_id == ids[0])
            .values(answers=answers_document(answers))
        )
    late = simulation.add("SL", 2)
    slow = read_frame(session_factory, responses).frame.set_index("response_id")
    assert not set(late) & set(slow.index) and len(slow) == 10
    assert pd.isna(slow.at[ids[0], "lead_example"])
    assert "retired_question" not in slow.columns
    fast.loc[ids[0], "lead_example"] = pd.NA
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_the_fingerprint_changes_when_a_response_arrives(session_factory, clock):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 6)
    before = read_responses(session_factory, "cips-officials", "2026").fingerprint
    assert read_responses(session_factory, "cips-officials", "2026").fingerprint == before
    simulation.add("SL", 1)
    assert read_responses(session_factory, "cips-officials", "2026").fingerprint != before


def test_an_unknown_spec_or_an_empty_store_is_refused(session_factory, clock):
    with pytest.raises(ReleaseRefused) as refused:
        read_responses(session_factory, "cips-officials", None)
    assert refused.value.code == "unknown-spec"
    simulate(session_factory, clock)
    with pytest.raises(ReleaseRefused) as refused:
        read_responses(session_factory, "cips-officials", None)
    assert refused.value.code == "no-responses"


def test_a_wave_is_the_calendar_year_of_completion():
    assert wave_of(date(2026, 12, 31)) == "2026"
    assert wave_of(date(2027, 1, 1)) == "2027"
    assert wave_bounds("2026") == (date(2026, 1, 1), date(2027, 1, 1))
    for bad in ("26", "2026-01", "year", "0000"):
        with pytest.raises(ReleaseRefused):
            wave_bounds(bad)
