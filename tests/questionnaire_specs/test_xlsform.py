"""XLSForm import: real .xlsx workbooks, built here with openpyxl, read back by the importer."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from questionnaire_specs import SpecError, check_spec_document
from questionnaire_specs.expressions import parse
from questionnaire_specs.xlsform import XLSFormError, xlsform_to_document
from questionnaire_specs.xlsform_expressions import ExpressionNotSupported, translate_expression

Rows = list[list[Any]]

YESNO_CHOICES: Rows = [
    ["list_name", "name", "label"],
    ["yesno", 1, "Yes"],
    ["yesno", 2, "No"],
]


def write_form(
    path: Path,
    survey: Rows,
    choices: Rows | None = None,
    settings: Rows | None = None,
    extra_sheets: dict[str, Rows] | None = None,
) -> Path:
    """Write an .xlsx workbook with the given sheets (first row: the headers)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (
        ("choices", choices),
        ("settings", settings),
        *(extra_sheets or {}).items(),
    ):
        if rows is None:
            continue
        extra = workbook.create_sheet(title)
        for row in rows:
            extra.append(row)
    workbook.save(path)
    return path


def import_form(tmp_path: Path, survey: Rows, **sheets: Any) -> dict[str, Any]:
    return xlsform_to_document(write_form(tmp_path / "form.xlsx", survey, **sheets))


def import_problems(tmp_path: Path, survey: Rows, **sheets: Any) -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        import_form(tmp_path, survey, **sheets)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


# --- a multilingual KoBo-style form ---------------------------------------------------------

EN, FR, AR = "English (en)", "Français (fr)", "العربية (ar)"

KOBO_SURVEY: Rows = [
    [
        "type",
        "name",
        f"label::{EN}",
        f"label::{FR}",
        f"label::{AR}",
        f"hint::{EN}",
        f"hint::{FR}",
        f"hint::{AR}",
        "required",
        "relevant",
        "constraint",
        f"constraint_message::{EN}",
        f"constraint_message::{FR}",
        f"constraint_message::{AR}",
        "appearance",
        "calculation",
        "$given_name",
        "$kuid",
    ],
    ["note", "welcome", "Welcome", "Bienvenue", "مرحبا", *[None] * 11, "", "abc1"],
    [
        "select_one yesno",
        "consent",
        "Do you agree?",
        "Acceptez-vous ?",
        "هل توافق؟",
        None,
        None,
        None,
        "true",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "Q1",
        "k2",
    ],
    [
        "begin_group",
        "work",
        "Your work",
        "Votre travail",
        "عملك",
        None,
        None,
        None,
        None,
        "${consent} = '1'",
        *[None] * 7,
        "k3",
    ],
    [
        "integer",
        "years",
        "Years of service",
        "Années de service",
        "سنوات الخدمة",
        "Whole years.",
        "En années entières.",
        "بالسنوات الكاملة.",
        "true",
        None,
        ". >= 0 and . <= 45",
        "0 to 45.",
        "De 0 à 45.",
        "من 0 إلى 45.",
        None,
        None,
        None,
        "k4",
    ],
    [
        "select_multiple stages",
        "stages",
        "At which stages?",
        "À quelles étapes ?",
        "في أي مراحل؟",
        *[None] * 4,
        "${years} > 1",
        "count-selected(.) <= 2",
        "At most two.",
        "Deux au plus.",
        "اثنان على الأكثر.",
        "minimal",
        None,
        None,
        "k5",
    ],
    [
        "select_one agree",
        "lead",
        "Leaders set an example.",
        "Les chefs montrent l'exemple.",
        "القادة قدوة.",
        *[None] * 9,
        "likert",
        None,
        None,
        "k6",
    ],
    ["end_group", None, *[None] * 16],
    [
        "text",
        "comment",
        "Anything else?",
        "Autre chose ?",
        "هل من شيء آخر؟",
        *[None] * 3,
        "false",
        "not(selected(${stages}, 'none'))",
        "string-length(.) <= 1000",
        "Too long.",
        "Trop long.",
        "طويل جدا.",
        "multiline",
        None,
        None,
        "k7",
    ],
]

