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

from questionnaire_specs import check_spec_document
from questionnaire_specs.expressions import parse
from questionnaire_specs.question_types import kind_of
from questionnaire_specs.xlsform import XLSFormError, import_xlsform, xlsform_to_document
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
        ["integer", "age", "Âge", "Edad", "Idade"],
    ]
    settings = [["default_language", "form_title"], ["French (fr)", "Enquête"]]
    document = import_form(tmp_path, survey, settings=settings)
    assert document["languages"] == [
        {"code": "fr", "name": "Français"},
        {"code": "es", "name": "Español"},
        {"code": "pt", "name": "Português"},
    ]
    assert document["questions"][0]["label"] == {"fr": "Âge", "es": "Edad", "pt": "Idade"}
    # XLSForm does not translate form_title: one title serves every language.
    assert document["title"] == {"fr": "Enquête", "es": "Enquête", "pt": "Enquête"}
    assert document["populations"][0]["label"] == {
        "fr": "Tous les répondants",
        "es": "Todas las personas encuestadas",
        "pt": "Todos os respondentes",
    }
    check_spec_document(document, "form.xlsx")


def test_a_missing_label_translation_is_refused_by_row(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "label::Español (es)", "label::Português (pt)"],
        ["integer", "age", "Âge", "Edad", None],
    ]
    settings = [["default_language"], ["French (fr)"]]
    assert import_problems(tmp_path, survey, settings=settings) == [
        "survey row 2: 'age' has no label in pt"
    ]


@pytest.mark.parametrize(
    ("headers", "codes"),
    [
        (["label::English", "label::Français"], ["en", "fr"]),
        (["label:english", "label:french"], ["en", "fr"]),
        (["Label::English (en)", "LABEL::Arabic"], ["en", "ar"]),
        (["label::Kiswahili", "label::Kinyarwanda"], ["sw", "rw"]),
    ],
)
def test_language_names_without_a_code_are_looked_up(
    tmp_path: Path, headers: list[str], codes: list[str]
) -> None:
    hint = headers[0].replace("label", "hint").replace("Label", "hint")
    survey = [["type", "name", *headers, hint]]
    survey.append(["integer", "age", "Age", "Âge", "Years"])
    result = import_xlsform(write_form(tmp_path / "form.xlsx", survey))
    assert [language["code"] for language in result.document["languages"]] == codes
    # The hint has one language only: the other falls back to the default, with a warning.
    help_ = result.document["questions"][0]["help"]
    assert help_ == dict.fromkeys(codes, "Years")
    assert any("hint has no" in warning for warning in result.warnings)
    check_spec_document(result.document, "form.xlsx")


def test_two_columns_of_one_language_are_ambiguous(tmp_path: Path) -> None:
    survey = [["type", "name", "label::English", "label::English (en)"], ["integer", "a", "A", "A"]]
    (problem,) = import_problems(tmp_path, survey)
    assert "ambiguous" in problem
    assert "'English'" in problem
    assert "'English (en)'" in problem


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


def test_any_choice_name_xlsform_allows_gets_a_stable_code(tmp_path: Path) -> None:
    # XLSForm allows any name, and one list may mix integers and text: the integers keep
    # their number, the others take the next ones, and the original name is kept.
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one m", "q", "Q?", None],
        ["text", "why", "Why?", "${q} = 'two words' or selected(${q}, 'não-sei')"],
    ]
    choices = [
        ["list_name", "name", "label"],
        ["m", 1, "one"],
        ["m", "two words", "two"],
        ["m", 1.5, "half"],
        ["m", 7, "seven"],
        ["m", "não-sei", "don't know"],
    ]
    document = import_form(tmp_path, survey, choices=choices)
    q, why = document["questions"]
    assert [(o["code"], o.get("name")) for o in q["options"]] == [
        (1, None),
        (8, "two words"),
        (9, "1.5"),
        (7, None),
        (10, "não-sei"),
    ]
    assert why["relevant"] == "${q} = 8 or selected(${q}, 10)"
    check_spec_document(document, "form.xlsx")


