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
from questionnaire_specs import Question, QuestionType, Spec
from questionnaire_specs.answers import AnswerProblem, check_answer, check_response

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
    """A random answer for `question`, or None to leave it empty."""
    kind = question.type
    if kind is QuestionType.NOTE:
        return None
    if kind is QuestionType.TEXT:
        if write_comment or question.required:
            text = comment(rng)
            return text[: question.max_length] if question.max_length else text
        return None
    if not question.required and rng.random() < 0.1:
        return None  # people skip optional questions now and then
    if kind is QuestionType.NUMBER:
        low = int(question.min) if question.min is not None else 0
        high = int(question.max) if question.max is not None else max(low, 60)
        value = rng.randint(low, max(low, high))
        return value if question.integer is not False else float(value)
    options = spec.options_for(question)
    if kind is QuestionType.MULTI_CHOICE:
        plain = [o.code for o in options if not o.exclusive]
        exclusive = [o.code for o in options if o.exclusive]
        if exclusive and (not plain or rng.random() < 0.15):
            return [rng.choice(exclusive)]
        chosen = set(rng.sample(plain, rng.randint(1, min(3, len(plain)))))
        return [o.code for o in options if o.code in chosen]  # in option order
    # single choice, likert: mostly substantive answers
    substantive = [o.code for o in options if not o.non_substantive] or [o.code for o in options]
    if len(substantive) < len(options) and rng.random() < 0.08:
        return rng.choice([o.code for o in options if o.non_substantive])
    return rng.choice(substantive)


def valid_answer(
    spec: Spec, question: Question, answers: Mapping[str, Any], rng: Random, *, comment_on: bool
) -> Any:
    """A random answer that the spec's own rules accept (or None for an optional skip)."""
    for _ in range(TRIES_PER_QUESTION):
        value = random_answer(spec, question, rng, write_comment=comment_on)
        if value is None:
            if not question.required:
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
        if question.type is not QuestionType.NOTE:
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
            if question.type is not QuestionType.NOTE and question.id in given:
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