KOBO_CHOICES: Rows = [
    ["list_name", "name", f"label::{EN}", f"label::{FR}", f"label::{AR}", "$autovalue"],
    ["yesno", 1, "Yes", "Oui", "نعم", "x"],
    ["yesno", 2, "No", "Non", "لا", "y"],
    ["stages", "declaration", "Declaration", "Déclaration", "التصريح", None],
    ["stages", "inspection", "Inspection", "Inspection", "المعاينة", None],
    ["stages", "none", "None of these", "Aucune", "لا شيء", None],
    ["agree", 1, "Disagree", "Pas d'accord", "لا أوافق", None],
    ["agree", 2, "Agree", "D'accord", "أوافق", None],
]

KOBO_SETTINGS: Rows = [
    ["form_title", "form_id", "version", "default_language", "style"],
    ["Integrity survey", "CIPS Officials 2024", 2024051501, EN, "pages"],
]


def test_a_multilingual_kobo_form_becomes_a_sectioned_spec(tmp_path: Path) -> None:
    document = import_form(tmp_path, KOBO_SURVEY, choices=KOBO_CHOICES, settings=KOBO_SETTINGS)

    assert document["id"] == "cips-officials-2024"
    assert document["version"] == "2024051501.0.0"
    assert document["languages"] == [
        {"code": "en", "name": "English"},
        {"code": "fr", "name": "Français"},
        {"code": "ar", "name": "العربية", "rtl": True},
    ]
    title = {"en": "Integrity survey", "fr": "Integrity survey", "ar": "Integrity survey"}
    assert document["title"] == title
    assert document["introduction"] == title
    assert document["populations"] == [
        {
            "id": "all",
            "label": {
                "en": "All respondents",
                "fr": "Tous les répondants",
                "ar": "جميع المستجيبين",
            },
        }
    ]
    assert "questions" not in document
    first, work, last = document["sections"]
    assert first == {
        "id": "section_1",
        "questions": [
            {
                "id": "welcome",
                "type": "note",
                "label": {"en": "Welcome", "fr": "Bienvenue", "ar": "مرحبا"},
            },
            {
                "id": "consent",
                "type": "single_choice",
                "label": {"en": "Do you agree?", "fr": "Acceptez-vous ?", "ar": "هل توافق؟"},
                "required": True,
                "options": [
                    {"code": 1, "label": {"en": "Yes", "fr": "Oui", "ar": "نعم"}},
                    {"code": 2, "label": {"en": "No", "fr": "Non", "ar": "لا"}},
                ],
            },
        ],
    }
    assert work["id"] == "work"
    assert work["title"] == {"en": "Your work", "fr": "Votre travail", "ar": "عملك"}
    # XLSForm quotes every choice value; consent's codes are integers, so 1 is a number here.
    assert work["relevant"] == "${consent} = 1"
    years, stages, lead = work["questions"]
    assert years == {
        "id": "years",
        "type": "number",
        "label": {"en": "Years of service", "fr": "Années de service", "ar": "سنوات الخدمة"},
        "help": {"en": "Whole years.", "fr": "En années entières.", "ar": "بالسنوات الكاملة."},
        "required": True,
        "constraint": ". >= 0 and . <= 45",
        "constraint_message": {"en": "0 to 45.", "fr": "De 0 à 45.", "ar": "من 0 إلى 45."},
        "integer": True,
    }
    assert stages["type"] == "multi_choice"
    assert stages["relevant"] == "${years} > 1"
    assert stages["constraint"] == "count-selected(.) <= 2"
    assert [option["code"] for option in stages["options"]] == [
        "declaration",
        "inspection",
        "none",
    ]
    # A likert appearance is only a look: the question stays a single choice, no scale.
    assert lead["type"] == "single_choice"
    assert "scale" not in lead
    assert [option["code"] for option in lead["options"]] == [1, 2]
    assert last["id"] == "section_3"
    (comment,) = last["questions"]
    assert comment["type"] == "text"
    assert comment["multiline"] is True
    assert "required" not in comment
    assert comment["relevant"] == "not(selected(${stages}, 'none'))"
    assert comment["constraint"] == "string-length(.) <= 1000"


def test_the_imported_kobo_form_passes_the_spec_checks(tmp_path: Path) -> None:
    document = import_form(tmp_path, KOBO_SURVEY, choices=KOBO_CHOICES, settings=KOBO_SETTINGS)
    spec = check_spec_document(document, "form.xlsx")
    assert [question.id for question in spec.questions] == [
        "welcome",
        "consent",
        "years",
        "stages",
        "lead",
        "comment",
    ]


