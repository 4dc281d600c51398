"""The session's wording: labels, hints and constraint messages show earlier answers
(piping), and jr:choice-name() reads the option labels in the respondent's language, on the
station and in the rule book the processor uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from device_app.session import AnswerError, SurveySession
from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec
from tests.questionnaire_specs.documents import FIXTURES

SPEC = load_spec(FIXTURES / "piping.yaml")


def clock() -> datetime:
    return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def to(session: SurveySession, question_id: str, answers: dict[str, object]) -> None:
    while session.current is not None and session.current.id != question_id:
        if session.current.id in answers:
            session.answer(answers[session.current.id])
        session.next()


@pytest.mark.parametrize(
    ("language", "years", "summary", "hint", "message"),
    [
        (
            "en",
            "Years at A border post",
            "You work at A border post, for 12 years.",
            "Recorded as A border post.",
            "At most 20 characters about A border post.",
        ),
        (
            "fr",
            "Années à Un poste frontière",
            "Vous travaillez à Un poste frontière, depuis 12 ans.",
            "Noté : Un poste frontière.",
            "Au plus 20 caractères sur Un poste frontière.",
        ),
    ],
)
def test_texts_show_earlier_answers_in_the_respondent_s_language(
    language: str, years: str, summary: str, hint: str, message: str
) -> None:
    session = SurveySession(SPEC, language, "officials", clock=clock)
    assert session.label(session.current) == SPEC.text(SPEC.question("post").label, language)
    session.answer(1)
    session.next()
    assert session.label(session.current) == years
    session.answer(12)
    session.next()
    assert session.current.id == "summary"
    assert session.label(session.current) == summary
    session.next()
    assert session.hint(session.current) == hint
    with pytest.raises(AnswerError) as refused:
        session.answer("x" * 21)
    assert refused.value.message == message
    session.answer("fine")
    session.next()
    finished = session.finish()
    # jr:choice-name() named the option in the respondent's language.
    assert finished.answers["post_name"] == SPEC.text(SPEC.options_for("post")[0].label, language)


def test_a_label_follows_a_changed_answer_and_a_peek_shows_what_next_would() -> None:
    session = SurveySession(SPEC, "en", "officials", clock=clock)
    session.answer(1)
    nxt = session.peek_next(2)
    assert nxt is not None and nxt.id == "years"
    assert session.label(nxt, 2) == "Years at Headquarters"
    assert session.label(nxt) == "Years at A border post"  # the answer held
    session.next()
    assert session.label(session.current) == "Years at A border post"
    session.back()
    session.answer(2)
    session.next()
    assert session.label(session.current) == "Years at Headquarters"
    # An unanswered question shows nothing, and the hint of a question without one is "".
    session.next()
    assert session.label(session.current) == "You work at Headquarters, for  years."
    assert session.hint(session.current) == ""


def test_the_processor_s_rules_work_choice_names_out_in_the_response_s_language() -> None:
    answers = {"post": 2, "years": 3, "comment": "ok"}
    french = rules.with_calculations(SPEC, "officials", answers, language="fr")
    assert french["post_name"] == "Le siège"
    assert rules.with_calculations(SPEC, "officials", answers)["post_name"] == "Headquarters"
    assert rules.check_response(SPEC, "officials", french, complete=True, language="fr") == []
    # The French value checked as an English response is not what its calculation gives.
    problems = rules.check_response(SPEC, "officials", french, complete=True)
    assert [(p.question_id, p.code) for p in problems] == [("post_name", rules.NOT_AS_CALCULATED)]


CASCADING = load_spec(FIXTURES / "cascading.yaml")


def test_the_session_offers_what_the_choice_filter_keeps_and_refuses_the_rest() -> None:
    session = SurveySession(CASCADING, "en", "officials", clock=clock)
    session.answer(2)
    assert [o.code for o in session.options(session.peek_next())] == [21]
    assert [o.code for o in session.options(session.peek_next(), 1)] == [11, 12]  # ahead
    session.next()
    assert [o.code for o in session.options()] == [21]
    with pytest.raises(AnswerError) as refused:
        session.answer(11)
    assert refused.value.code == rules.FILTERED_OUT
    assert refused.value.message == "Please choose one of the options shown."
    session.answer(21)
    session.next()
    # Back to the region: the post held (21) is no longer offered, and next() says so.
    session.back()
    session.back()
    session.answer(1)
    session.next()
    assert session.current.id == "post" and session.current_answer == 21
    with pytest.raises(AnswerError) as refused:
        session.next()
    assert refused.value.code == rules.FILTERED_OUT
