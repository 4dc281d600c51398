"""A question's `default` and `read_only` (issue 14): checked by the rule book at load, left
out of the identity when absent, and a read_only value worked out by the processor."""

from __future__ import annotations

import copy
import json

import pytest

from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec
from questionnaire_specs.identity import canonical_json
from tests.questionnaire_specs.documents import FIXTURES, only

SPEC = load_spec(FIXTURES / "defaults.yaml")


def question(doc, question_id):
    return next(q for q in doc["questions"] if q["id"] == question_id)


def test_a_spec_without_defaults_keeps_its_identity(doc, problems_of) -> None:
    from questionnaire_specs import check_spec_document

    plain = check_spec_document(doc, "doc")
    assert b"default" not in canonical_json(plain) and b"read_only" not in canonical_json(plain)
    changed = copy.deepcopy(doc)
    question(changed, "age")["default"] = 30
    with_default = check_spec_document(changed, "doc")
    assert json.loads(canonical_json(with_default))["questions"][3]["default"] == 30
    assert with_default.identity.sha256 != plain.identity.sha256


@pytest.mark.parametrize(
    ("question_id", "default", "message"),
    [
        ("consent", 3, "the default is not a valid answer: the answer is not one of its codes"),
        ("consent", [1], "the default is not a valid answer: the answer is not one of its codes"),
        ("region", "w", "the default is not a valid answer: the answer is not one of its codes"),
        ("trust", 4, "the default is not a valid answer: the answer is not one of its codes"),
        ("age", 71, "the default is not a valid answer: the answer is above 70"),
        ("age", 20.5, "the default is not a valid answer: the answer is not a whole number"),
        ("comment", 5, "the default is not a valid answer: the answer is not text"),
    ],
)
def test_a_default_must_be_a_valid_answer(doc, problems_of, question_id, default, message) -> None:
    question(doc, question_id)["default"] = default
    assert only(problems_of(doc), question_id, "default").message == message


def test_a_valid_default_of_each_kind_passes(doc, problems_of) -> None:
    for question_id, default in (("consent", 2), ("region", "e"), ("trust", 3), ("age", 40)):
        question(doc, question_id)["default"] = default
    question(doc, "comment")["default"] = "None"
    assert problems_of(doc) == []


def test_what_takes_no_default_and_what_read_only_needs(doc, problems_of) -> None:
    doc["questions"].insert(
        0, {"id": "hello", "type": "note", "label": question(doc, "age")["label"]}
    )
    doc["questions"][0]["default"] = "hi"
    assert only(problems_of(doc), "hello", "default").message == "a note question takes no default"
    doc["questions"][0].pop("default")
    doc["questions"][0]["read_only"] = True
    assert only(problems_of(doc), "hello", "read_only").message == "a note is read-only already"
    doc["questions"].pop(0)
    question(doc, "age")["read_only"] = True
    assert only(problems_of(doc), "age", "read_only").message == (
        "a read_only question shows its default: give one (or make it a note)"
    )
    question(doc, "age")["default"] = 30
    assert problems_of(doc) == []


def test_the_processor_works_out_read_only_values_and_ignores_a_forged_one() -> None:
    sent = {"post": 1, "tasks": [1], "years": 12, "office": 1, "tasks_count": "9"}
    worked = rules.with_calculations(SPEC, "officials", sent)
    assert worked["office"] == 2 and worked["tasks_count"] == "1"
    assert rules.check_response(SPEC, "officials", worked, complete=True) == []


def test_a_read_only_question_not_relevant_has_no_value() -> None:
    # `years` (a default, not read_only) counts only if answered: a default is no answer
    # until its question is shown (the session gives it then).
    worked = rules.with_calculations(SPEC, "officials", {"post": 2})
    assert "years" not in worked and worked["office"] == 2


def test_a_read_only_value_never_travels() -> None:
    from protocol.response_codec import answered_questions

    carried = [q.id for q in answered_questions(SPEC, "officials")]
    assert carried == ["post", "tasks", "years", "joined", "comment"]  # not office, tasks_count


def test_render_says_what_a_question_starts_with_and_that_it_is_read_only() -> None:
    from questionnaire_specs.render import render_spec

    lines = [line.plain for line in render_spec(SPEC, "en", None)]
    assert "6. office · single_choice · read-only" in lines
    assert "   starts with: South" in lines and "   starts with: Inspections, Valuation" in lines