def test_one_bad_choice_row_is_reported_alone_and_its_list_still_exists(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label::English (en)", "label::Français (fr)"],
        ["select_one m", "q", "Q?", "Q ?"],
        ["select_multiple m", "r", "R?", "R ?"],
    ]
    choices = [
        ["list_name", "name", "label::English (en)", "label::Français (fr)"],
        ["m", 1, "one", "un"],
        ["m", 2, "two", None],
        ["m", 3, "three", "trois"],
    ]
    assert import_problems(tmp_path, survey, choices=choices) == [
        "choices row 3: choice '2' of list 'm' has no label in fr"
    ]


def test_pyxform_refuses_a_nameless_or_twice_named_choice_by_row(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one m", "q", "Q?"]]
    twice = [["list_name", "name", "label"], ["m", 1, "one"], ["m", 1, "again"]]
    (problem,) = import_problems(tmp_path, survey, choices=twice)
    assert problem.startswith("choices row 3:")
    assert "Duplicate" in problem or "duplicate" in problem


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
    assert problems == ["survey row 2: List name not in choices sheet: yesno2"]


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
        # XLSForm's functions, spelt as ours; mod is an operator in both
        ("${a} mod 2 = 0", "${a} mod 2 = 0"),
        ("if(${a} = 1, true(), false())", "if(${a} = 1, true(), false())"),
        ("regex(., '^[0-9]{3}$')", "regex(., '^[0-9]{3}$')"),
        ("round(${a} div 3, 2) > 1", "round(${a} / 3, 2) > 1"),
        ("concat(${a}, ' ', coalesce(${b}, 'none'))", "concat(${a}, ' ', coalesce(${b}, 'none'))"),
        ("jr:choice-name(${a}, '${a}') = 'x'", "jr:choice-name(${a}, '${a}') = 'x'"),
        ("selected-at(${m}, 0) = 'x' and count-selected(${m}) > 1", None),
        ("not(${a}) mod 2", "(not(${a})) mod 2"),
    ],
)
def test_expressions_are_translated(xpath: str, ours: str | None) -> None:
    translated = translate_expression(xpath)
    assert translated == (xpath if ours is None else ours)
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
        (
            "today() > 1",
            "uses the function today(), which is not supported: device time could identify "
            "the respondent; MSS never records it",
        ),
        ("substring(${a}, 1, 2) = 'x'", "uses the function substring(), which is not supported"),
        (
            "position(..) = 1",
            "uses the function position(), which is not supported: a release has one row per "
            "respondent (no repeats)",
        ),
        ("a = 1", "uses the bare name 'a'; refer to a question as ${a}"),
        (
            "regex(., '^((0)*[0-9]{3})+$')",  # a real form's phone pattern: backtracks forever
            "has a regex() pattern outside the common subset: a repeated group may not hold a "
            "repetition or an alternative (it could backtrack without end)",
        ),
        ("if(${a} = 1, 2)", "cannot be read: if() takes 3 argument(s), not 2"),
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
        ["begin_group", "g", "G", "uuid() = 'x' and ${a} = 1", None],
        ["integer", "c", "C", None, "sqrt(.) > 1"],
        ["end_group", None, None, None, None],
    ]
    problems = import_problems(tmp_path, survey)
    assert problems == [
        "survey row 3: relevant uses the function today(), which is not supported: device time "
        "could identify the respondent; MSS never records it",
        "survey row 4: relevant uses the function uuid(), which is not supported: a per-response "
        "identifier is made by MSS itself, outside the answers",
        "survey row 5: constraint uses the function sqrt(), which is not supported",
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


_NOT_YET = "not yet: MSS has no answer rule for it"
_MEDIA = "MSS never records media (photo, audio, video, file, barcode)"
_GEO = "a location could identify the respondent; MSS never records one"
_EXTERNAL = "a station has no external data; put the choices in the form"


@pytest.mark.parametrize(
    ("type_", "message"),
    [
        ("hidden", f"hidden is not supported ({_NOT_YET})"),
        ("acknowledge", f"acknowledge is not supported ({_NOT_YET})"),
        ("image", f"image is not supported ({_MEDIA})"),
        ("audio", f"audio is not supported ({_MEDIA})"),
        ("video", f"video is not supported ({_MEDIA})"),
        ("file", f"file is not supported ({_MEDIA})"),
        ("barcode", f"barcode is not supported ({_MEDIA})"),
        ("geopoint", f"geopoint is not supported ({_GEO})"),
        ("geotrace", f"geotrace is not supported ({_GEO})"),
        ("geoshape", f"geoshape is not supported ({_GEO})"),
        ("time", f"time is not supported ({_NOT_YET})"),
        ("dateTime", f"dateTime is not supported ({_NOT_YET})"),
        (
            "select_one_from_file posts.csv",
            f"choices from a file (posts.csv) are not supported ({_EXTERNAL})",
        ),
        (
            "select_multiple_from_file posts.csv",
            f"choices from a file (posts.csv) are not supported ({_EXTERNAL})",
        ),
        ("trigger", f"trigger is not supported ({_NOT_YET})"),
        ("integer_thing", "unknown type 'integer_thing'"),
        ("text box", "unknown type 'text box'"),
    ],
)
def test_unsupported_types_are_refused_by_row(tmp_path: Path, type_: str, message: str) -> None:
    survey = [["type", "name", "label"], ["integer", "ok", "Fine"], [type_, "x", "X"]]
    assert import_problems(tmp_path, survey, choices=YESNO_CHOICES) == [f"survey row 3: {message}"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["begin_repeat", "r", "R"], ["integer", "n", "N"], ["end_repeat", None, None]],
            "survey row 3: begin_repeat is not supported (a release has one row per respondent)",
        ),
        (
            [["begin repeat", "r", "R"], ["integer", "n", "N"], ["end repeat", None, None]],
            "survey row 3: begin repeat is not supported (a release has one row per respondent)",
        ),
        (
            [["calculate", "c", None, "${later} + 1"]],
            "survey row 3: On the 'survey' sheet, the 'calculation' value is invalid. Reference "
            "variables must contain a name from the 'survey' sheet. Could not find the name "
            "'later'.",
        ),
        (
            [["select_one_external yesno", "x", "X", None]],
            "survey row 3: select_one_external yesno is not supported "
            "(a station has no external data; put the choices in the form)",
        ),
    ],
)
def test_repeats_bad_calculations_and_external_selects_are_refused_by_row(
    tmp_path: Path, rows: Rows, message: str
) -> None:
    survey = [["type", "name", "label", "calculation"], ["integer", "ok", "Fine", None], *rows]
    sheets: dict[str, Any] = {"choices": YESNO_CHOICES}
    if "external" in rows[0][0]:
        sheets["extra_sheets"] = {"external_choices": [["list_name", "name"], ["yesno", "1"]]}
    assert import_problems(tmp_path, survey, **sheets) == [message]


