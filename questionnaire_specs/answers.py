"""Whether answers fit their spec: one answer, or a whole response.

The one rule book for answers, read by the survey session on the station (one answer at a
time, with translated messages) and by the server's processor (a whole opened response,
before it is loaded). Pure: no I/O, no Kivy, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from questionnaire_specs.answer_problems import (
    ABOVE_MAXIMUM,
    BELOW_MINIMUM,
    CONSTRAINT,
    EXCLUSIVE_OPTION,
    FILTERED_OUT,
    NOT_A_DATE,
    NOT_A_LIST,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_OPTION,
    NOT_AS_CALCULATED,
    NOT_ON_STEP,
    NOT_RELEVANT,
    NOT_TEXT,
    NOTE_HAS_NO_ANSWER,
    REPEATED_OPTION,
    REQUIRED,
    TOO_LONG,
    TOO_MANY_RANKED,
    UNKNOWN_QUESTION,
    UNRANKED_OPTION,
    AnswerProblem,
    is_empty,
)
from questionnaire_specs.expressions import Choices, truthy
from questionnaire_specs.models import Question, Spec
from questionnaire_specs.one_pass_check import one_pass_check
from questionnaire_specs.question_types import kind_of, worked_out
from questionnaire_specs.rule_book import rule_book

# The codes are the rule book's words: callers read them as `answers.REQUIRED`.
__all__ = [
    "ABOVE_MAXIMUM",
    "BELOW_MINIMUM",
    "CONSTRAINT",
    "EXCLUSIVE_OPTION",
    "FILTERED_OUT",
    "NOTE_HAS_NO_ANSWER",
    "NOT_AN_OPTION",
    "NOT_AS_CALCULATED",
    "NOT_A_DATE",
    "NOT_A_LIST",
    "NOT_A_NUMBER",
    "NOT_A_WHOLE_NUMBER",
    "NOT_ON_STEP",
    "NOT_RELEVANT",
    "NOT_TEXT",
    "REPEATED_OPTION",
    "REQUIRED",
    "TOO_LONG",
    "TOO_MANY_RANKED",
    "UNKNOWN_QUESTION",
    "UNRANKED_OPTION",
    "AnswerProblem",
    "check_answer",
    "check_response",
    "is_empty",
    "is_relevant",
    "is_required",
    "with_calculations",
]


def check_answer(
    spec: Spec,
    question: Question,
    value: object,
    answers: Mapping[str, object],
    language: str | None = None,
) -> AnswerProblem | None:
    """The first problem with a non-empty `value` for `question`, or None.

    `answers` are the other answers so far, for the constraint's references (and a
    calculation's); `language` the respondent's, whose option labels jr:choice-name() reads
    (None: the spec's default language).
    """
    rule = kind_of(question).rule
    if rule is None:
        return AnswerProblem(question.id, NOTE_HAS_NO_ANSWER, "a note takes no answer")
    labels = spec.choice_labels(language)
    problem = rule(spec, question, value, answers, labels)
    constraint = question.constraint_expression
    if (
        problem is None
        and constraint is not None
        and not constraint.is_true(answers, current=value, choices=labels)
    ):
        problem = AnswerProblem(question.id, CONSTRAINT, "the answer breaks the constraint")
    return problem


def with_calculations(
    spec: Spec, population: str, answers: Mapping[str, Any], language: str | None = None
) -> dict[str, Any]:
    """`answers` with every relevant worked-out question's value (a calculation's, a
    read_only question's default) worked out again, in spec order (references only point
    back). What a station sent for one counts for nothing: the processor keeps its own, so a
    station cannot forge a calculated or read_only value. `language` is the
    respondent's (jr:choice-name() reads its labels; None: the default language)."""
    spec.population(population)  # an unknown population is a KeyError, as questions_for says
    book = rule_book(spec)
    calculated_ids = book.calculated_ids
    if not calculated_ids:
        return dict(answers)
    labels = spec.choice_labels(language)
    result: dict[str, Any] = {
        key: value for key, value in answers.items() if key not in calculated_ids
    }
    for question in book.populations[population].calculations:
        if not is_relevant(question, result, labels):
            continue
        value = worked_out(question, result, labels)
        if value is not None:
            result[question.id] = value
    return result


