"""The session with defaults and read_only questions (issue 14): a default starts the widget
and is an answer only when its question was shown; a read_only question shows its value,
takes none, and its value is what the processor works out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from device_app.session import AnswerError, SurveySession
from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec
from tests.questionnaire_specs.documents import FIXTURES

SPEC = load_spec(FIXTURES / "defaults.yaml")


def clock() -> datetime:
    return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def test_defaults_start_each_widget_and_are_the_answers_left() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    seen = {}
    while (question := session.current) is not None:
        seen[question.id] = session.current_answer
        if question.id == "tasks":
            session.answer([2])  # changed
        if question.id == "comment":
            session.answer(None)  # cleared: no answer
        session.next()
    assert seen == {
        "post": 2, "tasks": [1, 2], "joined": "2000-01-01", "comment": "Nothing",
        "office": None, "tasks_count": None,
    }  # fmt: skip
    finished = session.finish()
    # `years` is asked only at a border post: never shown, its default is no answer.
    assert finished.answers == {
        "post": 2, "tasks": [2], "joined": "2000-01-01", "office": 2, "tasks_count": "1"
    }  # fmt: skip
    worked = rules.with_calculations(SPEC, "officials", finished.answers)
    assert worked == finished.answers  # what the processor works out is what was shown
    assert rules.check_response(SPEC, "officials", worked, complete=True) == []


def test_a_default_shown_once_stays_as_the_respondent_left_it() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(1)  # a border post: `years` becomes relevant
    session.next()
    session.next()  # tasks
    assert session.current.id == "years" and session.current_answer == 10
    session.answer(None)
    session.next()
    session.back()
    assert session.current_answer is None  # cleared, not started again
    restored = SurveySession.restore(SPEC, session.snapshot(), clock=clock)
    assert restored.current.id == "years" and restored.current_answer is None


def test_a_read_only_question_shows_its_value_and_takes_none() -> None:
    session = SurveySession(SPEC, "ar", "officials", clock=clock)
    while session.current.id != "office":
        session.next()
    assert session.shown_value() == "الجنوب"  # its default's label, in the session language
    with pytest.raises(AnswerError):
        session.answer(1)
    session.next()
    assert session.current.id == "tasks_count" and session.shown_value() == "2"
    assert session.progress.total == 4  # post, tasks, joined, comment: what is entered


def test_a_draft_from_before_defaults_counts_its_history_as_seen() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(None)
    session.next()
    snapshot = session.snapshot()
    del snapshot["seeded"]
    restored = SurveySession.restore(SPEC, snapshot, clock=clock)
    assert restored.current.id == "tasks" and restored.current_answer == [1, 2]
    restored.back()
    assert restored.current_answer is None


def test_a_screen_built_ahead_starts_with_the_default_it_will_show() -> None:
    from device_app.kiosk.survey import SurveyFlow

    flow = SurveyFlow(SurveySession(SPEC, "en", "officials", clock=clock))
    ahead = flow.preview()
    assert ahead is not None and ahead.question.id == "tasks" and ahead.answer == [1, 2]
    flow.advance()
    assert flow.view().answer == ahead.answer  # the screen built ahead is the one shown
    flow.answer(None)
    flow.advance()
    flow.retreat()
    assert flow.view().answer is None  # cleared stays cleared
