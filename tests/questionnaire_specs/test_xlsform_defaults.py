"""XLSForm's `default` and `read_only` columns, in real .xlsx workbooks read by pyxform."""

from __future__ import annotations

from pathlib import Path

from questionnaire_specs import check_spec_document
from questionnaire_specs.xlsform import import_xlsform
from tests.questionnaire_specs.test_xlsform import import_problems, write_form

CHOICES = [
    ["list_name", "name", "label"],
    ["post", "border", "A border post"],
    ["post", "hq", "Headquarters"],
    ["size", 1, "Small"],
    ["size", "big", "Big"],  # a list mixing integer and text names: renumbered
]


def test_static_defaults_of_every_kind_map_to_valid_answers(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "default", "read_only", "calculation"],
        ["select_one post", "post", "Where?", "hq", None, None],
        ["select_multiple post", "posts", "Where else?", "border hq", None, None],
        ["select_one size", "size", "Size?", "big", None, None],
        ["integer", "years", "Years?", "12", None, None],
        ["decimal", "share", "Share?", "0.5", None, None],
        ["date", "joined", "Joined?", "2010-06-15", None, None],
        ["text", "comment", "Comment?", "Nothing", None, None],
        ["select_one post", "office", "Your office", "border", "yes", None],
        ["text", "twice", "Years, twice", None, "yes", "${years} * 2"],
        ["text", "shown", "Just shown", None, "true()", None],
    ]
    result = import_xlsform(write_form(tmp_path / "form.xlsx", survey, choices=CHOICES))
    questions = {q["id"]: q for q in result.document["questions"]}
    assert questions["post"]["default"] == "hq"
    assert questions["posts"]["default"] == ["border", "hq"]
    assert questions["size"]["default"] == 2  # `big`, renumbered after the integer 1
    assert questions["years"]["default"] == 12 and questions["share"]["default"] == 0.5
    assert questions["joined"]["default"] == "2010-06-15"
    assert questions["comment"]["default"] == "Nothing"
    assert questions["office"]["read_only"] is True and questions["office"]["default"] == "border"
    assert questions["twice"]["type"] == "calculate" and questions["twice"]["read_only"] is True
    assert questions["twice"]["calculation"] == "${years} * 2"
    assert questions["shown"]["type"] == "note" and "read_only" not in questions["shown"]
    assert "survey row 11: read_only without a default or calculation is shown as a note" in (
        result.warnings
    )
    spec = check_spec_document(result.document, "form.xlsx")  # the spec checks agree
    assert spec.question("twice").is_shown and not spec.question("twice").is_entered


def test_what_is_refused_names_its_row(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "default", "read_only"],
        ["select_one post", "post", "Where?", "elsewhere", None],
        ["date", "when", "When?", "today()", None],
        ["integer", "years", "Years?", "${when}", None],
        ["text", "comment", "Comment?", None, "${years} > 3"],
        ["range", "trust", "Trust?", "4", None],
        ["note", "hello", "Hello", "x", None],
    ]
    problems = import_problems(tmp_path, survey, choices=CHOICES)
    assert problems[0] == "survey row 2: default 'elsewhere' is not a choice of its list"
    assert problems[1].startswith("survey row 3: default 'today()' is worked out on the device")
    assert problems[2].startswith("survey row 4: default '${when}' is worked out on the device")
    assert problems[3].startswith("survey row 5: read_only ") and "is a condition" in problems[3]
    assert problems[4:] == ["survey row 7: a note takes no default"]


def test_a_default_the_rule_book_refuses_is_refused_by_row(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "default", "parameters"],
        ["range", "trust", "Trust?", "4", "start=1 end=9 step=2"],
    ]
    assert import_problems(tmp_path, survey) == [
        "survey row 2: the default is not a valid answer: the answer is not on a step of 2"
    ]
