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
    UNKNOWN_QUESTION,
    AnswerProblem,
    is_empty,
)
from questionnaire_specs.expressions import Choices
from questionnaire_specs.models import Question, QuestionType, Spec
from questionnaire_specs.question_types import calculated, kind_of

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
    "UNKNOWN_QUESTION",
    "AnswerProblem",
    "check_answer",
    "check_response",
    "is_empty",
    "is_relevant",
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
    """`answers` with every relevant calculate question's value worked out again, in spec
    order (references only point back). What a station sent for one counts for nothing: the
    processor keeps its own, so a station cannot forge a calculated value. `language` is the
    respondent's (jr:choice-name() reads its labels; None: the default language)."""
    labels = spec.choice_labels(language)
    result: dict[str, Any] = {
        key: value for key, value in answers.items() if not _is_calculation(spec, key)
    }
    for question in spec.questions_for(population):
        if question.type is not QuestionType.CALCULATE or not is_relevant(question, result, labels):
            continue
        value = calculated(question, result, labels)
        if value is not None:
            result[question.id] = value
    return result


def _is_calculation(spec: Spec, question_id: str) -> bool:
    try:
        return spec.question(question_id).type is QuestionType.CALCULATE
    except KeyError:
        return False


def is_relevant(
    question: Question, answers: Mapping[str, object], labels: Choices | None = None
) -> bool:
    """Whether `question` is asked; `labels` are what jr:choice-name() reads
    (Spec.choice_labels in the respondent's language)."""
    expression = question.relevant_expression
    return expression is None or expression.is_true(answers, choices=labels)


def check_response(
    spec: Spec,
    population: str,
    answers: Mapping[str, object],
    *,
    complete: bool,
    language: str | None = None,
) -> list[AnswerProblem]:
    """Every problem of a whole response: unknown or not relevant questions, bad answers,
    and (for a complete response) required questions left empty. `language` is the
    respondent's (None: the default language)."""
    labels = spec.choice_labels(language)
    problems: list[AnswerProblem] = []
    asked = spec.questions_for(population)
    asked_ids = {question.id for question in asked}
    for question_id in answers:
        if question_id not in asked_ids:
            problems.append(
                AnswerProblem(
                    str(question_id), UNKNOWN_QUESTION, f"not a question for {population}"
                )
            )
    # The answers do not change during the check, so one relevance text has one outcome: the
    # questions of a section share their section's condition (the processor's hot path).
    outcomes: dict[str | None, bool] = {None: True}
    for question in asked:
        value = answers.get(question.id)
        if question.relevant not in outcomes:
            outcomes[question.relevant] = is_relevant(question, answers, labels)
        if not outcomes[question.relevant]:
            if question.id in answers:
                problems.append(
                    AnswerProblem(question.id, NOT_RELEVANT, "answered but not relevant")
                )
            continue
        if is_empty(value):
            if complete and question.required:
                problems.append(
                    AnswerProblem(question.id, REQUIRED, "a required answer is missing")
                )
            continue
        problem = check_answer(spec, question, value, answers, language)
        if problem is not None:
            problems.append(problem)
    return problems