def test_or_other_is_accepted_as_pyxform_reads_it(tmp_path: Path) -> None:
    # pyxform adds the `other` choice and a text question asked when it is selected.
    survey = [["type", "name", "label"], ["select_one yesno or_other", "q", "Q?"]]
    document = import_form(tmp_path, survey, choices=YESNO_CHOICES)
    q, other = document["questions"]
    assert [(o["code"], o.get("name")) for o in q["options"]] == [
        (1, None),
        (2, None),
        (3, "other"),
    ]
    assert other["id"] == "q_other"
    assert other["type"] == "text"
    assert other["relevant"] == "selected(${q}, 3)"
    check_spec_document(document, "form.xlsx")


@pytest.mark.parametrize(
    "metadata",
    [
        *("start", "end", "today", "deviceid", "phonenumber", "username", "email"),
        *("subscriberid", "imei", "simserial", "audit"),
    ],
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
        (
            "choice_filter",
            "list = ${a}",
            "choice_filter is only for select_one, select_multiple and rank questions",
        ),
        ("calculation", "${a} + 1", "the calculation column is not supported"),
        ("trigger", "${a}", "trigger is not supported"),
        (
            "default",
            "today()",
            "default 'today()' is worked out on the device (a dynamic default), which MSS "
            "does not support: device time could identify the respondent; a value from other "
            "answers is a calculate question's",
        ),
        ("default", "one", "default 'one' is not a number"),
        ("default", "2.5", "default '2.5' is not a whole number"),
        ("image", "photo.jpg", "media (image) is not supported"),
        ("media::audio::English (en)", "a.mp3", "media (audio) is not supported"),
        ("video::English (en)", "v.mp4", "media (video) is not supported"),
        (
            "appearance",
            "minimal search('posts')",
            "appearance \"search('posts')\" reads choices from an external file, "
            "which a station does not have",
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


def test_a_conditional_required_becomes_required_when(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "required", "relevant"],
        ["select_one yesno", "a", "A", "yes", None],
        # Excel's curly quotes go through the translation relevance gets
        ["text", "b", "B", "${a} = \u20181\u2019 or ${a}=2", None],
        ["integer", "c", "C", "selected(${a}, '1')", "${a} = 1"],
        ["integer", "d", "D", "no", None],
        ["integer", "e", "E", "true()", None],
    ]
    document = import_form(tmp_path, survey, choices=YESNO_CHOICES)
    questions = {q["id"]: q for q in document["questions"]}
    assert questions["a"]["required"] is True and "required_when" not in questions["a"]
    assert questions["b"]["required_when"] == "${a} = 1 or ${a} = 2"
    assert "required" not in questions["b"]
    assert questions["c"]["required_when"] == "selected(${a}, 1)"
    assert questions["c"]["relevant"] == "${a} = 1"
    assert "required" not in questions["d"] and "required_when" not in questions["d"]
    assert questions["e"]["required"] is True
    spec = check_spec_document(document, "form.yaml")
    assert spec.question("b").required_when_expression is not None


def test_a_conditional_required_gets_the_expression_refusals_by_row(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "required"],
        ["integer", "a", "A", None],
        ["integer", "b", "B", "${a} > 1 and today() > 0"],
    ]
    problems = import_problems(tmp_path, survey)
    assert len(problems) == 1 and problems[0].startswith("survey row 3: required ")
    assert "today()" in problems[0]


