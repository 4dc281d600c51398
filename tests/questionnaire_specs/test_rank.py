"""The rank type: its answer rule (every offered option once, first-ranked first, or the first
`positions` of them), its checks, the expressions that read it (selected-at, count-selected,
as ODK reads a rank), render, the scripted respondent and the XLSForm import."""

from __future__ import annotations

from pathlib import Path
from random import Random
from typing import Any

import pytest

from questionnaire_specs import answers as rules
from questionnaire_specs import check_spec_document, load_spec
from questionnaire_specs.answers import check_answer, check_response
from questionnaire_specs.expressions import compile_expression
from questionnaire_specs.question_types import kind_of
from questionnaire_specs.render import render_spec
from tests.questionnaire_specs.documents import only, text
from tests.questionnaire_specs.test_xlsform import import_form

SPEC = load_spec(Path(__file__).parent / "fixtures" / "every_type.yaml")
PRIORITIES = SPEC.question("priorities")


def _problem(spec: Any, question: Any, value: object, answers: dict[str, Any] | None = None):
    problem = check_answer(spec, question, value, answers or {})
    return problem and problem.code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ([3, 1, 2], None),
        ([1, 2, 3], None),
        (3, rules.NOT_A_LIST),
        ([3, 1, 4], rules.NOT_AN_OPTION),
        ([3, "1", 2], rules.NOT_AN_OPTION),  # the code 1, not the text "1"
        ([3, 3, 1], rules.REPEATED_OPTION),
        ([3, 1], rules.UNRANKED_OPTION),
        ([3, 1, 2, 2], rules.REPEATED_OPTION),
    ],
)
def test_a_rank_answer_orders_every_option_once(value: object, code: str | None) -> None:
    assert _problem(SPEC, PRIORITIES, value) == code


def test_an_empty_ranking_is_no_answer_and_a_required_rank_needs_one() -> None:
    assert check_response(SPEC, "officials", {"post": 1, "priorities": []}, complete=True) == []
    required = _with_rank({"required": True})
    problems = check_response(required, "officials", {"consent": 1}, complete=True)
    assert [(p.question_id, p.code) for p in problems] == [("rank", rules.REQUIRED)]


def _with_rank(fields: dict[str, Any], *, options: int = 4) -> Any:
    document: dict[str, Any] = {
        "id": "ranked", "version": "1.0.0", "languages": [{"code": "en", "name": "English"}],
        "title": {"en": "Ranked"}, "introduction": {"en": "Hello"},
        "populations": [{"id": "officials", "label": {"en": "Officials"}}],
        "questions": [
            {"id": "consent", "type": "single_choice", "label": {"en": "Go on?"},
             "options": [{"code": 1, "label": {"en": "Yes"}}, {"code": 2, "label": {"en": "No"}}]},
            {"id": "rank", "type": "rank", "label": {"en": "Rank them"},
             "options": [{"code": f"o{n}", "label": {"en": f"Option {n}"},
                          "columns": {"half": "low" if n <= options // 2 else "high"}}
                         for n in range(1, options + 1)], **fields},
        ],
    }  # fmt: skip
    return check_spec_document(document, "ranked.yaml")


def test_positions_asks_for_the_first_few_only() -> None:
    spec = _with_rank({"positions": 2})
    rank = spec.question("rank")
    assert _problem(spec, rank, ["o3", "o1"]) is None
    assert _problem(spec, rank, ["o3"]) == rules.UNRANKED_OPTION
    assert _problem(spec, rank, ["o3", "o1", "o2"]) == rules.TOO_MANY_RANKED
    assert kind_of(rank).describe(rank) == ["ranked: the first 2 options offered, in order"]


def test_a_filtered_rank_orders_what_is_offered_and_nothing_else() -> None:
    spec = _with_rank({"choice_filter": "column('half') = if(${consent} = 1, 'low', 'high')"})
    rank = spec.question("rank")
    assert _problem(spec, rank, ["o2", "o1"], {"consent": 1}) is None
    assert _problem(spec, rank, ["o4", "o3"], {"consent": 2}) is None
    assert _problem(spec, rank, ["o2", "o1", "o3"], {"consent": 1}) == rules.FILTERED_OUT
    assert _problem(spec, rank, ["o2"], {"consent": 1}) == rules.UNRANKED_OPTION
    # fewer offered than positions: all of those offered
    capped = _with_rank({"positions": 3, "choice_filter": "column('half') = 'low'"})
    assert _problem(capped, capped.question("rank"), ["o1", "o2"]) is None


def _rank_problems(problems_of: Any, doc: dict[str, Any], **fields: Any) -> list[Any]:
    doc["questions"].append({"id": "order", "type": "rank", "label": text("Order"), **fields})
    return problems_of(doc)


def test_the_checks_of_a_rank(doc: dict[str, Any], problems_of: Any) -> None:
    options = [{"code": n, "label": text(f"O{n}")} for n in (1, 2, 3)]
    assert _rank_problems(problems_of, doc, options=options, positions=2) == []
    doc["questions"].pop()
    message = only(_rank_problems(problems_of, doc), "order", "options").message
    assert message == "a rank question needs options"
    doc["questions"].pop()
    found = _rank_problems(problems_of, doc, options=options, positions=4)
    assert only(found, "order", "positions").message == "positions is 4, more than its 3 options"
    doc["questions"].pop()
    exclusive = [{**options[0], "exclusive": True}, *options[1:]]
    found = _rank_problems(problems_of, doc, options=exclusive)
    assert (
        only(found, "order", "options[0].exclusive").message == "exclusive is only for multi_choice"
    )
    doc["questions"].pop()
    found = _rank_problems(problems_of, doc, options=options, disclosure="quasi_identifier")
    assert "a quasi_identifier is a single_choice or likert question" in " ".join(
        problem.message for problem in found
    )
    doc["questions"][0]["positions"] = 1
    assert (
        "positions is only for rank questions"
        in only(problems_of(doc), doc["questions"][0]["id"], "positions").message
    )


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("selected-at(${priorities}, 0)", 3),
        ("selected-at(${priorities}, 2)", 2),
        ("selected-at(${priorities}, 3)", None),
        ("count-selected(${priorities})", 3),
        ("selected(${priorities}, 1)", True),
        ("selected-at(${priorities}, 0) = 3", True),
    ],
)
def test_expressions_read_a_rank_as_odk_does(expression: str, value: object) -> None:
    """ODK: selected-at(${rank}, 0) is the first-ranked option's name; count-selected() the
    number ranked."""
    answers = {"priorities": [3, 1, 2]}
    assert compile_expression(expression).evaluate(answers) == value