def test_the_document_dumps_to_plain_yaml_without_anchors(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "constraint"],
        ["select_one yesno", "a", "A?", None],
        ["select_one yesno", "b", "B?", None],
        ["integer", "c", "C?", ". > 0"],
        ["integer", "d", "D?", ". > 1"],
    ]
    document = import_form(tmp_path, survey, choices=YESNO_CHOICES)
    dumped = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    # Shared objects would come out as &id001 / *id001, which no reader of a spec expects.
    assert "&id" not in dumped and "*id" not in dumped
    assert yaml.safe_load(dumped) == document


# --- ODK-style and plain forms --------------------------------------------------------------


def test_an_odk_form_with_spaced_group_types_and_excel_booleans(tmp_path: Path) -> None:
    survey = [
        ["Type", "Name", "Label::English (en)", "Label::French (fr)", "Required", "Relevant"],
        ["begin group", "intro", "Start", "Début", None, None],
        ["select_one  yesno", "consent", "Agree?", "D'accord ?", True, None],
        ["end group", None, None, None, None, None],
        ["begin group", "main", None, None, None, "${consent}=1"],
        ["decimal", "share", "Share?", "Part ?", "TRUE", None],
        ["text", "why", "Why?", "Pourquoi ?", "FALSE", "${consent} != ''"],
        ["end group", None, None, None, None, None],
    ]
    choices = [
        ["list name", "name", "label::English (en)", "label::French (fr)"],
        ["yesno", 1, "Yes", "Oui"],
        ["yesno", 2, "No", "Non"],
    ]
    document = import_form(tmp_path, survey, choices=choices)

    # ODK writes the English name of a language: the spec names each language in itself.
    assert document["languages"] == [
        {"code": "en", "name": "English"},
        {"code": "fr", "name": "Français"},
    ]
    intro, main = document["sections"]
    assert intro["title"] == {"en": "Start", "fr": "Début"}
    assert intro["questions"][0]["required"] is True
    assert intro["questions"][0]["options"][0] == {"code": 1, "label": {"en": "Yes", "fr": "Oui"}}
    assert "title" not in main
    assert main["relevant"] == "${consent} = 1"
    assert main["questions"] == [
        {
            "id": "share",
            "type": "number",
            "label": {"en": "Share?", "fr": "Part ?"},
            "required": True,
            "integer": False,
        },
        {
            "id": "why",
            "type": "text",
            "label": {"en": "Why?", "fr": "Pourquoi ?"},
            "relevant": "string-length(${consent}) > 0",
        },
    ]
    assert document["id"] == "form"  # no settings: the file name
    assert document["version"] == "1.0.0"
    assert document["title"] == {"en": "form", "fr": "form"}
    check_spec_document(document, "form.xlsx")


def test_a_plain_single_language_form_is_a_flat_question_list(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "hint", "constraint message", "constraint", "required_message"],
        [
            "text",
            "name_of_post",
            "Your post",
            "One word",
            "Too long",
            "string-length(.) < 20",
            "Please answer",
        ],
        ["note", "thanks", "Thank you", "You may leave", None, None, None],
    ]
    settings = [["form_title", "form_id", "default_language"], ["Enquête", "enq", "Français (fr)"]]
    document = import_form(tmp_path, survey, settings=settings)

    assert document["languages"] == [{"code": "fr", "name": "Français"}]
    assert document["title"] == {"fr": "Enquête"}
    assert "sections" not in document
    text, note = document["questions"]
    assert text == {
        "id": "name_of_post",
        "type": "text",
        "label": {"fr": "Your post"},
        "help": {"fr": "One word"},
        "constraint": "string-length(.) < 20",
        "constraint_message": {"fr": "Too long"},
    }
    # A note has no help: the hint is kept, under the label.
    assert note == {"id": "thanks", "type": "note", "label": {"fr": "Thank you\n\nYou may leave"}}
    check_spec_document(document, "form.xlsx")


