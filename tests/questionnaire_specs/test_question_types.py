"""The question-type registry: one entry per type, and the date, range and calculate types
through the rule book and the spec checks."""

from __future__ import annotations

from pathlib import Path
from random import Random
from typing import Any

import pytest

from questionnaire_specs import QuestionType, load_spec
from questionnaire_specs.answers import (
    ABOVE_MAXIMUM,
    BELOW_MINIMUM,
    NOT_A_DATE,
    NOT_A_WHOLE_NUMBER,
    NOT_AS_CALCULATED,
    NOT_ON_STEP,
    check_answer,
    check_response,
    with_calculations,
)
from questionnaire_specs.question_types import KINDS, kind_of
from tests.questionnaire_specs.documents import only, text

SPEC = load_spec(Path(__file__).parent / "fixtures" / "every_type.yaml")


def test_every_type_has_one_entry() -> None:
    assert set(KINDS) == set(QuestionType)
    for kind, entry in KINDS.items():
        assert entry.type is kind


def test_what_the_wire_and_a_release_make_of_each_type() -> None:
    wire = {q.id: kind_of(q).wire(q) for q in SPEC.questions}
    release = {q.id: kind_of(q).release(q, SPEC) for q in SPEC.questions}
    assert wire == {
        "welcome": None, "post": "option", "tasks": "options", "priorities": "ranks",
        "fair": "option",
        "years": "zigzag", "joined": "day", "trust": "step", "trust_doubled": None,
        "high_trust": None, "comment": "utf8",
    }  # fmt: skip
    # A range doubled is a whole number (calculation_kinds.py), released as one.
    assert release["joined"] == "date" and release["trust_doubled"] == "integer"
    assert release["welcome"] is None and release["tasks"] == "codes"
    assert release["priorities"] == "ranks"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2001-02-29", NOT_A_DATE),
        ("2001-2-3", NOT_A_DATE),
        (20010203, NOT_A_DATE),
        ("1969-12-31", BELOW_MINIMUM),
        ("2027-01-01", ABOVE_MAXIMUM),
        ("1999-06-30", None),
    ],
)
def test_a_date_answer(value: object, code: str | None) -> None:
    problem = check_answer(SPEC, SPEC.question("joined"), value, {})
    assert (problem and problem.code) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [(3, NOT_ON_STEP), (4.0, NOT_A_WHOLE_NUMBER), (12, ABOVE_MAXIMUM), (-2, BELOW_MINIMUM)]
    + [(value, None) for value in (0, 2, 10)],
)
def test_a_range_answer_is_a_whole_number_on_a_step(value: object, code: str | None) -> None:
    problem = check_answer(SPEC, SPEC.question("trust"), value, {})
    assert (problem and problem.code) == code


def test_a_calculation_is_worked_out_again_and_a_forged_one_counts_for_nothing() -> None:
    sent: dict[str, Any] = {"post": 1, "trust": 8, "trust_doubled": "99"}
    answers = with_calculations(SPEC, "officials", sent)
    assert answers["trust_doubled"] == "16"
    assert check_response(SPEC, "officials", answers, complete=True) == []
    problems = check_response(SPEC, "officials", sent, complete=True)
    assert [(p.question_id, p.code) for p in problems] == [("trust_doubled", NOT_AS_CALCULATED)]
    # nothing to calculate from: no value at all
    assert "trust_doubled" not in with_calculations(SPEC, "officials", {"post": 1})


def test_every_drawn_answer_fits_its_rule() -> None:
    rng = Random(7)
    for question in SPEC.questions:
        draw = kind_of(question).draw
        if draw is None:
            assert not question.is_entered
            continue
        for _ in range(50):
            value = draw(SPEC, question, rng, lambda: "a comment", True)
            if value is not None:
                assert check_answer(SPEC, question, value, {}) is None, question.id


# --- the spec checks ------------------------------------------------------------------------