def test_unknown_appearances_and_stray_messages_are_warnings(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "appearance", "constraint_message"],
        ["image", "sig", "Sign", "signature", None],
        ["integer", "a", "A", "spinner", "Too big"],
    ]
    with pytest.raises(XLSFormError):  # the image itself is still refused
        import_form(tmp_path, survey)
    result = import_xlsform(write_form(tmp_path / "w.xlsx", [survey[0], survey[2]]))
    assert result.document["questions"][0]["id"] == "a"
    assert "constraint_message" not in result.document["questions"][0]
    assert "survey row 2: appearance 'spinner' is ignored" in result.warnings
    assert "survey row 2: constraint_message without a constraint is ignored" in result.warnings


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


def test_every_problem_mss_finds_is_reported_at_once(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label"],
        ["begin_repeat", "r", "R"],
        ["integer", "n", "N"],
        ["end_repeat", None, None],
        ["integer", "a-b", "A name XLSForm allows"],
        ["start", "start", None],
        ["geopoint", "where", "Where"],
        ["select_one yesno", "q", "Q", None],
        ["note", "n2", "N"],
    ]
    survey[-2] = ["select_one yesno", "q", "Q"]
    assert import_problems(tmp_path, survey, choices=YESNO_CHOICES, settings=None) == [
        "survey row 2: begin_repeat is not supported (a release has one row per respondent)",
        "survey row 6: 'start' is device metadata that could identify the respondent; "
        "MSS never records it (delete the row)",
        f"survey row 7: geopoint is not supported ({_GEO})",
    ]


@pytest.mark.parametrize(
    ("rows", "start"),
    [
        ([["integer", "age", "Age"], ["text", "age", "Again"]], "survey row 3:"),
        ([["end_group", None, None]], "survey row 2:"),
        ([[None, "orphan", "No type"]], "survey row 2:"),
        ([["begin_group", "open", "Never closed"], ["note", "n", "N"]], "survey row 2:"),
    ],
)
def test_what_pyxform_refuses_is_refused_naming_the_row(
    tmp_path: Path, rows: Rows, start: str
) -> None:
    (problem,) = import_problems(tmp_path, [["type", "name", "label"], *rows])
    assert problem.startswith(start)