def is_relevant(
    question: Question, answers: Mapping[str, object], labels: Choices | None = None
) -> bool:
    """Whether `question` is asked; `labels` are what jr:choice-name() reads
    (Spec.choice_labels in the respondent's language)."""
    expression = question.relevant_expression
    return expression is None or expression.is_true(answers, choices=labels)


def is_required(
    question: Question, answers: Mapping[str, object], labels: Choices | None = None
) -> bool:
    """Whether `question` must be answered (when it is asked): `required`, or its
    `required_when` holds over `answers`; `labels` as is_relevant's."""
    expression = question.required_when_expression
    return question.required or (
        expression is not None and expression.is_true(answers, choices=labels)
    )


def check_response(
    spec: Spec,
    population: str,
    answers: Mapping[str, object],
    *,
    complete: bool,
    language: str | None = None,
) -> list[AnswerProblem]:
    """Every problem of a whole response: unknown or not relevant questions, bad answers,
    and (for a complete response) required questions left empty.

    The processor's hot path: it reads the spec's compiled rule book (rule_book.py), and
    does what check_answer does for each answer without looking the rules up again. A
    response with no problem, nearly every one, is seen to have none in one compiled pass
    (one_pass_check.py); only the others go through the loop that names their problems."""
    spec.population(population)  # an unknown population is a KeyError, as questions_for says
    labels = spec.choice_labels(language)  # `language`: the respondent's (None: the default)
    if one_pass_check(spec)[population](answers, labels, complete):
        return []
    return every_problem(spec, population, answers, complete=complete, labels=labels)


def every_problem(
    spec: Spec,
    population: str,
    answers: Mapping[str, object],
    *,
    complete: bool,
    labels: Choices | None,
) -> list[AnswerProblem]:
    """check_response's full loop: every problem, named (`labels`: Spec.choice_labels in the
    respondent's language)."""
    rules = rule_book(spec).populations[population]
    problems: list[AnswerProblem] = []
    asked_ids = rules.asked_ids
    for question_id in answers:
        if question_id not in asked_ids:
            problems.append(
                AnswerProblem(
                    str(question_id), UNKNOWN_QUESTION, f"not a question for {population}"
                )
            )
    # The answers do not change during the check, so one relevance text has one outcome: the
    # questions of a section share their section's condition.
    outcomes: dict[str | None, bool] = {None: True}
    for asked in rules.asked:
        value = answers.get(asked.id)
        relevant = outcomes.get(asked.relevant)
        if relevant is None:
            relevant = outcomes[asked.relevant] = truthy(asked.is_relevant(answers, None, labels))  # type: ignore[misc]
        if not relevant:
            if asked.id in answers:
                problems.append(AnswerProblem(asked.id, NOT_RELEVANT, "answered but not relevant"))
            continue
        kind = type(value)
        if kind is not int and is_empty(value):  # a whole number is never empty
            if complete and (
                asked.required
                or (
                    asked.required_when is not None
                    and truthy(asked.required_when(answers, None, labels))
                )
            ):
                problems.append(AnswerProblem(asked.id, REQUIRED, "a required answer is missing"))
            continue
        if (
            asked.codes is not None
            and (kind is int or kind is str)
            and (kind, value) in asked.codes
        ):
            problem = None  # one of its codes: what the choice rule would say
        elif asked.rule is None:
            problems.append(AnswerProblem(asked.id, NOTE_HAS_NO_ANSWER, "a note takes no answer"))
            continue
        else:
            problem = asked.rule(spec, asked.question, value, answers, labels)
        if (
            problem is None
            and asked.constraint is not None
            and not truthy(asked.constraint(answers, value, labels))
        ):
            problem = AnswerProblem(asked.id, CONSTRAINT, "the answer breaks the constraint")
        if problem is not None:
            problems.append(problem)
    return problems
