"""The rule book for answers, on the README's example spec (pure: no I/O)."""

from __future__ import annotations

from pathlib import Path

import pytest

from questionnaire_specs import load_spec
from questionnaire_specs.answers import (
    ABOVE_MAXIMUM,
    CONSTRAINT,
    EXCLUSIVE_OPTION,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_OPTION,
    NOT_RELEVANT,
    REPEATED_OPTION,
    REQUIRED,
    TOO_LONG,
    UNKNOWN_QUESTION,
    check_answer,
    check_response,
)

SPEC = load_spec(Path(__file__).parent / "fixtures" / "example.yaml")
BASE = {"consent": 1, "age": 2, "lead_example": 4, "offered_payment": 1}


def codes(answers: dict, *, complete: bool = True) -> list[tuple[str, str]]:
    return [(p.question_id, p.code) for p in check_response(SPEC, "officials", answers,
                                                           complete=complete)]  # fmt: skip


def test_a_good_response_has_no_problem():
    assert codes({**BASE, "stages": [1, 3], "years": 3, "comment": "fine"}) == []


@pytest.mark.parametrize(
    ("question_id", "value", "code"),
    [
        ("age", 4, NOT_AN_OPTION),
        ("age", "2", NOT_AN_OPTION),  # "2" is not the code 2
        ("age", True, NOT_AN_OPTION),  # True is not 1
        ("stages", [1, 1], REPEATED_OPTION),
        ("stages", [1, 9], EXCLUSIVE_OPTION),
        ("stages", [1, 2, 3], CONSTRAINT),  # count-selected(.) <= 2
        ("years", 3.5, NOT_A_WHOLE_NUMBER),
        ("years", 46, ABOVE_MAXIMUM),
        ("comment", "x" * 1001, TOO_LONG),
    ],
)
def test_each_rule_is_named(question_id, value, code):
    assert codes({**BASE, question_id: value}) == [(question_id, code)]


def test_required_only_counts_for_complete_responses():
    assert codes({}) == [("consent", REQUIRED)]
    assert codes({}, complete=False) == []
    # without consent nothing else is asked, so nothing else is required
    assert codes({"consent": 1}) == [("age", REQUIRED), ("lead_example", REQUIRED)]


def test_answers_to_questions_not_asked_are_problems():
    # stages is asked only when offered_payment = 1
    assert codes({**BASE, "offered_payment": 2, "stages": [1]}) == [("stages", NOT_RELEVANT)]
    assert codes({**BASE, "nonsense": 1}) == [("nonsense", UNKNOWN_QUESTION)]


def test_a_declined_consent_makes_the_rest_irrelevant():
    assert codes({"consent": 2}) == []
    assert codes({"consent": 2, "age": 1}) == [("age", NOT_RELEVANT)]


def test_check_answer_gives_the_first_problem_only():
    problem = check_answer(SPEC, SPEC.question("years"), -1, BASE)
    assert problem is not None and problem.code == "below-minimum"
    assert "-1" not in problem.detail.replace("below 0", "")