def test_names_xlsform_allows_become_spec_ids_and_keep_their_name(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["begin_group", "work", "Work", None],
        ["integer", "âge", "Age", None],
        ["integer", "years-here", "Years here", "${âge} > 18"],
        ["end_group", None, None, None],
        ["begin_group", "home", "Home", None],
        ["integer", "years-here", "Years at home", "${âge} > 18"],
        ["end_group", None, None, None],
    ]
    document = import_form(tmp_path, survey)
    work, home = document["sections"]
    assert [(q["id"], q.get("name")) for q in work["questions"]] == [
        ("age", "âge"),
        ("years_here", "years-here"),
    ]
    # The same name in another group, as XLSForm allows: prefixed by its section.
    assert [(q["id"], q.get("name")) for q in home["questions"]] == [
        ("home_years_here", "years-here")
    ]
    assert home["questions"][0]["relevant"] == "${age} > 18"
    check_spec_document(document, "form.xlsx")


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
        "language column 'Klingon': 'Klingon' has no two-letter ISO 639-1 code; "
        "write it as 'Name (xx)'"
    ]
    survey = [["type", "name", "label::Qwghlmian"], ["integer", "a", "A"]]
    assert import_problems(tmp_path, survey) == [
        "language column 'Qwghlmian': no language is named 'Qwghlmian'; "
        "write it as 'Name (xx)' with the ISO 639-1 code"
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
        ("form.xlsx", b"type,name,label\ninteger,a,A\n", "not an XLSForm workbook"),
        ("form.csv", b"type,name,label\ninteger,a,A\n", "not an XLSForm workbook"),
        ("form.txt", "Enquête, intégrité\n".encode(), "not an XLSForm workbook"),
        ("form.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "not an XLSForm workbook"),
        ("empty.xlsx", b"", "not an XLSForm workbook"),
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
        "no 'survey' sheet, so this is not an XLSForm (sheets: Budget)"
    ]


def test_a_survey_sheet_without_type_and_name_columns_is_refused(tmp_path: Path) -> None:
    problems = import_problems(tmp_path, [["question", "answer"], ["Age?", "40"]])
    (problem,) = problems
    assert "required column headers were not found: 'type'" in problem


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
        ["select_one yesno", "q", "Q?"],
        ["end_repeat", None, None],
        ["geopoint", "where", "Where?"],
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
        "survey row 6: geopoint is not supported",
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
    assert "not an XLSForm workbook" in said
    assert "Traceback" not in said
    assert not out.exists()


def test_the_command_reports_what_the_spec_checks_find(tmp_path: Path) -> None:
    # A forward reference is XLSForm's business to allow and the spec checks' to refuse.
    survey = [
        ["type", "name", "label", "relevant"],
        ["integer", "age", "Age", "${later} > 1"],
        ["integer", "later", "Later", None],
    ]
    form = write_form(tmp_path / "partial.xlsx", survey)
    out = tmp_path / "partial.yaml"

    result = run_mss("spec", "import-xlsform", form, "-o", out)

    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "question age: relevant: ${later} is asked later" in said
    assert "Traceback" not in said
    assert not out.exists()


# --- what pyxform normalises, MSS accepts ---------------------------------------------------


def test_headers_in_any_case_legacy_types_and_curly_quotes(tmp_path: Path) -> None:
    survey = [
        ["TYPE", "Name", "Label", "Relevance", "Constraint", "Required"],
        ["select one from yesno", "q", "Q?", None, None, "TRUE"],
        ["select all that apply from yesno", "r", "R?", "${q} = \u20181\u2019", None, None],
        ["int", "n", "N?", None, ". < \u201c5\u201d", None],
        ["string", "s", "S?", None, None, None],
    ]
    document = import_form(tmp_path, survey, choices=YESNO_CHOICES)
    q, r, n, s = document["questions"]
    assert (q["type"], q["required"]) == ("single_choice", True)
    assert (r["type"], r["relevant"]) == ("multi_choice", "${q} = 1")
    assert (n["type"], n["integer"], n["constraint"]) == ("number", True, '. < "5"')
    assert s["type"] == "text"
    check_spec_document(document, "form.xlsx")


def test_a_phone_number_question_is_free_text_with_a_warning(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["phone number", "phone", "Your phone?"]]
    result = import_xlsform(write_form(tmp_path / "form.xlsx", survey))
    (phone,) = result.document["questions"]
    assert (phone["type"], phone["disclosure"]) == ("text", "free_text")
    assert any("phone number" in warning for warning in result.warnings)
    check_spec_document(result.document, "form.xlsx")


def test_an_empty_choices_sheet_is_no_choices(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["text", "t", "T?"]]
    document = import_form(tmp_path, survey, choices=[["list_name", "name", "label"]])
    assert [q["id"] for q in document["questions"]] == ["t"]


def test_a_csv_and_an_xls_workbook_import_as_pyxform_reads_them() -> None:
    real = Path(__file__).parent / "fixtures" / "real"
    for name in ("pyxform-specify_other.csv", "pyxform-specify_other.xls"):
        document = xlsform_to_document(real / name)
        assert [q["id"] for q in document["questions"]] == ["sex", "sex_other"]


def test_date_range_and_calculate_import_with_their_parameters(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "calculation", "parameters", "constraint"],
        ["integer", "age", "Age", None, None, None],
        ["calculate", "twice", None, "${age} * 2", None, None],
        ["date", "joined", "When did you join?", None, None, ". >= '2000-01-01'"],
        ["range", "rate", "Rate it", None, "start=0 end=10 step=2", None],
        ["range", "plain", "Rate it again", None, None, None],
    ]
    questions = import_form(tmp_path, survey)["questions"]
    by_id = {question["id"]: question for question in questions}
    assert by_id["twice"] == {
        "id": "twice", "type": "calculate", "label": {"en": "twice"}, "calculation": "${age} * 2"
    }  # fmt: skip
    assert by_id["joined"]["type"] == "date"
    assert by_id["joined"]["constraint"] == ". >= '2000-01-01'"
    assert (by_id["rate"]["min"], by_id["rate"]["max"], by_id["rate"]["step"]) == (0, 10, 2)
    # ODK's defaults, as pyxform fills them
    assert (by_id["plain"]["min"], by_id["plain"]["max"], by_id["plain"]["step"]) == (1, 10, 1)
    spec = check_spec_document(import_form(tmp_path, survey), "form")
    assert spec.question("twice").calculation_expression is not None