def test_a_rank_is_compared_through_selected_at_only(doc: dict[str, Any], problems_of) -> None:
    options = [{"code": n, "label": text(f"O{n}")} for n in (1, 2, 3)]
    _rank_problems(problems_of, doc, options=options)
    doc["questions"].append(
        {"id": "why", "type": "text", "label": text("Why?"), "relevant": "${order} = 1"}
    )
    message = only(problems_of(doc), "why", "relevant").message
    assert message.startswith("${order} is a rank question: use selected(${order}, code)")
    doc["questions"][-1]["relevant"] = "selected-at(${order}, 0) = 4"
    assert "4" in only(problems_of(doc), "why", "relevant").message  # not one of its codes
    doc["questions"][-1]["relevant"] = (
        "selected-at(${order}, 0) = 1 and count-selected(${order}) = 3"
    )
    assert problems_of(doc) == []


def test_render_and_show_say_what_a_rank_asks() -> None:
    lines = [str(line) for line in render_spec(SPEC, "en")]
    at = next(i for i, line in enumerate(lines) if "priorities" in line)
    assert "rank" in lines[at]
    assert "   ranked: every option offered, in order" in lines[at : at + 8]


def test_the_scripted_respondent_ranks_every_option_in_many_orders() -> None:
    rng = Random(3)
    drawn = {
        tuple(kind_of(PRIORITIES).draw(SPEC, PRIORITIES, rng, str, False) or ()) for _ in range(200)
    }  # type: ignore[misc]
    assert {order for order in drawn if order} == {
        (1, 2, 3), (1, 3, 2), (2, 1, 3), (2, 3, 1), (3, 1, 2), (3, 2, 1)
    }  # fmt: skip


def test_an_xlsform_rank_imports_with_its_choices_and_filter(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "choice_filter", "relevant"],
        ["select_one yesno", "work", "Do you work?", None, None],
        ["rank tasks", "order", "Rank your tasks", "${work} = 1 or kind = 'home'", None],
        ["text", "why", "Why first?", None, "selected-at(${order}, 0) = 'sweep'"],
    ]
    choices = [
        ["list_name", "name", "label", "kind"],
        ["yesno", 1, "Yes", None],
        ["yesno", 2, "No", None],
        ["tasks", "sweep", "Sweep", "home"],
        ["tasks", "file", "File reports", "work"],
        ["tasks", "cook", "Cook", "home"],
    ]
    document = import_form(tmp_path, survey, choices=choices)
    spec = check_spec_document(document, "form.xlsx")
    order = spec.question("order")
    assert order.type.value == "rank" and order.positions is None
    assert [o.code for o in spec.options_for(order)] == ["sweep", "file", "cook"]
    assert _problem(spec, order, ["cook", "sweep"], {"work": 2}) is None
    assert _problem(spec, order, ["file", "cook", "sweep"], {"work": 1}) is None
    assert _problem(spec, order, ["cook", "sweep"], {"work": 1}) == rules.UNRANKED_OPTION
    assert spec.question("why").relevant == "selected-at(${order}, 0) = 'sweep'"
