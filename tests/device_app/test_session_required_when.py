"""The session with conditionally required questions (issue 14): Next refuses an empty
answer only when the question's required_when holds over the answers before it, and the
finished response passes the processor's rule book."""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random

import pytest

from device_app.scripted_respondent import valid_answer
from device_app.session import AnswerError, SurveySession
from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec
from tests.questionnaire_specs.documents import FIXTURES

SPEC = load_spec(FIXTURES / "required_when.yaml")


def clock() -> datetime:
    return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _at(session: SurveySession, question_id: str) -> None:
    assert session.current is not None and session.current.id == question_id


def test_next_takes_an_empty_answer_when_the_condition_does_not_hold() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(2)  # headquarters: years is optional
    session.next()
    _at(session, "years")
    session.answer(None)
    session.next()
    _at(session, "comment")  # offered is not asked at headquarters
    session.next()
    finished = session.finish()
    assert finished.answers == {"post": 2}
    assert rules.check_response(SPEC, "officials", finished.answers, complete=True) == []


def test_next_refuses_an_empty_answer_when_the_condition_holds() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(1)  # a border post: years is required
    session.next()
    _at(session, "years")
    with pytest.raises(AnswerError) as caught:
        session.next()
    assert caught.value.code == rules.REQUIRED and caught.value.question_id == "years"
    with pytest.raises(AnswerError) as caught:
        session.answer(None)  # clearing it is refused alike
    assert caught.value.code == rules.REQUIRED
    _at(session, "years")
    session.answer(5)
    session.next()
    _at(session, "offered")  # 5 years: offered is optional
    session.next()
    _at(session, "comment")


def test_a_changed_earlier_answer_changes_whether_it_is_required() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(1)
    session.next()
    session.answer(30)  # more than 20 years: offered is required
    session.next()
    _at(session, "offered")
    with pytest.raises(AnswerError) as caught:
        session.next()
    assert caught.value.question_id == "offered" and caught.value.code == rules.REQUIRED
    session.back()
    session.answer(3)
    session.next()
    _at(session, "offered")
    session.next()  # 3 years: no longer required
    session.next()
    assert rules.check_response(SPEC, "officials", session.finish().answers, complete=True) == []


def test_scripted_respondents_answer_what_their_answers_make_required() -> None:
    # what run_session does, through the real session: it never stops at a required_when
    finished = []
    for seed in range(40):
        rng = Random(seed)
        session = SurveySession(SPEC, "en", "officials", clock=clock)
        while (question := session.current) is not None:
            value = valid_answer(SPEC, question, session.answers, rng, comment_on=True)
            if value is not None:
                session.answer(value)
            session.next()
        finished.append(session.finish().answers)
    for answers in finished:
        assert rules.check_response(SPEC, "officials", answers, complete=True) == []
    assert any(answers.get("years", 0) > 20 and "offered" in answers for answers in finished)


def test_is_required_says_what_the_screen_marks_before_the_respondent_answers() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    post, years, offered, comment = SPEC.questions
    assert session.is_required() is True  # post: required: true
    assert session.is_required(years) is False  # no post yet: ${post} = 1 does not hold
    session.answer(1)
    assert session.is_required(years) is True
    session.next()
    # offered, as it would be after either answer to years (what a screen built ahead shows)
    assert session.is_required(offered, answer=30) is True
    assert session.is_required(offered, answer=3) is False
    assert session.is_required(offered) is False  # years not answered yet
    assert session.is_required(comment) is False