def test_a_plain_form_without_a_usable_default_language_is_english(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["integer", "age", "Age"]]
    settings = [["default_language"], ["Klingon"]]
    document = import_form(tmp_path, survey, settings=settings)
    assert document["languages"] == [{"code": "en", "name": "English"}]
    assert document["questions"][0]["label"] == {"en": "Age"}
    assert document["populations"][0]["label"] == {"en": "All respondents"}


def test_default_language_comes_first_and_plain_columns_are_its_texts(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "label::Español (es)", "label::Português (pt)"],
        ["integer", "age", "Âge", "Edad", None],
    ]
    settings = [
        ["default_language", "form_title::Español (es)", "form_title"],
        ["French (fr)", "Encuesta", "Enquête"],
    ]
    document = import_form(tmp_path, survey, settings=settings)
    assert [language["code"] for language in document["languages"]] == ["fr", "es", "pt"]
    # A missing Portuguese label stays missing: the validator reports it, nothing is invented.
    assert document["questions"][0]["label"] == {"fr": "Âge", "es": "Edad"}
    assert document["title"] == {"fr": "Enquête", "es": "Encuesta"}
    assert document["populations"][0]["label"] == {
        "fr": "Tous les répondants",
        "es": "Todas las personas encuestadas",
        "pt": "Todos os respondentes",
    }
    with pytest.raises(SpecError) as caught:
        check_spec_document(document, "form.xlsx")
    assert "pt" in str(caught.value)


def test_a_constraint_without_message_gets_the_generic_one(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label::English (en)", "label::Kiswahili (sw)", "constraint"],
        ["integer", "age", "Age", "Umri", ". > 17"],
    ]
    document = import_form(tmp_path, survey)
    assert document["questions"][0]["constraint_message"] == {
        "en": "This answer is not accepted.",
        "sw": "This answer is not accepted.",
    }


# --- choices --------------------------------------------------------------------------------


