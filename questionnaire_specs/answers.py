"""Whether answers fit their spec: one answer, or a whole response.

The one rule book for answers, read by the survey session on the station (one answer at a
time, with translated messages) and by the server's processor (a whole opened response,
before it is loaded). Pure: no I/O, no Kivy, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from questionnaire_specs.models import Question, QuestionType, Spec

# Problem codes, stable: the session maps them to translated messages, the processor records
# them as quarantine reasons.
REQUIRED = "required"
NOT_AN_OPTION = "not-an-option"
NOT_A_LIST = "not-a-list"
REPEATED_OPTION = "repeated-option"
EXCLUSIVE_OPTION = "exclusive-option"
NOT_A_NUMBER = "not-a-number"
NOT_A_WHOLE_NUMBER = "not-a-whole-number"
BELOW_MINIMUM = "below-minimum"
ABOVE_MAXIMUM = "above-maximum"
NOT_TEXT = "not-text"
TOO_LONG = "too-long"
CONSTRAINT = "constraint"
NOTE_HAS_NO_ANSWER = "note-has-no-answer"
NOT_RELEVANT = "not-relevant"
UNKNOWN_QUESTION = "unknown-question"


@dataclass(frozen=True)
class AnswerProblem:
    question_id: str
    code: str
    detail: str  # plain English for logs and quarantine; never the answer itself

    def __str__(self) -> str:
        return f"{self.question_id}: {self.detail}"


def is_empty(value: object) -> bool:
    """No answer: None, an empty list or blank text (the respondent skipped the question)."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_choice(spec: Spec, question: Question, value: object) -> AnswerProblem | None:
    def known(code: object) -> bool:
        return spec.has_option(question, code)

    if question.type is not QuestionType.MULTI_CHOICE:
        if not known(value):
            return AnswerProblem(question.id, NOT_AN_OPTION, "the answer is not one of its codes")
        return None
    if not isinstance(value, list):
        return AnswerProblem(question.id, NOT_A_LIST, "a multiple choice answer is a list")
    if not all(known(code) for code in value):
        return AnswerProblem(question.id, NOT_AN_OPTION, "a selected code is not one of its codes")
    if len(set(value)) != len(value):
        return AnswerProblem(question.id, REPEATED_OPTION, "a code is selected twice")
    exclusive = {o.code for o in question.options or [] if o.exclusive}
    if len(value) > 1 and exclusive.intersection(value):
        return AnswerProblem(
            question.id, EXCLUSIVE_OPTION, "an exclusive option is combined with others"
        )
    return None


def _check_number(question: Question, value: object) -> AnswerProblem | None:
    if not _is_number(value) or not math.isfinite(value):
        return AnswerProblem(question.id, NOT_A_NUMBER, "the answer is not a number")
    if question.integer and not isinstance(value, int):
        return AnswerProblem(question.id, NOT_A_WHOLE_NUMBER, "the answer is not a whole number")
    if question.min is not None and value < question.min:
        return AnswerProblem(question.id, BELOW_MINIMUM, f"the answer is below {question.min}")
    if question.max is not None and value > question.max:
        return AnswerProblem(question.id, ABOVE_MAXIMUM, f"the answer is above {question.max}")
    return None


def _check_text(question: Question, value: object) -> AnswerProblem | None:
    if not isinstance(value, str):
        return AnswerProblem(question.id, NOT_TEXT, "the answer is not text")
    limit = question.max_length
    if limit is not None and len(value) > limit:
        return AnswerProblem(question.id, TOO_LONG, f"the answer is longer than {limit} characters")
    return None


def check_answer(
    spec: Spec, question: Question, value: object, answers: Mapping[str, object]
) -> AnswerProblem | None:
    """The first problem with a non-empty `value` for `question`, or None.

    `answers` are the other answers so far, for the constraint's references.
    """
    if question.type is QuestionType.NOTE:
        return AnswerProblem(question.id, NOTE_HAS_NO_ANSWER, "a note takes no answer")
    if question.is_choice:
        problem = _check_choice(spec, question, value)
    elif question.type is QuestionType.NUMBER:
        problem = _check_number(question, value)
    else:
        problem = _check_text(question, value)
    constraint = question.constraint_expression
    if (
        problem is None
        and constraint is not None
        and not constraint.is_true(answers, current=value)
    ):
        problem = AnswerProblem(question.id, CONSTRAINT, "the answer breaks the constraint")
    return problem


def is_relevant(question: Question, answers: Mapping[str, object]) -> bool:
    expression = question.relevant_expression
    return expression is None or expression.is_true(answers)


def check_response(
    spec: Spec, population: str, answers: Mapping[str, object], *, complete: bool
) -> list[AnswerProblem]:
    """Every problem of a whole response: unknown or not relevant questions, bad answers,
    and (for a complete response) required questions left empty."""
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
            outcomes[question.relevant] = is_relevant(question, answers)
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
        problem = check_answer(spec, question, value, answers)
        if problem is not None:
            problems.append(problem)
    return problems
