"""Import + validate time of a 500-question XLSForm, against pyxform's own conversion alone.

    .venv/bin/python bench/xlsform.py [--questions 500] [--repeats 5]

The workbook is generated: two languages, groups of 25 questions, a mix of select_one,
select_multiple, integer, decimal, text and note, a relevant on every third question and a
constraint on every integer. MSS's path: `import_xlsform` (pyxform reads and normalises the
workbook, MSS maps its tree) then `check_spec_document` (the spec checks). The baseline:
pyxform's conversion of the same workbook to an XForm, `xls2xform.convert` (what ODK and
KoBo run on upload). Figures are the median of the repeats, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questionnaire_specs import check_spec_document  # noqa: E402
from questionnaire_specs.xlsform import import_xlsform  # noqa: E402

_KINDS = ("select_one agree", "select_multiple stages", "integer", "decimal", "text", "note")


def write_workbook(path: Path, questions: int) -> Path:
    """A generated form of `questions` questions in groups of 25, English and French."""
    import openpyxl

    workbook = openpyxl.Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(
        ["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)"]
        + ["hint::Français (fr)", "required", "relevant", "constraint"]
    )
    previous = None
    for number in range(questions):
        if number % 25 == 0:
            if number:
                survey.append(["end_group"])
            group = number // 25 + 1
            survey.append(["begin_group", f"part_{group}", f"Part {group}", f"Partie {group}"])
        kind = _KINDS[number % len(_KINDS)]
        name = f"q{number + 1}"
        relevant = f"${{{previous}}} != ''" if previous and number % 3 == 0 else None
        constraint = ". >= 0 and . <= 100" if kind == "integer" else None
        required = "yes" if kind.startswith("select_one") else None
        survey.append(
            [kind, name, f"Question {number + 1}", f"Question {number + 1} (fr)"]
            + [f"Hint {number + 1}", f"Aide {number + 1}", required, relevant, constraint]
        )
        previous = name if kind != "note" else previous
    survey.append(["end_group"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Français (fr)"])
    for code, (en, fr) in enumerate(
        [("Disagree", "Pas d'accord"), ("Neutral", "Neutre"), ("Agree", "D'accord")], start=1
    ):
        choices.append(["agree", code, en, fr])
    for code, (en, fr) in enumerate([("Declaration", "Déclaration"), ("Release", "Mainlevée")]):
        choices.append(["stages", f"stage_{code}", en, fr])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "default_language"])
    settings.append(["bench_form", "2026120201", "English (en)"])
    workbook.save(path)
    return path


def median_ms(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from pyxform.xls2xform import convert

    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "bench_form.xlsx", args.questions)

        def mss() -> None:
            check_spec_document(import_xlsform(path).document, path.name)

        def pyxform_alone() -> None:
            convert(xlsform=str(path), validate=False, pretty_print=False)

        mss()  # warm imports and caches for both
        pyxform_alone()
        ours = median_ms(mss, args.repeats)
        baseline = median_ms(pyxform_alone, args.repeats)
    print(f"questions: {args.questions}  repeats: {args.repeats}")
    print(f"mss import + validate: {ours:8.1f} ms")
    print(f"pyxform to XForm:      {baseline:8.1f} ms  (baseline)")
    print(f"ratio: {ours / baseline:.2f} x baseline")


if __name__ == "__main__":
    main()