def test_choice_names_keep_integers_as_integers(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one n", "q", "Q?"], ["select_one t", "r", "R?"]]
    choices = [
        ["list_name", "name", "label"],
        ["n", 1, "one"],
        ["n", 2.0, "two"],  # Excel stores every number as a float
        ["n", "3", "three"],  # a number typed into a text cell
        ["n", "-9", "refused"],
        ["t", "a_1", "A"],
        ["t", "007", "bond"],  # a leading zero: a name, not a number
    ]
    document = import_form(tmp_path, survey, choices=choices)
    q, r = document["questions"]
    assert [option["code"] for option in q["options"]] == [1, 2, 3, -9]
    assert [option["code"] for option in r["options"]] == ["a_1", "007"]


def test_bad_choice_names_are_refused_by_row(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one m", "q", "Q?"]]
    choices = [
        ["list_name", "name", "label"],
        ["m", 1, "one"],
        ["m", "two words", "two"],
        ["m", 1.5, "half"],
        ["m", 1, "again"],
        ["m", None, "nameless"],
        ["m", "x", "text"],
    ]
    problems = import_problems(tmp_path, survey, choices=choices)
    assert problems == [
        "choices row 3: name 'two words' is not a valid option code "
        "(an integer, or letters, digits and '_')",
        "choices row 4: name '1.5' is not a valid option code "
        "(an integer, or letters, digits and '_')",
        "choices row 5: list 'm' already has the name 1 (choices row 2)",
        "choices row 6: no name",
        "choices list 'm': mixes integer and text names; make them all integers or all text",
    ]


def test_choice_media_and_filters_are_refused_by_row(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one posts", "q", "Q?"]]
    choices = [
        ["list_name", "name", "label", "media::image::English (en)", "region", "choice_filter"],
        ["posts", 1, "Port", None, "north", None],
        ["posts", 2, "Airport", "plane.png", "south", None],
    ]
    # A filter column (region) is only data; media with a value is refused.
    assert import_problems(tmp_path, survey, choices=choices) == [
        "choices row 3: media (image) is not supported"
    ]


def test_a_select_of_an_unknown_list_is_refused(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one yesno2", "q", "Q?"]]
    problems = import_problems(tmp_path, survey, choices=YESNO_CHOICES)
    assert problems == ["survey row 2: select_one refers to unknown list 'yesno2'"]


# --- expressions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xpath", "ours"),
    [
        ("${a}=1", "${a} = 1"),
        ("${a} != 'x' and ${b}>=2", "${a} != 'x' and ${b} >= 2"),
        ("${a} < 1 or ${a} <= 2 or ${a} > 3", "${a} < 1 or ${a} <= 2 or ${a} > 3"),
        ("not(${a} = 1)", "not(${a} = 1)"),
        ("not(${a}) = 1", "(not(${a})) = 1"),  # XPath's not() is a function: keep its meaning
        ("selected(${m}, 'x')", "selected(${m}, 'x')"),
        ("count-selected( ${m} ) >= 2", "count-selected(${m}) >= 2"),
        ("string-length(.) > 0", "string-length(.) > 0"),
        ("${a} div 2 > 1.5", "${a} / 2 > 1.5"),
        (". > .5", ". > 0.5"),
        (". >= -1", ". >= -1"),
        ('${a} = "x"', '${a} = "x"'),
        ("(${a} + 1) * 2 = ${b} - 3", "(${a} + 1) * 2 = ${b} - 3"),
        ("${a}=1 and(${b}=2)", "${a} = 1 and (${b} = 2)"),
        # "answered?" tests: an unanswered question is '' in XPath, empty in ours
        ("${a} != ''", "string-length(${a}) > 0"),
        ("${a} = \"\" or '' = ${b}", "string-length(${a}) = 0 or string-length(${b}) = 0"),
        (". != ''", "string-length(.) > 0"),
        ("${a} + ${b} != ''", "${a} + ${b} != ''"),
    ],
)
def test_expressions_are_translated(xpath: str, ours: str) -> None:
    translated = translate_expression(xpath)
    assert translated == ours
    parse(translated)  # and our own grammar reads it


def test_quoted_integer_codes_become_numbers_only_for_integer_coded_questions() -> None:
    integer_coded = {"q", "m"}
    assert (
        translate_expression(
            "selected(${m}, '2') and ${q} != '1' and '3' = ${q} and ${t} = '4'",
            integer_coded=integer_coded,
        )
        == "selected(${m}, 2) and ${q} != 1 and 3 = ${q} and ${t} = '4'"
    )
    assert translate_expression(". = '9'", current="q", integer_coded=integer_coded) == ". = 9"
    assert translate_expression(". = '9'", current="t", integer_coded=integer_coded) == ". = '9'"


@pytest.mark.parametrize(
    ("xpath", "reason"),
    [
        ("today() > 1", "uses the function today(), which is not supported"),
        ("if(${a} = 1, 1, 2) = 1", "uses the function if(), which is not supported"),
        ("regex(., '[0-9]+')", "uses the function regex(), which is not supported"),
        ("${a} mod 2 = 0", "uses the operator 'mod', which is not supported"),
        (
            "jr:choice-name(${a}, '${a}') = 'x'",
            "uses the function jr:choice-name(), which is not supported",
        ),
        ("position(..) = 1", "uses the function position(), which is not supported"),
        ("a = 1", "uses the bare name 'a'; refer to a question as ${a}"),
        ("(${a} = 1", "has a '(' that is never closed"),
        ("${a} = 1 # comment", "unexpected character '#' at position 10"),
    ],
)
def test_unsupported_expressions_are_refused_naming_what(xpath: str, reason: str) -> None:
    with pytest.raises(ExpressionNotSupported) as caught:
        translate_expression(xpath)
    assert reason in caught.value.reasons


def test_unsupported_expressions_are_refused_by_row_and_column(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "relevant", "constraint"],
        ["integer", "a", "A", None, None],
        ["integer", "b", "B", "today() > ${a}", ". mod 2 = 0"],
        ["begin_group", "g", "G", "if(${a} = 1, true(), false())", None],
        ["integer", "c", "C", None, "regex(., 'x')"],
        ["end_group", None, None, None, None],
    ]
    problems = import_problems(tmp_path, survey)
    assert problems == [
        "survey row 3: relevant uses the function today(), which is not supported",
        "survey row 3: constraint uses the operator 'mod', which is not supported",
        "survey row 4: relevant uses the function if(), which is not supported",
        "survey row 4: relevant uses the function true(), which is not supported",
        "survey row 4: relevant uses the function false(), which is not supported",
        "survey row 5: constraint uses the function regex(), which is not supported",
    ]


def test_nested_groups_fold_into_their_top_level_section(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["integer", "a", "A", None],
        ["begin_group", "outer", "Outer", "${a} > 0"],
        ["integer", "b", "B", None],
        ["begin_group", "inner", "Inner", "${b} > 1"],
        ["begin group", "innermost", None, "${b} < 9"],
        ["integer", "c", "C", "${a} != 5"],
        ["end group", None, None, None],
        ["integer", "d", "D", None],
        ["end_group", None, None, None],
        ["integer", "e", "E", None],
        ["end_group", None, None, None],
        ["begin_group", "empty", "Nothing", None],
        ["end_group", None, None, None],
        ["integer", "f", "F", None],
    ]
    document = import_form(tmp_path, survey)
    sections = document["sections"]
    assert [section["id"] for section in sections] == ["section_1", "outer", "section_3"]
    outer = sections[1]
    assert outer["title"] == {"en": "Outer"}
    assert outer["relevant"] == "${a} > 0"
    relevant = {q["id"]: q.get("relevant") for q in outer["questions"]}
    assert relevant == {
        "b": None,
        "c": "(${b} > 1) and (${b} < 9) and (${a} != 5)",
        "d": "${b} > 1",
        "e": None,
    }
    parse(relevant["c"])


# --- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "message"),
    [
        ("begin_repeat", "begin_repeat is not supported"),
        ("begin repeat", "begin_repeat is not supported"),
        ("end_repeat", "end_repeat is not supported"),
        ("calculate", "calculate is not supported"),
        ("hidden", "hidden is not supported"),
        ("acknowledge", "acknowledge is not supported"),
        ("range", "range is not supported"),
        ("rank choices", "rank is not supported"),
        ("image", "image is not supported"),
        ("audio", "audio is not supported"),
        ("video", "video is not supported"),
        ("file", "file is not supported"),
        ("geopoint", "geopoint is not supported"),
        ("geotrace", "geotrace is not supported"),
        ("geoshape", "geoshape is not supported"),
        ("barcode", "barcode is not supported"),
        ("date", "date is not supported"),
        ("time", "time is not supported"),
        ("dateTime", "datetime is not supported"),
        ("select_one_from_file posts.csv", "select_one_from_file is not supported"),
        ("select_multiple_from_file posts.csv", "select_multiple_from_file is not supported"),
        ("select_one_external posts", "select_one_external is not supported"),
        ("trigger", "trigger is not supported"),
        ("select_one yesno or_other", "or_other is not supported (add an 'other' choice)"),
        ("select_one", "select_one needs exactly one list name, got ''"),
        ("integer_thing", "unknown type 'integer_thing'"),
        ("text box", "unknown type 'text box'"),
    ],
)
def test_unsupported_types_are_refused_by_row(tmp_path: Path, type_: str, message: str) -> None:
    survey = [["type", "name", "label"], ["integer", "ok", "Fine"], [type_, "x", "X"]]
    assert import_problems(tmp_path, survey, choices=YESNO_CHOICES) == [f"survey row 3: {message}"]


@pytest.mark.parametrize(
    "metadata",
    ["start", "end", "today", "deviceid", "phonenumber", "username", "email", "subscriberid"],
)
def test_device_metadata_is_refused_as_identifying(tmp_path: Path, metadata: str) -> None:
    survey = [["type", "name", "label"], [metadata, metadata, None]]
    assert import_problems(tmp_path, survey) == [
        f"survey row 2: '{metadata}' is device metadata that could identify the respondent; "
        "MSS never records it (delete the row)"
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("choice_filter", "list = ${a}", "choice_filter (cascading selects) is not supported"),
        ("repeat_count", "3", "repeat_count is not supported (repeats are not supported)"),
        ("calculation", "${a} + 1", "the calculation column is not supported"),
        ("trigger", "${a}", "trigger is not supported"),
        ("default", "3", "default answers are not supported"),
        ("read_only", "yes", "read_only is not supported"),
        ("image", "photo.jpg", "media (image) is not supported"),
        ("media::audio::English (en)", "a.mp3", "media (audio) is not supported"),
        ("video::English (en)", "v.mp4", "media (video) is not supported"),
        ("appearance", "signature", "appearance 'signature' is not supported"),
        ("appearance", "minimal search('posts')", "appearance 'search('posts')' is not supported"),
        (
            "required",
            "${a} = 1",
            "required must be yes or no, not '${a} = 1' (a conditional required is not supported)",
        ),
    ],
)
def test_unsupported_columns_with_a_value_are_refused_by_row(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    survey = [
        ["type", "name", "label", column],
        ["integer", "a", "A", None],
        ["integer", "b", "B", value],
    ]
    assert import_problems(tmp_path, survey) == [f"survey row 3: {message}"]


def test_visual_appearances_and_empty_refused_columns_are_ignored(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "appearance", "calculation", "choice_filter", "image"],
        ["select_one yesno", "a", "A", "minimal", None, None, None],
        ["select_one yesno", "b", "B", "horizontal-compact columns-4 w2", None, None, None],
        ["select_multiple yesno", "c", "C", "quick field-list", "", "", ""],
        ["integer", "d", "D", "thousands-sep", None, None, None],
    ]
    document = import_form(tmp_path, survey, choices=YESNO_CHOICES)
    assert [q["id"] for q in document["questions"]] == ["a", "b", "c", "d"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label"],
        ["begin_repeat", "r", "R"],
        ["integer", "a-b", "Bad name"],
        ["integer", "age", "Age"],
        ["text", "age", "Again"],
        ["end_group", None, None],
        ["geopoint", "where", "Where"],
        [None, "orphan", "No type"],
        ["begin_group", "open", "Never closed"],
        ["note", "n", "N"],
    ]
    assert import_problems(tmp_path, survey) == [
        "survey row 2: begin_repeat is not supported",
        "survey row 3: name 'a-b' is not a valid question id (a letter, then letters, digits "
        "and '_')",
        "survey row 5: name 'age' is already used on survey row 4",
        "survey row 6: end_group without a begin_group",
        "survey row 7: geopoint is not supported",
        "survey row 8: no type",
        "survey row 9: begin_group 'open' is never closed",
    ]


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "semver"),
    [
        (2024051501, "2024051501.0.0"),
        ("2024051501", "2024051501.0.0"),
        ("3", "3.0.0"),
        ("1.2", "1.2.0"),
        ("v1.2.3", "1.2.3"),
        ("01.02.03", "1.2.3"),
        ("vMx8e3 (2024-05-15)", "1.0.0"),
        (None, "1.0.0"),
    ],
)
def test_versions_become_semantic_versions(tmp_path: Path, version: Any, semver: str) -> None:
    survey = [["type", "name", "label"], ["integer", "a", "A"]]
    document = import_form(tmp_path, survey, settings=[["version", "form_id"], [version, "x"]])
    assert document["version"] == semver


