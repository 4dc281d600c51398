"""The survey session: walking, validation, translated messages, finish, abandon, drafts."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device_app.errors import SessionNotFinished, UnknownLanguage, UnknownPopulation
from device_app.messages import ANSWER_MESSAGES as MESSAGES
from device_app.session import (
    AnswerError,
    FinishedResponse,
    SessionClosed,
    SurveySession,
)
from questionnaire_specs import Question, QuestionType, Spec, check_spec_document, load_spec
from questionnaire_specs import answers as rules
from tests.questionnaire_specs.documents import BASE, FIXTURES, text

EXAMPLE = load_spec(FIXTURES / "example.yaml")
FLAT = load_spec(FIXTURES / "flat.yaml")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 23, 58, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def walk_to(session: SurveySession, question_id: str) -> None:
    while session.current is not None and session.current.id != question_id:
        assert session.next()
    assert session.current is not None


def test_declining_consent_skips_the_main_section(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "fr", "officials", clock=clock)
    assert session.current.id == "anonymity" and session.current.type is QuestionType.NOTE
    assert session.next()
    assert session.current.id == "consent"
    session.answer(2)
    clock.advance(95.9)
    assert session.next() is False and session.at_end
    finished = session.finish()
    assert finished == FinishedResponse(
        answers={"consent": 2},
        spec=EXAMPLE.identity,
        language="fr",
        population="officials",
        completed_on=date(2026, 11, 30),  # the clock passed midnight
        duration_s=95,
        complete=True,
    )


def test_full_walk_with_skip_logic(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    shown = []
    plan = {"consent": 1, "age": 2, "lead_example": 4, "offered_payment": 2, "years": 12}
    while session.current is not None:
        shown.append(session.current.id)
        if session.current.id in plan:
            session.answer(plan[session.current.id])
        session.next()
    assert shown == ["anonymity", "consent", "age", "lead_example", "offered_payment", "years",
                     "comment"]  # fmt: skip
    assert session.finish().answers == plan


def test_required_message_in_the_session_language(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "fr", "officials", clock=clock)
    session.next()
    with pytest.raises(AnswerError) as caught:
        session.next()
    assert caught.value.code == rules.REQUIRED and caught.value.question_id == "consent"
    assert caught.value.message == "Une réponse est nécessaire pour continuer."
    with pytest.raises(AnswerError, match="nécessaire"):
        session.answer(None)
    session.set_language("ar")
    with pytest.raises(AnswerError) as caught:
        session.next()
    assert caught.value.message == "يلزم تقديم إجابة للمتابعة."
    assert session.current.id == "consent"


@pytest.mark.parametrize(
    ("question_id", "value", "code", "message"),
    [
        ("age", 7, rules.NOT_AN_OPTION, "Veuillez choisir l'une des options."),
        ("age", "1", rules.NOT_AN_OPTION, "Veuillez choisir l'une des options."),
        ("age", True, rules.NOT_AN_OPTION, "Veuillez choisir l'une des options."),
        ("lead_example", 6, rules.NOT_AN_OPTION, "Veuillez choisir l'une des options."),
        ("stages", [1, 9], rules.EXCLUSIVE_OPTION, "Cette option ne peut pas être combinée"),
        ("stages", [1, 1], rules.REPEATED_OPTION, "Veuillez choisir l'une des options."),
        ("stages", 1, rules.NOT_A_LIST, "Veuillez choisir l'une des options."),
        ("stages", [1, 2, 3], rules.CONSTRAINT, "Choisissez-en deux au plus."),
        ("years", 46, rules.ABOVE_MAXIMUM, "La plus grande réponse acceptée est 45."),
        ("years", -1, rules.BELOW_MINIMUM, "La plus petite réponse acceptée est 0."),
        ("years", 2.5, rules.NOT_A_WHOLE_NUMBER, "Veuillez saisir un nombre entier."),
        ("years", "12", rules.NOT_A_NUMBER, "Veuillez saisir un nombre."),
        ("years", False, rules.NOT_A_NUMBER, "Veuillez saisir un nombre."),
        ("comment", "x" * 1001, rules.TOO_LONG, "Veuillez ne pas dépasser 1000 caractères."),
        ("comment", 12, rules.NOT_TEXT, "Veuillez saisir votre réponse."),
    ],
)
def test_bad_answers_are_refused_with_translated_messages(
    clock: Clock, question_id: str, value: Any, code: str, message: str
) -> None:
    session = SurveySession(EXAMPLE, "fr", "officials", clock=clock)
    session.next()
    session.answer(1)  # consent
    session.next()
    answers = {"age": 1, "lead_example": 3, "offered_payment": 1, "stages": [2], "years": 3}
    while session.current.id != question_id:
        session.answer(answers[session.current.id])
        session.next()
    assert isinstance(session.check(value), AnswerError)
    with pytest.raises(AnswerError) as caught:
        session.answer(value)
    assert caught.value.code == code and caught.value.question_id == question_id
    assert caught.value.message.startswith(message)
    assert repr(value) not in str(caught.value) or repr(value) in message
    assert session.current_answer is None  # nothing kept


def test_multi_choice_is_kept_in_option_order(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    for value in (None, 1, 1, 1, 1):
        if value is not None:
            session.answer(value)
        session.next()
    assert session.current.id == "stages"
    session.answer([3, 1])
    assert session.current_answer == [1, 3]
    session.answer([])  # optional: clears
    assert session.current_answer is None
    assert session.check([9]) is None


def test_back_returns_to_the_previously_shown_question(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    assert session.back() is False
    session.next()
    session.answer(1)
    session.next()
    session.answer(3)  # age
    session.next()
    assert session.current.id == "lead_example"
    assert session.back() and session.current.id == "age" and session.current_answer == 3
    assert session.back() and session.current.id == "consent"
    assert session.back() and session.current.id == "anonymity"
    assert session.back() is False


def test_answers_of_questions_made_irrelevant_are_dropped(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    session.next()
    session.answer(1)
    session.next()
    session.answer(2)  # age
    session.next()
    session.answer(5)  # lead_example
    session.next()
    session.answer(1)  # offered_payment
    session.next()
    session.answer([2])  # stages
    assert session.answers == {"consent": 1, "age": 2, "lead_example": 5,
                               "offered_payment": 1, "stages": [2]}  # fmt: skip
    while session.current.id != "consent":
        session.back()
    session.answer(2)
    assert session.answers == {"consent": 2}
    assert session.next() is False
    assert session.finish().answers == {"consent": 2}


def test_an_answer_comes_back_when_its_question_is_relevant_again(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    session.next()
    session.answer(1)
    session.next()
    session.answer(2)
    session.back()
    session.answer(2)
    assert "age" not in session.answers
    session.answer(1)
    session.next()
    assert session.current.id == "age" and session.current_answer == 2


def test_progress(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    assert session.progress.answered == 0
    # Before consent is answered, everything it opens is still ahead: not "1 of 1".
    # consent, age, lead_example, offered_payment, stages (waits on offered_payment), years,
    # comment
    assert session.progress.total == 7
    assert session.progress.number == 1  # the note is current; it counts no place
    session.next()
    session.answer(1)
    after = session.progress
    assert (after.answered, after.total, after.number) == (1, 7, 1)
    session.next()
    assert session.progress.number == 2
    # Once offered_payment rules stages out, the total shrinks to what will be asked.
    for answer in (2, 4):  # age, lead_example
        session.answer(answer)
        session.next()
    assert session.current.id == "offered_payment"
    session.answer(2)
    session.next()
    assert session.progress.total == 6


def test_consent_is_not_the_last_question(clock: Clock) -> None:
    """The consent screen showed "1 of 1" and a Finish button (is_last), then went on."""
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    session.next()
    assert session.current.id == "consent"
    progress = session.progress
    assert progress.number < progress.total
    # Declining ends the survey: then nothing is left to ask.
    session.answer(2)
    assert session.progress.total == 1


def test_constraint_rechecked_when_an_earlier_answer_changes(clock: Clock) -> None:
    doc = copy.deepcopy(BASE)
    doc["questions"] = [
        {"id": "limit", "type": "number", "label": text("Limit"), "required": True},
        {
            "id": "spent",
            "type": "number",
            "label": text("Spent"),
            "constraint": ". <= ${limit}",
            "constraint_message": text("No more than the limit", "Pas plus que la limite"),
        },
    ]
    spec = check_spec_document(doc, "doc")
    session = SurveySession(spec, "fr", "officials", clock=clock)
    session.answer(5)
    session.next()
    with pytest.raises(AnswerError, match="Pas plus que la limite"):
        session.answer(6)
    session.answer(4)
    session.back()
    session.answer(3)
    session.next()
    with pytest.raises(AnswerError) as caught:
        session.next()
    assert caught.value.code == rules.CONSTRAINT and caught.value.question_id == "spent"


def test_populations_and_languages(clock: Clock) -> None:
    traders = SurveySession(FLAT, "en", "traders", clock=clock)
    traders.answer("manager")
    traders.next()
    assert traders.current.id == "tools"  # grade is for officials only
    officials = SurveySession(FLAT, "en", "officials", clock=clock)
    officials.answer("staff")
    officials.next()
    assert officials.current.id == "grade"
    with pytest.raises(UnknownPopulation):
        SurveySession(FLAT, "en", "pilots", clock=clock)
    with pytest.raises(UnknownLanguage):
        SurveySession(FLAT, "de", "officials", clock=clock)
    with pytest.raises(UnknownLanguage):
        officials.set_language("de")
    assert officials.language == "en"
    officials.set_language("ar")
    assert officials.text(officials.current.label) == "درجتك"
    assert officials.answers == {"role": "staff"}


def test_finish_needs_the_end_and_closes_the_session(clock: Clock) -> None:
    session = SurveySession(FLAT, "en", "traders", clock=clock)
    with pytest.raises(SessionNotFinished):
        session.finish()
    session.answer("staff")
    assert session.next() is False
    finished = session.finish()
    assert finished.answers == {"role": "staff"} and finished.complete
    for action in (session.finish, session.next, session.back, lambda: session.answer(1)):
        with pytest.raises(SessionClosed):
            action()


def test_abandon_discard_or_partial(clock: Clock) -> None:
    discard = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    discard.next()
    discard.answer(1)
    assert discard.abandon() is None
    with pytest.raises(SessionClosed):
        discard.next()
    partial = SurveySession(FLAT, "fr", "officials", clock=clock)
    partial.answer("manager")
    partial.next()
    partial.answer(3.5)
    clock.advance(30)
    result = partial.abandon()
    assert result is not None and result.complete is False
    assert result.answers == {"role": "manager", "grade": 3.5}
    assert result.duration_s == 30 and result.language == "fr"


def test_snapshot_and_restore(clock: Clock) -> None:
    session = SurveySession(FLAT, "fr", "officials", clock=clock)
    session.answer("manager")
    session.next()
    session.answer(2)
    session.next()
    session.answer(["b", "a"])
    snapshot = json.loads(json.dumps(session.snapshot()))  # plain JSON data
    clock.advance(100)
    again = SurveySession.restore(FLAT, snapshot, clock=clock)
    assert again.current.id == "tools" and again.current_answer == ["a", "b"]
    assert again.language == "fr" and again.answers == session.answers
    again.next()
    assert again.current.id == "name_it"
    assert again.back() and again.back() and again.current.id == "grade"
    while again.current is not None:
        if again.current_answer is None:
            again.answer("Nuctech")
        again.next()
    finished = again.finish()
    assert finished.duration_s == 100
    assert finished.answers == {"role": "manager", "grade": 2, "tools": ["a", "b"],
                                "name_it": "Nuctech"}  # fmt: skip


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.update(v=2),
        lambda s: s.update(spec={**s["spec"], "sha256": "0" * 64}),
        lambda s: s.update(answers={"nope": 1}),
        lambda s: s.update(history=["nope"]),
        lambda s: s.update(language="de"),
        lambda s: s.update(started_at="yesterday"),
        lambda s: s.update(answers={"role": None}),
    ],
)
def test_restore_refuses_a_draft_that_does_not_fit(clock: Clock, damage) -> None:
    session = SurveySession(FLAT, "en", "officials", clock=clock)
    session.answer("staff")
    snapshot = session.snapshot()
    damage(snapshot)
    with pytest.raises(ValueError):
        SurveySession.restore(FLAT, snapshot, clock=clock)


def test_messages_exist_in_five_languages() -> None:
    codes = {value for name, value in vars(rules).items() if name.isupper()}
    for code in codes - {rules.NOT_RELEVANT, rules.UNKNOWN_QUESTION}:
        assert set(MESSAGES[code]) == {"en", "fr", "es", "pt", "ar"}, code


# --- random walks --------------------------------------------------------------------------------


def valid_value(spec: Spec, question: Question, rng: random.Random) -> Any:
    codes = [option.code for option in spec.options_for(question)]
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.LIKERT):
        return rng.choice(codes)
    if question.type is QuestionType.MULTI_CHOICE:
        exclusive = [o.code for o in question.options or [] if o.exclusive]
        plain = [code for code in codes if code not in exclusive]
        if exclusive and rng.random() < 0.3:
            return [rng.choice(exclusive)]
        return rng.sample(plain, rng.randint(1, min(2, len(plain))))
    if question.type is QuestionType.NUMBER:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 100
        if question.integer:
            return rng.randint(max(int(low), 1), int(high))
        return rng.uniform(low, high)
    return rng.choice(["abc", "Nuctech", "ok then"])


def any_value(spec: Spec, question: Question | None, rng: random.Random) -> Any:
    if question is not None and rng.random() < 0.7:
        return valid_value(spec, question, rng)
    return rng.choice([None, [], "", 0, -3, 99, 2.5, "x" * 30, [1, 2, 3], True, "manager"])


def assert_current_is_relevant(session: SurveySession) -> None:
    question = session.current
    if question is None:
        return
    assert question.is_for(session.population)
    assert rules.is_relevant(question, session.answers)
    # and every question skipped between the last shown and this one was not relevant
    effective = session.answers
    assert all(key in [q.id for q in session.spec.questions] for key in effective)


WALKS = [(EXAMPLE, "officials"), (FLAT, "officials"), (FLAT, "traders")]


@given(st.sampled_from(WALKS), st.integers(0, 2**32 - 1), st.lists(st.integers(0, 9), max_size=60))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_walks_stay_on_relevant_questions_and_finish_valid(
    walk: tuple[Spec, str], seed: int, moves: list[int]
) -> None:
    spec, population = walk
    rng = random.Random(seed)
    clock = Clock()
    session = SurveySession(spec, "en", population, clock=clock)
    for move in moves:
        clock.advance(rng.randint(0, 20))
        try:
            if move < 4:
                session.answer(any_value(spec, session.current, rng))
            elif move < 7:
                session.next()
            elif move < 9:
                session.back()
            else:
                session.set_language(rng.choice(spec.language_codes))
        except (AnswerError, SessionNotFinished):
            pass
        assert_current_is_relevant(session)
        if move == 5 and rng.random() < 0.2:
            session = SurveySession.restore(spec, session.snapshot(), clock=clock)
    # now answer validly to the end
    for _ in range(200):
        question = session.current
        if question is None:
            break
        if question.type is not QuestionType.NOTE and (
            session.current_answer is None or session.check(session.current_answer)
        ):
            session.answer(valid_value(spec, question, rng))
        session.next()
        assert_current_is_relevant(session)
    finished = session.finish()
    assert rules.check_response(spec, population, finished.answers, complete=True) == []
    relevant = {
        q.id for q in spec.questions_for(population) if rules.is_relevant(q, finished.answers)
    }
    assert set(finished.answers) <= relevant
    assert finished.duration_s >= 0 and finished.complete


# --- the lookahead the kiosk builds its next screen with ------------------------------------


def test_peek_next_tells_where_next_goes_without_moving(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    assert session.peek_next().id == "consent"  # from the note
    session.next()
    before = session.snapshot()
    # consent unanswered: every later question depends on it, so the end comes next
    assert session.peek_next() is None
    # as if the respondent had picked an answer: yes opens the main section, no ends it
    assert session.peek_next(1).id == "age"
    assert session.peek_next(2) is None
    assert session.peek_next(None) is None and session.peek_next([]) is None
    assert session.snapshot() == before  # nothing moved, nothing was kept
    session.answer(1)
    assert session.peek_next().id == "age"
    assert session.peek_next(2) is None  # an answer not yet given counts over the held one
    assert session.current.id == "consent" and session.current_answer == 1
    session.next()
    assert session.current.id == "age"


def test_peek_next_follows_a_question_made_relevant_by_the_answer(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    for answer in (None, 1, 2, 4):  # anonymity, consent, age, lead_example
        if answer is not None:
            session.answer(answer)
        session.next()
    assert session.current.id == "offered_payment"
    assert session.peek_next().id == "years"  # stages is asked only after a yes
    assert session.peek_next(1).id == "stages"
    session.answer(1)
    assert session.peek_next().id == "stages"
    session.next()
    session.answer([2])
    session.next()
    session.next()  # years (optional)
    assert session.current.id == "comment"
    assert session.peek_next() is None and session.peek_next("x") is None
    session.next()
    assert session.at_end and session.peek_next() is None


def test_peek_next_on_a_closed_session_is_refused(clock: Clock) -> None:
    session = SurveySession(EXAMPLE, "en", "officials", clock=clock)
    session.abandon()
    with pytest.raises(SessionClosed):
        session.peek_next()


@given(st.sampled_from(WALKS), st.integers(0, 2**32 - 1), st.lists(st.integers(0, 9), max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_peek_next_always_names_where_next_lands(
    walk: tuple[Spec, str], seed: int, moves: list[int]
) -> None:
    spec, population = walk
    rng = random.Random(seed)
    session = SurveySession(spec, "en", population, clock=Clock())
    for move in moves:
        if session.current is None:
            break
        try:
            if move < 4:
                value = any_value(spec, session.current, rng)
                assumed = session.peek_next(value)
                session.answer(value)
                assert session.peek_next() == assumed  # the answer kept is the one assumed
            elif move < 8:
                expected = session.peek_next()
                session.next()
                assert session.current == expected
            else:
                session.back()
        except (AnswerError, SessionNotFinished):
            pass
