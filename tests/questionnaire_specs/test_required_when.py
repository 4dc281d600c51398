"""A question's `required_when` (issue 14): required only when its condition holds over the
answers before it, with the same problem code as `required: true`; checked at load as
relevance is, refused together with `required: true`, left out of the identity when absent."""

from __future__ import annotations

import copy
import json

import pytest

from questionnaire_specs import answers as rules
from questionnaire_specs import check_spec_document, load_spec
from questionnaire_specs.identity import canonical_json
from questionnaire_specs.one_pass_check import one_pass_check
from questionnaire_specs.render import render_spec
from tests.questionnaire_specs.documents import FIXTURES, only

SPEC = load_spec(FIXTURES / "required_when.yaml")


def question(doc, question_id):
    return next(q for q in doc["questions"] if q["id"] == question_id)


def _codes(answers: dict, *, complete: bool = True) -> list[tuple[str, str]]:
    problems = rules.check_response(SPEC, "officials", answers, complete=complete)
    return [(p.question_id, p.code) for p in problems]


def test_without_the_condition_the_question_is_optional() -> None:
    assert _codes({"post": 2}) == []
    assert _codes({"post": 1, "years": 5}) == []  # offered's condition is false: optional


def test_when_the_condition_holds_an_empty_answer_is_the_required_problem() -> None:
    assert _codes({"post": 1}) == [("years", rules.REQUIRED)]
    assert _codes({"post": 1, "years": 30}) == [("offered", rules.REQUIRED)]
    assert _codes({"post": 1, "years": 30, "offered": []}) == [("offered", rules.REQUIRED)]
    assert _codes({"post": 1, "years": 30, "offered": [2]}) == []


def test_an_incomplete_response_and_an_irrelevant_question_are_never_required() -> None:
    assert _codes({"post": 1}, complete=False) == []
    assert _codes({"post": 1, "years": 30}, complete=False) == []
    # offered is asked only at a border post: never required at headquarters
    assert _codes({"post": 2, "years": 30}) == []


def test_the_one_pass_check_agrees_on_both_values_of_the_condition() -> None:
    clean = one_pass_check(SPEC)["officials"]
    labels = SPEC.choice_labels()
    for answers, expected in [
        ({"post": 2}, True),
        ({"post": 1}, False),
        ({"post": 1, "years": 5}, True),
        ({"post": 1, "years": 30}, False),
        ({"post": 1, "years": 30, "offered": [1]}, True),
    ]:
        assert clean(answers, labels, True) is expected, answers
        assert clean(answers, labels, False) is True, answers


def test_is_required_reads_the_answers_given() -> None:
    years, offered = SPEC.question("years"), SPEC.question("offered")
    assert rules.is_required(SPEC.question("post"), {})  # required: true
    assert not rules.is_required(years, {}) and not rules.is_required(years, {"post": 2})
    assert rules.is_required(years, {"post": 1})
    assert not rules.is_required(offered, {"post": 1, "years": 20})
    assert rules.is_required(offered, {"post": 1, "years": 21})
    assert not rules.is_required(SPEC.question("comment"), {"post": 1})


def test_a_spec_without_required_when_keeps_its_identity(doc, problems_of) -> None:
    plain = check_spec_document(doc, "doc")
    assert b"required_when" not in canonical_json(plain)
    changed = copy.deepcopy(doc)
    question(changed, "age")["required_when"] = "${consent} = 1"
    conditional = check_spec_document(changed, "doc")
    assert json.loads(canonical_json(conditional))["questions"][3]["required_when"] == (
        "${consent} = 1"
    )
    assert conditional.identity.sha256 != plain.identity.sha256


def test_required_and_required_when_together_are_refused_naming_which_to_keep(
    doc, problems_of
) -> None:
    question(doc, "consent")["required_when"] = "true()"
    message = only(problems_of(doc), "consent", "required_when").message
    assert "required: true and required_when together" in message
    assert "keep required_when" in message and "or required: true" in message


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("${age} > 20", "${age} is asked later"),
        ("${nope} = 1", "unknown question ${nope}"),
        ("nosuch(1)", "unknown function nosuch()"),
        (". > 1", "only allowed in a constraint"),
        ("${consent} = 3", "3 is not a code of ${consent}"),
    ],
)
def test_the_condition_gets_the_checks_of_relevance(doc, problems_of, condition, message) -> None:
    question(doc, "region")["required_when"] = condition
    assert message in only(problems_of(doc), "region", "required_when").message


def test_a_note_cannot_be_required_even_conditionally(doc, problems_of) -> None:
    doc["questions"].insert(
        1,
        {
            "id": "hello",
            "type": "note",
            "label": question(doc, "consent")["label"],
            "required_when": "${consent} = 1",
        },
    )
    assert only(problems_of(doc), "hello", "required").message == "a note cannot be required"


def test_spec_show_prints_the_condition() -> None:
    shown = "\n".join(line.plain for line in render_spec(SPEC, "en"))
    assert "years · number · conditionally required" in shown
    assert "required if: Q post = 1 (A border post)" in shown
    assert "required if: Q years > 20" in shown
