"""Cascading selects: a choice_filter offers the options it holds for over the answers
before it, the rule book refuses the others, the checks judge it at load, and an XLSForm's
choice_filter (with its choices' own columns) imports onto it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from questionnaire_specs import answers as rules
from questionnaire_specs import check_spec_document, load_spec
from questionnaire_specs.question_types import offered
from tests.questionnaire_specs.documents import FIXTURES, only
from tests.questionnaire_specs.test_xlsform import import_form, import_problems

SPEC = load_spec(FIXTURES / "cascading.yaml")


def codes(question: str, answers: dict[str, Any]) -> list[object]:
    return [option.code for option in offered(SPEC, SPEC.question(question), answers)]


def test_the_options_offered_follow_the_earlier_answers() -> None:
    assert codes("post", {"region": 1}) == [11, 12]
    assert codes("post", {"region": 2}) == [21]
    assert codes("post", {}) == []  # nothing to compare with: nothing offered
    assert codes("other_tasks", {"main_task": "value"}) == ["inspect", "audit", "none"]
    # an unanswered main task is empty: `name != empty` is false, only 'any' stays
    assert codes("other_tasks", {}) == ["none"]
    assert codes("region", {}) == [1, 2]  # no filter: every option


def test_the_rule_book_refuses_an_option_not_offered() -> None:
    problem = rules.check_answer(SPEC, SPEC.question("post"), 21, {"region": 1})
    assert problem is not None and problem.code == rules.FILTERED_OUT
    assert rules.check_answer(SPEC, SPEC.question("post"), 12, {"region": 1}) is None
    problem = rules.check_answer(
        SPEC, SPEC.question("other_tasks"), ["value", "audit"], {"main_task": "value"}
    )
    assert problem is not None and problem.code == rules.FILTERED_OUT
    # a whole response, as the processor checks it
    response = {"region": 2, "post": 11, "main_task": "audit", "other_tasks": ["inspect"]}
    problems = rules.check_response(SPEC, "officials", response, complete=True)
    assert [(p.question_id, p.code) for p in problems] == [("post", rules.FILTERED_OUT)]


def _filtered(doc: dict[str, Any], choice_filter: str | None, **columns: str) -> None:
    region = next(q for q in doc["questions"] if q["id"] == "region")
    region["options"][0]["columns"] = columns
    region["choice_filter"] = choice_filter


def test_a_choice_filter_is_checked_at_load(doc, problems_of) -> None:
    _filtered(doc, "column('zone') = ${consent}", zone="1")
    assert problems_of(doc) == []
    _filtered(doc, "column('area') = ${consent}", zone="1")
    message = only(problems_of(doc), "region", "choice_filter").message
    assert message.startswith("no option has a column 'area' (columns: name, zone)")
    _filtered(doc, "column('zone') = ${age}", zone="1")
    assert "${age} is asked later" in only(problems_of(doc), "region", "choice_filter").message
    _filtered(doc, None)
    trust = next(q for q in doc["questions"] if q["id"] == "trust")
    trust["choice_filter"] = "${consent} = 1"  # a likert scale does not cascade
    assert (
        "only for single_choice, multi_choice and rank"
        in only(problems_of(doc), "trust", "choice_filter").message
    )
    del trust["choice_filter"]
    trust["relevant"] = "column('name') = 1"
    assert "only in a choice_filter" in only(problems_of(doc), "trust", "relevant").message


def test_an_xlsform_cascade_imports_with_its_columns(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one states", "state", "State?", None],
        ["select_one counties", "county", "County?", "${state}=cf"],
        ["select_multiple counties", "others", "Others?", "cf = ${state} and name != ${county}"],
    ]
    choices = [
        ["list_name", "name", "label", "cf"],
        ["states", "new york", "New York", None],
        ["states", "texas", "Texas", None],
        ["counties", "kings", "Kings", "new york"],
        ["counties", "queens", "Queens", "new york"],
        ["counties", "cameron", "Cameron", "texas"],
    ]
    document = import_form(tmp_path, survey, choices=choices)
    spec = check_spec_document(document, "form.xlsx")
    county = spec.question("county")
    assert county.choice_filter == "${state} = column('cf')"
    # `new york` is not a code: the state list is renumbered, and the counties' cf with it
    new_york = next(o.code for o in spec.options_for("state") if o.name == "new york")
    assert [o.columns for o in county.options or []] == [
        {"cf": str(new_york)}, {"cf": str(new_york)}, {"cf": str(new_york + 1)}
    ]  # fmt: skip
    assert [o.code for o in offered(spec, county, {"state": new_york})] == ["kings", "queens"]
    others = spec.question("others")
    answers = {"state": new_york, "county": "kings"}
    assert [o.code for o in offered(spec, others, answers)] == ["queens"]


def test_a_bare_name_that_is_no_column_is_refused_by_row(tmp_path: Path) -> None:
    # XPath (ODK, Enketo) reads `yes` as a path: the child `yes` of each choice, which none
    # has, so `tint=yes` holds for no choice. The author meant 'yes': say so, import nothing.
    survey = [["type", "name", "label", "choice_filter"], ["select_one c", "q", "Q?", "tint=yes"]]
    choices = [["list_name", "name", "label", "tint"], ["c", "red", "Red", "yes"]]
    assert import_problems(tmp_path, survey, choices=choices) == [
        "survey row 2: choice_filter uses the bare name 'yes', which is not a column of its "
        "choices (name, tint): ODK reads it as the column 'yes', which no choice has, so it "
        "would offer no choice; quote a text ('yes'), refer to a question as ${yes}"
    ]


def test_a_filter_on_the_choices_labels_is_refused_by_row(tmp_path: Path) -> None:
    # ODK Validate refuses `item[label::English != '']` ("unsupported construct").
    survey = [
        ["type", "name", "label::English", "choice_filter"],
        ["select_one c", "q", "Q?", "label::English != ''"],
    ]
    choices = [["list_name", "name", "label::English"], ["c", "red", "Red"]]
    assert import_problems(tmp_path, survey, choices=choices) == [
        "survey row 2: choice_filter filters on the choices' label ('label::English'), which "
        "ODK Collect refuses and a form in several languages cannot do: filter on a column of "
        "the choices"
    ]


_TWICE_SURVEY = [
    ["type", "name", "label", "choice_filter", "relevant"],
    ["select_one states", "state", "State?", None, None],
    ["select_one counties", "county", "County?", "${state}=cf", None],
    ["select_one cities", "city", "City?", "${county}=cf", None],
    ["text", "why_king", "Why King?", None, "${county} = 'king'"],
    ["select_multiple counties", "visited", "Visited?", None, None],
    ["note", "saw_king", "Saw King", None, "selected(${visited}, 'king')"],
]
_TWICE_CHOICES = [
    ["list_name", "name", "label", "cf"],
    ["states", "texas", "Texas", None],
    ["states", "washington", "Washington", None],
    ["counties", "king", "King", "washington"],
    ["counties", "pierce", "Pierce", "washington"],
    ["counties", "king", "King", "texas"],
    ["cities", "seattle", "Seattle", "king"],
    ["cities", "tacoma", "Tacoma", "pierce"],
    ["cities", "dumont", "Dumont", "king"],
]
_ALLOWED = [["allow_choice_duplicates"], ["yes"]]


def test_a_name_twice_in_one_list_is_two_options_that_each_stand_for_the_name(
    tmp_path: Path,
) -> None:
    document = import_form(tmp_path, _TWICE_SURVEY, choices=_TWICE_CHOICES, settings=_ALLOWED)
    spec = check_spec_document(document, "form.xlsx")
    counties = spec.options_for("county")
    # Each row its own code, the original name kept for exports and the codebook.
    assert [(o.code, o.name, o.columns) for o in counties] == [
        (1, "king", {"cf": "washington"}),
        (2, "pierce", {"cf": "washington"}),
        (3, "king", {"cf": "texas"}),
    ]
    county, city = spec.question("county"), spec.question("city")
    assert [o.code for o in offered(spec, county, {"state": "texas"})] == [3]
    # As in ODK, where the answer is the name `king`: either King offers King's cities.
    for king in (1, 3):
        assert [o.code for o in offered(spec, city, {"county": king})] == ["seattle", "dumont"]
        assert spec.question("why_king").relevant_expression.is_true({"county": king})
        visited = {"visited": [king]}
        assert spec.question("saw_king").relevant_expression.is_true(visited)
    assert [o.code for o in offered(spec, city, {"county": 2})] == ["tacoma"]
    assert not spec.question("why_king").relevant_expression.is_true({"county": 2})
    assert not spec.question("saw_king").relevant_expression.is_true({"visited": [2]})


def test_a_name_twice_without_the_setting_is_refused_by_pyxform_naming_the_row(
    tmp_path: Path,
) -> None:
    problems = import_problems(tmp_path, _TWICE_SURVEY, choices=_TWICE_CHOICES)
    assert problems[0].startswith("choices row 6: ")
    assert "allow_choice_duplicates" in problems[0]


def test_what_cannot_stand_for_a_repeated_name_is_refused_by_row(tmp_path: Path) -> None:
    survey = [*_TWICE_SURVEY, ["integer", "n", "N?", None, "selected-at(${visited}, 0) = 1"]]
    problems = import_problems(tmp_path, survey, choices=_TWICE_CHOICES, settings=_ALLOWED)
    assert problems == [
        "survey row 8: relevant uses selected-at() of ${visited}, whose list holds a choice "
        "name twice (allow_choice_duplicates): compare the answer with = instead"
    ]