def test_a_calculate_s_bind_type_is_its_declared_calculation_type(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "calculation", "bind::type"],
        ["integer", "age", "Age", None, None],
        ["calculate", "half", None, "${age} div 2", None],
        ["calculate", "whole", None, "${age} div 2", "int"],
        ["calculate", "word", None, "${age} * 2", "string"],
    ]
    spec = check_spec_document(import_form(tmp_path, survey), "form")
    kinds = {q.id: kind_of(q).release(q, spec) for q in spec.questions}
    assert kinds == {"age": "integer", "half": "decimal", "whole": "integer", "word": "text"}
    assert spec.question("half").calculation_type is None


def test_a_range_with_fractional_steps_is_refused_by_row(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "parameters"],
        ["range", "rate", "Rate it", "start=0 end=1 step=0.5"],
    ]
    assert import_problems(tmp_path, survey) == [
        "survey row 2: range step='0.5' is not supported (a range takes whole numbers: "
        "use a decimal question for fractions)"
    ]


def test_a_renamed_question_is_renamed_inside_jr_choice_name(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "q-1", "Q1", None],
        ["text", "why", "Why", "jr:choice-name(${q-1}, '${q-1}') = 'Yes' and ${q-1} mod 2 = 0"],
    ]
    choices = [["list_name", "name", "label"], ["yn", "1", "Yes"], ["yn", "2", "No"]]
    document = import_form(tmp_path, survey, choices=choices)
    relevant = document["questions"][1]["relevant"]
    assert relevant == "jr:choice-name(${q_1}, '${q_1}') = 'Yes' and ${q_1} mod 2 = 0"
    check_spec_document(document, "form")


def test_a_choice_name_compared_with_selected_at_becomes_its_code() -> None:
    translated = translate_expression(
        "selected-at(${m}, 0) = 'yes' and 'no' != selected-at(${m}, count-selected(${m}) - 1)"
        " and selected-at(${n}, 1) = '2'",
        choice_codes={"m": {"yes": 1, "no": 2}},
        integer_coded={"m", "n"},
    )
    assert translated == (
        "selected-at(${m}, 0) = 1 and 2 != selected-at(${m}, count-selected(${m}) - 1)"
        " and selected-at(${n}, 1) = 2"
    )
