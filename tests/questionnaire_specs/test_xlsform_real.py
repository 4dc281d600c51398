"""Real XLSForms (pyxform's own test workbooks), each with its expected outcome, and mangled ones.

fixtures/real/MANIFEST.yaml records, for every workbook, where it comes from and what the
import does with it: it imports (and passes the spec checks), or it is refused with exactly
the listed problems, each naming its row and reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire_specs import SpecError, check_spec_document, load_spec_text
from questionnaire_specs.xlsform import XLSFormError, import_xlsform

REAL = Path(__file__).parent / "fixtures" / "real"
MANIFEST: dict[str, Any] = yaml.safe_load((REAL / "MANIFEST.yaml").read_text(encoding="utf-8"))
FORMS: dict[str, dict[str, Any]] = MANIFEST["forms"]


def test_the_manifest_lists_every_workbook_with_its_origin() -> None:
    on_disk = {p.name for p in REAL.iterdir() if p.suffix in (".xlsx", ".xls", ".csv")}
    assert on_disk == set(FORMS)
    assert 30 <= len(FORMS) <= 64
    assert MANIFEST["origin"]["licence"].startswith("BSD-2-Clause")
    assert (REAL / "LICENSE-pyxform.txt").read_text().startswith("Copyright (c) 2015, XLSForm")
    for name in FORMS:
        assert (REAL / name).stat().st_size < 200_000


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_real_form_has_its_recorded_outcome(name: str) -> None:
    expected = FORMS[name]
    if expected["outcome"] == "imports":
        result = import_xlsform(REAL / name)
        spec = check_spec_document(result.document, name)
        # What is written is what `mss spec validate` reads back, identity and all.
        text = yaml.safe_dump(result.document, allow_unicode=True, sort_keys=False)
        assert load_spec_text(text, name).identity == spec.identity
        return
    if expected["outcome"] == "fails the spec checks":
        # The workbook maps onto a spec that the spec checks refuse (`mss spec import-xlsform`
        # prints these problems and writes nothing): each names its question and field.
        document = import_xlsform(REAL / name).document
        with pytest.raises(SpecError) as refused:
            check_spec_document(document, name)
        assert [str(problem) for problem in refused.value.problems] == expected["check_problems"]
        return
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(REAL / name)
    assert caught.value.problems == expected["problems"]


def test_every_deliberate_refusal_names_its_row_or_sheet() -> None:
    for expected in FORMS.values():
        for problem in expected.get("problems", []):
            assert problem.startswith(("survey row ", "choices row ", "the form: ")) or (
                # pyxform's refusals of the workbook as a whole (a header, a column).
                "header" in problem or "column" in problem
            ), problem


def test_enough_real_forms_import() -> None:
    imported = [name for name, entry in FORMS.items() if entry["outcome"] == "imports"]
    assert len(imported) >= 20


def test_or_other_and_legacy_spellings_from_pyxform_s_forms_import() -> None:
    # `select one from x or specify other` style forms: pyxform's specify_other workbook.
    document = import_xlsform(REAL / "pyxform-specify_other.xlsx").document
    sex, other = document["questions"][:2]
    assert [o.get("name", o["code"]) for o in sex["options"]] == ["male", "female", "other"]
    assert other["relevant"] == "selected(${sex}, 'other')"


# --- mangled workbooks: never a crash ------------------------------------------------------

_SEED_ROWS: list[list[Any]] = [
    ["type", "name", "label::English (en)", "label::Français (fr)", "relevant", "constraint"],
    ["begin_group", "g", "Group", "Groupe", None, None],
    ["select_one yn", "q1", "Q1", "Q1 fr", None, None],
    ["integer", "age", "Age", "Âge", "${q1} = 'yes'", ". > 0"],
    ["end_group", None, None, None, None, None],
    ["text", "why", "Why", "Pourquoi", "${age} > 3", None],
]
_SEED_CHOICES: list[list[Any]] = [
    ["list_name", "name", "label::English (en)", "label::Français (fr)"],
    ["yn", "yes", "Yes", "Oui"],
    ["yn", "no", "No", "Non"],
]
_CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "begin_group",
            "end_group",
            "begin_repeat",
            "select_one",
            "select_one nope",
            "select_multiple yn",
            "calculate",
            "start",
            "${",
            "${q1} = '",
            "regex(., 'x')",
            "label::",
            "::",
            "yes",
            "1.5",
            "q1",
        ]
    ),
    # Control characters cannot be written to a worksheet at all.
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@st.composite
def _mangled(draw: st.DrawFn) -> tuple[list[list[Any]], list[list[Any]]]:
    survey = [list(row) for row in _SEED_ROWS]
    choices = [list(row) for row in _SEED_CHOICES]
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from([survey, choices]))
        row = draw(st.integers(0, len(sheet) - 1))
        column = draw(st.integers(0, len(sheet[row]) - 1))
        sheet[row][column] = draw(_CELLS)
    return survey, choices


def _write(path: Path, survey: list[list[Any]], choices: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    extra = workbook.create_sheet("choices")
    for row in choices:
        extra.append(row)
    workbook.save(path)
    return path


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sheets=_mangled())
def test_a_mangled_workbook_imports_or_is_refused_never_crashes(
    tmp_path: Path, sheets: tuple[list[list[Any]], list[list[Any]]]
) -> None:
    path = _write(tmp_path / "mangled.xlsx", *sheets)
    try:
        result = import_xlsform(path)
    except XLSFormError as error:
        assert error.problems
        assert all(isinstance(problem, str) and problem for problem in error.problems)
        return
    assert result.document["languages"]


def test_the_unmangled_seed_imports_and_passes_the_checks(tmp_path: Path) -> None:
    result = import_xlsform(_write(tmp_path / "seed.xlsx", _SEED_ROWS, _SEED_CHOICES))
    check_spec_document(result.document, "seed.xlsx")
    assert result.document["sections"][0]["questions"][1]["relevant"] == "${q1} = 'yes'"


def test_the_bench_form_imports_and_passes_the_checks(tmp_path: Path) -> None:
    from bench.xlsform import write_workbook

    document = import_xlsform(write_workbook(tmp_path / "bench.xlsx", 60)).document
    spec = check_spec_document(document, "bench.xlsx")
    assert len(spec.questions) == 60
    assert [language.code for language in spec.languages] == ["en", "fr"]
