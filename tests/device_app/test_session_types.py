"""The session and the scripted respondent with every question type: a ranking kept in its
order, a date, a range on its steps, and a calculation that gets no screen yet counts for
what follows."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from device_app.scripted_respondent import valid_answer
from device_app.session import AnswerError, SurveySession
from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec
from tests.questionnaire_specs.documents import FIXTURES

SPEC = load_spec(FIXTURES / "every_type.yaml")


def clock() -> datetime:
    return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def walk(answers: dict[str, Any]) -> tuple[list[str], SurveySession]:
    """Answer what is shown from `answers`; the ids of the screens shown, in order."""
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    shown = []
    while (question := session.current) is not None:
        shown.append(question.id)
        if question.id in answers:
            session.answer(answers[question.id])
        session.next()
    return shown, session


def _at(question_id: str, language: str) -> SurveySession:
    """A session at `question_id`, having answered only `post` (1) on the way."""
    session = SurveySession(SPEC, language, "officials", clock=clock)
    while session.current is not None and session.current.id != question_id:
        if session.current.id == "post":
            session.answer(1)
        session.next()
    return session


@pytest.mark.parametrize(("trust", "thanked"), [(8, True), (6, False)])
def test_a_calculation_is_never_shown_but_decides_what_follows(trust: int, thanked: bool) -> None:
    shown, session = walk({"post": 1, "joined": "1998-04-30", "trust": trust})
    assert "trust_doubled" not in shown
    assert ("high_trust" in shown) is thanked
    finished = session.finish()
    assert finished.answers == {
        "post": 1, "joined": "1998-04-30", "trust": trust, "trust_doubled": str(2 * trust)
    }  # fmt: skip
    assert rules.check_response(SPEC, "officials", finished.answers, complete=True) == []
    # the progress counts what the respondent enters, not the calculation
    # post, tasks, priorities, fair, years, joined, trust, comment
    assert session.progress.total == 8


def test_a_date_and_a_range_are_refused_in_the_respondent_s_words() -> None:
    session = _at("joined", "ar")
    with pytest.raises(AnswerError) as caught:
        session.answer("1969-12-31")
    assert caught.value.code == rules.BELOW_MINIMUM and "1970-01-01" in caught.value.message
    session.answer("1970-01-01")
    session.next()
    with pytest.raises(AnswerError) as caught:
        session.answer(5)
    assert caught.value.code == rules.NOT_ON_STEP and caught.value.message


def test_a_draft_never_holds_a_calculation() -> None:
    _shown, session = walk({"post": 2, "trust": 4})
    assert "trust_doubled" not in session.snapshot()["answers"]
    damaged = {**session.snapshot(), "answers": {"post": 2, "trust_doubled": "8"}}
    with pytest.raises(ValueError, match="trust_doubled is damaged"):
        SurveySession.restore(SPEC, damaged, clock=clock)


def test_scripted_respondents_answer_every_type_within_its_rules() -> None:
    rng = random.Random(3)
    seen: dict[str, set[Any]] = {}
    for _ in range(40):
        session = SurveySession(SPEC, "en", "officials", clock=clock)
        while (question := session.current) is not None:
            if question.is_entered:
                value = valid_answer(SPEC, question, session.answers, rng, comment_on=True)
                if value is not None:
                    session.answer(value)
                    seen.setdefault(question.id, set()).add(str(value))
            session.next()
        session.finish()
    assert seen["trust"] <= {"0", "2", "4", "6", "8", "10"} and len(seen["trust"]) > 3
    assert all("1970-01-01" <= day <= "2026-12-31" for day in seen["joined"])
    assert len(seen["joined"]) > 30  # drawn across the window, never the device's date
    assert len(seen["priorities"]) > 3  # rankings in many orders


def test_a_ranking_is_kept_in_its_order_and_refused_in_the_respondent_s_words() -> None:
    session = _at("priorities", "ar")
    with pytest.raises(AnswerError) as caught:
        session.answer([3, 1])  # Fairness left out
    assert caught.value.code == rules.UNRANKED_OPTION
    assert caught.value.message == "يرجى ترتيب الخيارات."
    with pytest.raises(AnswerError) as caught:
        session.answer([3, 3, 1])
    assert caught.value.code == rules.REPEATED_OPTION
    session.answer([3, 1, 2])  # never put back in option order, as a multiple choice is
    session.next()
    assert session.answers["priorities"] == [3, 1, 2]
    shown, walked = walk({"post": 1, "priorities": [2, 3, 1]})
    assert "priorities" in shown and walked.finish().answers["priorities"] == [2, 3, 1]
