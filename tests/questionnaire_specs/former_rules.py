"""The rule paths as they were before they were compiled per spec (issue 16), kept verbatim
as the reference the fast paths are checked against (test_compiled_rules.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from questionnaire_specs.answer_problems import (
    NOT_RELEVANT,
    REQUIRED,
    UNKNOWN_QUESTION,
    AnswerProblem,
    is_empty,
)
from questionnaire_specs.answers import check_answer, is_relevant
from questionnaire_specs.models import QuestionType, Spec
from questionnaire_specs.question_types import calculated
from questionnaire_specs.response_quality import MIN_BLOCK_ANSWERS, MIN_BLOCKS, answered_count


def check_response(
    spec: Spec, population: str, answers: Mapping[str, object], *, complete: bool
) -> list[AnswerProblem]:
    problems: list[AnswerProblem] = []
    labels = spec.choice_labels()
    asked = spec.questions_for(population)
    asked_ids = {question.id for question in asked}
    for question_id in answers:
        if question_id not in asked_ids:
            problems.append(
                AnswerProblem(
                    str(question_id), UNKNOWN_QUESTION, f"not a question for {population}"
                )
            )
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
        problem = check_answer(spec, question, value, answers)
        if problem is not None:
            problems.append(problem)
    return problems


def with_calculations(spec: Spec, population: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    labels = spec.choice_labels()  # since choice names came (issue 14): the default language
    result: dict[str, Any] = {
        key: value for key, value in answers.items() if not _is_calculation(spec, key)
    }
    for question in spec.questions_for(population):
        # since defaults came (issue 14): a read_only question's value is its default
        fixed = question.type is QuestionType.CALCULATE or question.read_only
        if not fixed or not is_relevant(question, result, labels):
            continue
        value = question.default if question.read_only and question.default else None
        if question.type is QuestionType.CALCULATE:
            value = calculated(question, result, labels)
        if value is not None:
            result[question.id] = value
    return result


def _is_calculation(spec: Spec, question_id: str) -> bool:
    try:
        question = spec.question(question_id)
        return question.type is QuestionType.CALCULATE or bool(question.read_only)
    except KeyError:
        return False


def _substantive(spec: Spec, question_id: str) -> frozenset[object]:
    return frozenset(o.code for o in spec.options_for(question_id) if not o.non_substantive)


def is_straight_liner(spec: Spec, population: str, answers: Mapping[str, object]) -> bool:
    blocks: dict[int, list[object]] = {}
    for question in spec.questions_for(population):
        if question.key_factor is None or question.type is not QuestionType.LIKERT:
            continue
        value = answers.get(question.id)
        if value in _substantive(spec, question.id):
            blocks.setdefault(question.key_factor, []).append(value)
    answered = [values for values in blocks.values() if len(values) >= MIN_BLOCK_ANSWERS]
    if len(answered) < MIN_BLOCKS:
        return False
    return len({value for values in answered for value in values}) == 1


def is_speeder(spec: Spec, answers: Mapping[str, object], duration_s: float) -> bool:
    calculated = {q.id for q in spec.questions if not q.is_entered}
    entered = {key: value for key, value in answers.items() if key not in calculated}
    return duration_s < spec.settings.speeder_floor * answered_count(entered)