def _add(doc: dict[str, Any], question: dict[str, Any]) -> dict[str, Any]:
    doc["questions"].append({"label": text("New"), **question})
    return doc


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        ({"type": "range", "min": 0}, "max", "a range question needs max"),
        ({"type": "range", "min": 0, "max": 9, "step": 2}, "max", "not a whole number of steps"),
        ({"type": "range", "min": 0, "max": 1.5}, "max", "max of a range question is a whole"),
        ({"type": "range", "min": 0, "max": 4, "step": 0}, "step", "step of a range question"),
        ({"type": "date", "min": 1990}, "min", "min of a date question is a YYYY-MM-DD date"),
        ({"type": "number", "max": "2020-01-01"}, "max", "max of a number question is a number"),
        ({"type": "date", "min": "2020-01-02", "max": "2020-01-01"}, "min", "greater than max"),
        ({"type": "text", "min": 1}, "min", "min is only for number, range and date questions"),
        ({"type": "number", "step": 1}, "step", "step is only for range questions"),
        ({"type": "calculate"}, "calculation", "a calculate question needs a calculation"),
        ({"type": "text", "calculation": "1"}, "calculation", "only for calculate questions"),
        (
            {"type": "calculate", "calculation": "${later} + 1"},
            "calculation",
            "unknown question ${later}",
        ),
        ({"type": "calculate", "calculation": "1", "required": True}, "required", "cannot be"),
    ],
)
def test_the_checks_of_the_new_types(
    doc, problems_of, question: dict[str, Any], field: str, message: str
) -> None:
    problem = only(problems_of(_add(doc, {"id": "new", **question})), "new", field)
    assert message in problem.message


def test_a_calculation_reads_earlier_answers_and_later_questions_read_it(doc, problems_of) -> None:
    _add(doc, {"id": "score", "type": "calculate", "calculation": "${consent} * 10"})
    _add(doc, {"id": "after", "type": "note", "relevant": "${score} > 5"})
    assert problems_of(doc) == []


@pytest.mark.parametrize(
    ("calculation", "kind"),
    [
        ("${years} * 2 + 1", "integer"),  # an integer number question
        ("${trust} mod 3", "integer"),  # a range
        ("${years} / 2", "decimal"),  # XPath's div (our /) is real division
        ("${years} * 1.5", "decimal"),
        ("-${post}", "integer"),  # integer codes
        ("int(${years} / 2)", "integer"),
        ("count-selected(${tasks})", "integer"),
        ("string-length(${comment})", "integer"),
        ("round(${years} / 3)", "integer"),
        ("round(${years} / 3, 1)", "decimal"),
        ("round(${years} / 3, -1)", "integer"),
        ("sum(${tasks})", "integer"),  # its integer codes
        ("max(${years}, ${trust})", "integer"),
        ("number(${comment})", "decimal"),
        ("if(${years} > 3, ${years}, '')", "integer"),  # '' is XLSForm's empty
        ("if(${years} > 3, 1, 0.5)", "decimal"),
        ("coalesce(${comment}, 'none')", "text"),
        ("if(${years} > 3, 'old', 'new')", "text"),
        ("${years} > 3", "text"),  # a truth value, "true" / "false"
        ("concat(${years}, 'y')", "text"),
        ("${tasks}", "text"),  # "1 3"
        ("selected-at(${tasks}, 0)", "text"),
        ("jr:choice-name(${post}, '${post}')", "text"),
        ("${trust_doubled} + 1", "integer"),  # an integer calculation
    ],
)
def test_a_calculation_is_released_as_what_its_expression_yields(
    calculation: str, kind: str
) -> None:
    question = SPEC.question("trust_doubled").model_copy(update={"calculation": calculation})
    if "trust_doubled" in calculation:
        question = question.model_copy(update={"id": "later"})
    assert kind_of(question).release(question, SPEC) == kind


def test_a_declared_calculation_type_wins_and_is_checked(doc, problems_of) -> None:
    question = SPEC.question("trust_doubled").model_copy(update={"calculation_type": "text"})
    assert kind_of(question).release(question, SPEC) == "text"
    _add(doc, {"id": "score", "type": "calculate", "calculation": "${consent} * 10"})
    doc["questions"][-1]["calculation_type"] = "decimal"
    assert problems_of(doc) == []
    doc["questions"][-1]["calculation_type"] = "date"
    assert only(problems_of(doc), "score", "calculation_type")
    del doc["questions"][-1]["calculation_type"]
    doc["questions"][0]["calculation_type"] = "integer"
    problem = only(problems_of(doc), "consent", "calculation_type")
    assert problem.message == "calculation_type is only for calculate questions"
