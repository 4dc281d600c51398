"""Scripted respondents: random valid answers through the same SurveySession the kiosk uses.

For demos, load tests and the paper fallback (`submit`). A scripted respondent answers the
question in front of it, as a person would: it picks among the options, a number within the
bounds, and in about half of the responses writes a comment of several ordinary words. An
answer the session refuses (a constraint) is tried again differently, then skipped if the
question is optional.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING, Any

from device_app.errors import InvalidAnswers, UnknownPopulation
from device_app.session import answer_message
from questionnaire_specs import Question, Spec
from questionnaire_specs.answers import AnswerProblem, check_answer, check_response, is_required
from questionnaire_specs.question_types import kind_of

if TYPE_CHECKING:
    from device_app.station import Station

# Ordinary words for free-text comments: nothing that could name or place a person.
COMMENT_WORDS = (
    "the", "process", "takes", "too", "long", "staff", "should", "explain", "rules", "better",
    "forms", "are", "clear", "waiting", "queue", "office", "training", "helps", "more",
    "systems", "online", "would", "reduce", "delays", "fees", "posted", "openly", "good",
    "service", "improved", "this", "year", "hard", "to", "understand", "procedures",
)  # fmt: skip
TRIES_PER_QUESTION = 20


@dataclass
class SimulationOutcome:
    finished: int = 0
    last_seq: int = 0
    by_population: dict[str, int] = field(default_factory=dict)
    with_comment: int = 0


def comment(rng: Random) -> str:
    return " ".join(rng.choice(COMMENT_WORDS) for _ in range(rng.randint(4, 12)))


def random_answer(spec: Spec, question: Question, rng: Random, *, write_comment: bool) -> Any:
    """A random answer for `question`, or None to leave it empty (the question type's own
    draw: questionnaire_specs/question_types.py)."""
    draw = kind_of(question).draw
    if draw is None:
        return None  # nothing to enter: a note, a calculation
    return draw(spec, question, rng, lambda: comment(rng), write_comment)


def valid_answer(
    spec: Spec, question: Question, answers: Mapping[str, Any], rng: Random, *, comment_on: bool
) -> Any:
    """A random answer that the spec's own rules accept (or None for an optional skip)."""
    for _ in range(TRIES_PER_QUESTION):
        value = random_answer(spec, question, rng, write_comment=comment_on)
        if value is None:
            if not is_required(question, answers):
                return None
            continue
        if check_answer(spec, question, value, answers) is None:
            return value
    return None


def run_session(station: Station, population: str, language: str, rng: Random) -> int:
    """One scripted respondent from the first question to the sealed envelope; the seq."""
    session = station.new_session(population, language)
    spec = station.spec_for(population)
    comment_on = rng.random() < 0.5
    steps = 0
    while (question := session.current) is not None:
        steps += 1
        if steps > 10 * len(spec.questions) + 10:
            raise RuntimeError("the session does not move forward")  # a session bug, loudly
        if question.is_entered:
            value = valid_answer(spec, question, session.answers, rng, comment_on=comment_on)
            if value is not None:
                session.answer(value)
        session.next()
    return station.finish(session)


def simulate_respondents(
    station: Station,
    count: int,
    *,
    rng: Random,
    population: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationOutcome:
    """`count` scripted respondents, spread over the station's populations (or one)."""
    if population is not None and population not in station.populations:
        raise UnknownPopulation(
            f"this station surveys {', '.join(station.populations)}, not {population!r}"
        )
    outcome = SimulationOutcome()
    for number in range(count):
        chosen = population or rng.choice(station.populations)
        spec = station.spec_for(chosen)
        language = rng.choice([language.code for language in spec.languages])
        outcome.last_seq = run_session(station, chosen, language, rng)
        outcome.finished += 1
        outcome.by_population[chosen] = outcome.by_population.get(chosen, 0) + 1
        if progress:
            progress(number + 1)
    return outcome


def submit_answers(
    station: Station,
    given: Mapping[str, Any],
    *,
    population: str | None = None,
    language: str | None = None,
) -> int:
    """Seal one response given as question id -> answer; InvalidAnswers lists every problem
    (in the spec's words, in `language`) and nothing is written."""
    if population is None:
        if len(station.populations) != 1:
            raise UnknownPopulation(
                f"this station surveys {', '.join(station.populations)}: say --population"
            )
        population = station.populations[0]
    spec = station.spec_for(population)
    session = station.new_session(population, language or spec.default_language)
    # The whole response first, by the server's own rule book, so every problem is listed.
    problems = check_response(spec, population, given, complete=True)
    if problems:
        raise InvalidAnswers([explain(spec, problem, session.language) for problem in problems])
    try:
        while (question := session.current) is not None:
            if question.is_entered and question.id in given:
                session.answer(given[question.id])
            session.next()
    except ValueError as error:  # the session's AnswerError, already in its language
        raise InvalidAnswers([f"{getattr(error, 'question_id', '?')}: {error}"]) from None
    return station.finish(session)


def explain(spec: Spec, problem: AnswerProblem, language: str) -> str:
    """A rule-book problem in the respondent's words, as the kiosk would say it (never the
    answer itself); the rule book's plain detail where the session has no words for it."""
    try:
        question = spec.question(problem.question_id)
    except KeyError:
        return f"{problem.question_id}: {problem.detail}"
    message = answer_message(spec, question, problem.code, language)
    return f"{question.id}: {problem.detail if message is None else message}"