@pytest.mark.parametrize(
    ("form_id", "spec_id"),
    [("cips_2024", "cips_2024"), ("CIPS Survey (v2)", "cips-survey-v2"), ("--Ünï--", "n")],
)
def test_form_ids_are_normalised(tmp_path: Path, form_id: str, spec_id: str) -> None:
    survey = [["type", "name", "label"], ["integer", "a", "A"]]
    document = import_form(tmp_path, survey, settings=[["form_id"], [form_id]])
    assert document["id"] == spec_id
    assert document["title"] == {"en": form_id}


def test_a_language_column_without_a_code_is_refused(tmp_path: Path) -> None:
    survey = [["type", "name", "label::Klingon", "label::Arabic"], ["integer", "a", "A", "ا"]]
    assert import_problems(tmp_path, survey) == [
        "survey column 'label::Klingon': no language code; write it as "
        "'label::Klingon (xx)' with the ISO 639-1 code"
    ]


def test_a_workbook_with_a_wrong_used_range_is_read_in_full(tmp_path: Path) -> None:
    good = write_form(
        tmp_path / "good.xlsx",
        [["type", "name", "label"], ["integer", "a", "A"], ["text", "b", "B"]],
    )
    # Some spreadsheet writers record the used range as just "A1"; read-only readers that
    # trust it would see one cell.
    shrunk = tmp_path / "shrunk.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(shrunk, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(item, data)
    document = xlsform_to_document(shrunk)
    assert [question["id"] for question in document["questions"]] == ["a", "b"]


