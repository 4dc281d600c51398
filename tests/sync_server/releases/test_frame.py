"""Reading the store into the anonymiser's frame (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sync_server.releases import ReleaseRefused, wave_of
from sync_server.releases.frame import read_frame, read_responses
from sync_server.releases.waves import wave_bounds
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
        from sqlalchemy import select

        from sync_server.store.models import AnswerRecord

        stored = dict(
            session.execute(
                select(AnswerRecord.response_id, AnswerRecord.value_json).where(
                    AnswerRecord.question_id == "payment_stage"
                )
            ).all()
        )
        texts = dict(
            session.execute(
                select(AnswerRecord.response_id, AnswerRecord.value_json).where(
                    AnswerRecord.question_id == "comment"
                )
            ).all()
        )
    stored = {key: value for key, value in stored.items() if key in frame.index}
    texts = {key: value for key, value in texts.items() if key in frame.index}
    assert stored and texts
    for response_id, value_json in stored.items():
        codes = value_json.strip("[]").split(",")
        assert frame.at[response_id, "payment_stage"] == ";".join(codes)
    for response_id, value_json in texts.items():
        assert f'"{frame.at[response_id, "comment"]}"' == value_json
    unanswered = frame["payment_stage"].isna()
    assert unanswered.any()
    # Another wave is its own frame.
    older = read_responses(session_factory, "cips-officials", "2024")
    assert older.count == 3 and older.fingerprint != responses.fingerprint


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
