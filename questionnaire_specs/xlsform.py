"""Import an XLSForm workbook (ODK, KoBoToolbox, SurveyCTO, Enketo) as a spec document.

pyxform, the XLSForm reference implementation, reads and normalises the workbook
(xlsform_reading.py); MSS maps its survey element tree onto a spec (xlsform_languages,
xlsform_choices, xlsform_mapping) and refuses, by row and with the reason, what a
self-administered anonymous survey may not hold (xlsform_refusals). The spec checks
(checks.py, loader.py) stay the judge of the result: `mss spec import-xlsform` runs them.

`import_xlsform(path)` returns the document (plain dicts and lists, ready for
`check_spec_document` and a YAML dump) and the warnings; every problem found is gathered
into one `XLSFormError`, each naming its sheet and row.

Settings: `form_id` → `id`, lower-cased with every run of characters outside `[a-z0-9_-]`
turned into `-` (the file name when there is no form_id). `version`: digits only (XLSForm's
usual date stamp, `2024051501`) → `2024051501.0.0`, so a later stamp stays a later version;
`1`, `1.2`, `1.2.3` (an optional leading `v`) are padded to three parts; anything else, or
none, → `1.0.0`. `form_title` → `title` in every language (XLSForm does not translate it);
XLSForm has no introduction: the title is used again. XLSForm has no populations: one
population `all`, "All respondents".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from questionnaire_specs.xlsform_choices import ChoiceList, choice_list
from questionnaire_specs.xlsform_languages import FormLanguages, form_languages
from questionnaire_specs.xlsform_mapping import SurveyMapper
from questionnaire_specs.xlsform_reading import RowFinder, read_workbook
from questionnaire_specs.xlsform_refusals import XLSFormError

__all__ = ["XLSFormError", "XLSFormImport", "import_xlsform", "xlsform_to_document"]

_VERSION_PARTS = re.compile(r"[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_TEXT_FIELDS = ("label", "hint", "jr:constraintMsg", "jr:requiredMsg")
_ALL_RESPONDENTS = {
    "en": "All respondents",
    "fr": "Tous les répondants",
    "es": "Todas las personas encuestadas",
    "pt": "Todos os respondentes",
    "ar": "جميع المستجيبين",
}


@dataclass(frozen=True, slots=True)
class XLSFormImport:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def xlsform_to_document(path: Path) -> dict[str, Any]:
    """The spec document of the XLSForm at `path` (see import_xlsform)."""
    return import_xlsform(path).document


def import_xlsform(path: Path) -> XLSFormImport:
    """Read the XLSForm at `path` as a spec document, with pyxform's and MSS's warnings.

    Raises XLSFormError listing every problem found (the caller names the file).
    """
    path = Path(path)
    read = read_workbook(path)
    form = read.form
    keys = [*read.header_languages, *_language_keys(form)]
    languages = form_languages(keys, _default_language(form))
    problems = list(languages.problems)
    if problems:
        raise XLSFormError(problems)
    lists = _choice_lists(form, languages, read.choice_rows)
    problems += [problem for chosen in lists.values() for problem in chosen.problems]
    mapped = SurveyMapper(languages, lists, RowFinder(read.survey_rows)).map(
        list(form.get("children", []))
    )
    problems += mapped.problems
    if not mapped.sections and not problems:
        problems.append("survey sheet: no questions")
    if problems:
        # A nested group's relevant is checked once per question: report each problem once.
        raise XLSFormError(list(dict.fromkeys(problems)))
    raw_id = str(form.get("id_string") or path.stem)
    form_id = _form_id(raw_id, path)
    title = str(form.get("title") or raw_id)
    document: dict[str, Any] = {
        "id": form_id,
        "version": _version(str(form.get("version") or "")),
        "languages": languages.entries(),
        "title": dict.fromkeys(languages.codes, title),
        "introduction": dict.fromkeys(languages.codes, title),
        "populations": [{"id": "all", "label": _in_every_language(_ALL_RESPONDENTS, languages)}],
    }
    if mapped.had_groups:
        document["sections"] = mapped.sections
    else:
        document["questions"] = [q for section in mapped.sections for q in section["questions"]]
    warnings = [*read.warnings, *languages.warnings, *mapped.warnings]
    return XLSFormImport(document, list(dict.fromkeys(warnings)))


def _language_keys(form: dict[str, Any]) -> list[str]:
    """Every language key of pyxform's translated texts, in the order they first appear."""
    keys: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in _TEXT_FIELDS and isinstance(value, dict):
                    keys.extend(key for key, text in value.items() if isinstance(text, str))
                elif name != "choices" or node is form:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(form.get("children", []))
    visit(form.get("choices", {}))
    return keys


def _default_language(form: dict[str, Any]) -> str | None:
    value = form.get("default_language")
    return value if isinstance(value, str) else None


def _choice_lists(
    form: dict[str, Any], languages: FormLanguages, rows: dict[tuple[str, str], list[int]]
) -> dict[str, ChoiceList]:
    return {
        name: choice_list(name, choices, languages, rows)
        for name, choices in (form.get("choices") or {}).items()
    }


def _form_id(raw: str, path: Path) -> str:
    for candidate in (raw, path.stem):
        normalised = re.sub(r"[^a-z0-9_-]+", "-", candidate.lower()).strip("-_")
        if normalised:
            return normalised
    return "form"


def _version(raw: str) -> str:
    match = _VERSION_PARTS.fullmatch(raw.strip())
    if not match:
        return "1.0.0"
    return ".".join(str(int(part or 0)) for part in match.groups())


def _in_every_language(texts: dict[str, str], languages: FormLanguages) -> dict[str, str]:
    return {code: texts.get(code, texts["en"]) for code in languages.codes}