# --- not an XLSForm -------------------------------------------------------------------------


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XLSFormError, match="no such file"):
        xlsform_to_document(tmp_path / "absent.xlsx")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XLSFormError, match="not a file"):
        xlsform_to_document(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("form.xlsx", b"type,name,label\ninteger,a,A\n", "not an .xlsx workbook"),
        ("form.csv", b"type,name,label\ninteger,a,A\n", "not an .xlsx workbook"),
        ("form.txt", "Enquête, intégrité\n".encode(), "not an .xlsx workbook"),
        ("form.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old binary .xls"),
        ("empty.xlsx", b"", "not an .xlsx workbook"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(XLSFormError, match=message):
        xlsform_to_document(path)


def test_a_corrupt_workbook_is_refused(tmp_path: Path) -> None:
    good = write_form(tmp_path / "good.xlsx", [["type", "name", "label"], ["integer", "a", "A"]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:-200])
    not_a_workbook = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no workbook inside")
    for path in (truncated, not_a_workbook):
        with pytest.raises(XLSFormError) as caught:
            xlsform_to_document(path)
        (problem,) = caught.value.problems
        assert problem.startswith("not a")


def test_a_workbook_without_a_survey_sheet_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    workbook.active.append(["item", "cost"])
    path = tmp_path / "budget.xlsx"
    workbook.save(path)
    with pytest.raises(XLSFormError) as caught:
        xlsform_to_document(path)
    assert caught.value.problems == [
        "no 'survey' sheet, so this is not an XLSForm (sheets: budget)"
    ]


def test_a_survey_sheet_without_type_and_name_columns_is_refused(tmp_path: Path) -> None:
    problems = import_problems(tmp_path, [["question", "answer"], ["Age?", "40"]])
    assert problems == [
        "survey sheet: no 'type' column, so this is not an XLSForm",
        "survey sheet: no 'name' column, so this is not an XLSForm",
    ]


# --- the command line -----------------------------------------------------------------------

MSS = Path(sys.executable).parent / "mss"


def run_mss(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MSS), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_imports_a_form_that_validate_accepts(tmp_path: Path) -> None:
    form = write_form(
        tmp_path / "officials.xlsx", KOBO_SURVEY, choices=KOBO_CHOICES, settings=KOBO_SETTINGS
    )
    out = tmp_path / "officials.yaml"

    imported = run_mss("spec", "import-xlsform", form, "-o", out)
    assert imported.returncode == 0, imported.stdout + imported.stderr

    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written == xlsform_to_document(form)
    validated = run_mss("spec", "validate", out)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_the_command_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label"],
        ["start", "start", None],
        ["begin_repeat", "r", "R"],
        ["select_one yesno2", "q", "Q?"],
        ["end_repeat", None, None],
    ]
    form = write_form(tmp_path / "bad.xlsx", survey, choices=YESNO_CHOICES)
    out = tmp_path / "bad.yaml"

    result = run_mss("spec", "import-xlsform", form, "-o", out)

    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "Traceback" not in said
    for expected in (
        "survey row 2: 'start' is device metadata",
        "survey row 3: begin_repeat is not supported",
        "survey row 4: select_one refers to unknown list 'yesno2'",
        "survey row 5: end_repeat is not supported",
    ):
        assert expected in said
    assert not out.exists()


def test_the_command_refuses_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    form = tmp_path / "answers.csv"
    form.write_text("type,name,label\ninteger,age,Age\n", encoding="utf-8")
    out = tmp_path / "answers.yaml"

    result = run_mss("spec", "import-xlsform", form, "-o", out)

    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "not an .xlsx workbook" in said
    assert "Traceback" not in said
    assert not out.exists()


def test_the_command_reports_what_the_spec_checks_find(tmp_path: Path) -> None:
    # The Portuguese label is missing: the import does not invent it, the checks say so.
    survey = [["type", "name", "label::English (en)", "label::Português (pt)"]]
    survey.append(["integer", "age", "Age", None])
    settings = [["form_title::English (en)", "form_title::Português (pt)"], ["Survey", "Inquérito"]]
    form = write_form(tmp_path / "partial.xlsx", survey, settings=settings)
    out = tmp_path / "partial.yaml"

    result = run_mss("spec", "import-xlsform", form, "-o", out)

    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "label.pt" in said
    assert "Traceback" not in said
