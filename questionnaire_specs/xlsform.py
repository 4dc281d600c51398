"""Import an XLSForm workbook (ODK, KoBoToolbox) as a questionnaire spec document.

`xlsform_to_document(path)` reads the `survey`, `choices` and `settings` sheets and returns
the spec as plain dicts and lists, ready for `check_spec_document` and a YAML dump. Every
problem found is gathered into one `XLSFormError`, each naming its sheet and row.

How XLSForm maps onto the spec, where the two differ:

- Languages come from `label::Name (code)` columns (also `hint::…`, `constraint_message::…`
  and `form_title::…` in settings), in the order they first appear. Plain columns (`label`,
  `hint`, …) belong to the settings `default_language` when it looks like `English (en)`
  (or names a language of the columns), else to English (`en`). That default language comes
  first. A missing text is left missing: the validator reports it; nothing is translated.
- Groups become sections. A top-level group is one section: its name is the section id, its
  label the title, its `relevant` the section's. A group nested inside another does not make
  a section of its own: its questions join the enclosing top-level section, its `relevant`
  is and-ed into each of its questions' `relevant` (outermost first) and its label is
  dropped. Questions outside any group in a form that has groups are collected, run by run,
  into untitled sections named `section_N` (N is the section's position). A group with no
  questions is dropped. A form without groups gives a flat `questions` list.
- Types: `integer` → number (`integer: true`), `decimal` → number (`integer: false`),
  `text` → text, `note` → note, `select_one L` → single_choice (also with
  `appearance: likert`: no scale is invented), `select_multiple L` → multi_choice.
  Choice names become option codes: integers stay integers, other names must match
  `[A-Za-z0-9_]+`.
- `hint` → `help`; on a note (which has no help) the hint is appended to the label.
- A constraint without a message gets a short generic message ("This answer is not
  accepted."), in en, fr, es, pt and ar, and in English for other languages — as ODK Collect
  shows its own default message. `required_message` and `guidance_hint` have no place in the
  spec and are ignored.
- Settings: `form_id` → `id`, lower-cased with every run of characters outside
  `[a-z0-9_-]` turned into `-` (the file name is used when there is no form_id).
  `version`: digits only (XLSForm's usual date stamp, `2024051501`) → `2024051501.0.0`, so a
  later stamp stays a later version; `1`, `1.2`, `1.2.3` (an optional leading `v`) are padded
  to three parts; anything else, or no version, → `1.0.0`.
  `form_title` → `title` (a plain form_title, the usual case since XLSForm does not translate
  it, is used for every language; `form_title::Name (code)` columns override it); with no
  title the form id is used. XLSForm has no introduction: the title is used again.
- XLSForm has no populations: one population `all`, "All respondents" (in en, fr, es, pt and
  ar; English for other languages).
- Appearances: `multiline` on text → `multiline: true`. Purely visual appearances are
  ignored: minimal, compact, quick, quickcompact, horizontal, horizontal-compact, likert,
  field-list, table-list, label, list, list-nolabel, columns, columns-pack, columns-N,
  no-buttons, numbers, thousands-sep, autocomplete, w1…w10. Any other appearance is refused.
- Columns whose names start with `$` (KoBo's `$given_name`, `$kuid`, `$autoname`…) and
  columns we do not know are ignored. Columns that change what is asked or recorded are
  refused when they hold a value: calculation, choice_filter, repeat_count, trigger,
  default, read_only, parameters, and media (image, audio, video, big-image, media::…).
- Refused by row: repeats, calculate, hidden, acknowledge, range, rank, media and location
  types, barcode, date/time/datetime, external selects, `or_other`, and the device metadata
  (start, end, today, deviceid, phonenumber, username, email…), which MSS never records.
"""

from __future__ import annotations

import copy
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from questionnaire_specs.xlsform_expressions import ExpressionNotSupported, translate_expression

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format
_QUESTION_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_OPTION_CODE = re.compile(r"[A-Za-z0-9_]+")
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_LANGUAGE_WITH_CODE = re.compile(
    r"^(?P<name>.*?)\s*\(\s*(?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)$"
)
_VERSION_PARTS = re.compile(r"[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?")

_TRANSLATED_FIELDS = ("label", "hint", "constraint_message", "form_title")

# Spellings real forms use for one column, written as normalised headers (lower case, `_`).
_COLUMN_ALIASES = {
    "list_name": "list_name",
    "list name": "list_name",
    "relevance": "relevant",
    "constraint_msg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "jr:choice_filter": "choice_filter",
    "big_image": "big-image",
    "calculate": "calculation",
}
_MEDIA_FIELDS = frozenset({"image", "audio", "video", "big-image"})
_REFUSED_COLUMNS = {
    "calculation": "the calculation column is not supported",
    "choice_filter": "choice_filter (cascading selects) is not supported",
    "repeat_count": "repeat_count is not supported (repeats are not supported)",
    "trigger": "trigger is not supported",
    "default": "default answers are not supported",
    "read_only": "read_only is not supported",
    "parameters": "parameters are not supported",
}

_VISUAL_APPEARANCES = frozenset(
    [
        "minimal",
        "compact",
        "quick",
        "quickcompact",
        "horizontal",
        "horizontal-compact",
        "likert",
        "field-list",
        "table-list",
        "label",
        "list",
        "list-nolabel",
        "columns",
        "columns-pack",
        "no-buttons",
        "numbers",
        "thousands-sep",
        "autocomplete",
        "multiline",
    ]
)
_VISUAL_APPEARANCE_PATTERN = re.compile(r"columns-\d+|w\d+")

_NOT_SUPPORTED_TYPES = frozenset(
    [
        "begin_repeat",
        "end_repeat",
        "calculate",
        "hidden",
        "acknowledge",
        "range",
        "rank",
        "image",
        "audio",
        "video",
        "file",
        "background-audio",
        "geopoint",
        "geotrace",
        "geoshape",
        "barcode",
        "date",
        "time",
        "datetime",
        "select_one_from_file",
        "select_multiple_from_file",
        "select_one_external",
        "xml-external",
        "csv-external",
        "trigger",
    ]
)
_DEVICE_METADATA = frozenset(
    [
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "username",
        "email",
        "subscriberid",
        "simserial",
        "audit",
        "start-geopoint",
        "background-geopoint",
    ]
)
_TYPE_ALIASES = {
    "begin group": "begin_group",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
    "begin_repeat": "begin_repeat",
    "select one": "select_one",
    "select multiple": "select_multiple",
    "select_one_from_file": "select_one_from_file",
    "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
    "select one external": "select_one_external",
    "int": "integer",
    "string": "text",
}
_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_FALSE = frozenset({"no", "false", "false()", "0", "n", ""})

_RTL_CODES = frozenset({"ar", "fa", "he", "ur", "ps", "dv", "yi", "ckb", "sd", "ug"})
# The five languages MSS speaks itself: English name → (code, name in that language).
_KNOWN_LANGUAGES = {
    "en": ("English", "English"),
    "fr": ("French", "Français"),
    "es": ("Spanish", "Español"),
    "pt": ("Portuguese", "Português"),
    "ar": ("Arabic", "العربية"),
}
_ALL_RESPONDENTS = {
    "en": "All respondents",
    "fr": "Tous les répondants",
    "es": "Todas las personas encuestadas",
    "pt": "Todos os respondentes",
    "ar": "جميع المستجيبين",
}
_NOT_ACCEPTED = {
    "en": "This answer is not accepted.",
    "fr": "Cette réponse n'est pas acceptée.",
    "es": "Esta respuesta no se acepta.",
    "pt": "Esta resposta não é aceite.",
    "ar": "هذه الإجابة غير مقبولة.",
}


class XLSFormError(Exception):
    """The workbook could not be imported; `.problems` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- reading the workbook -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    field: str  # normalised: lower case, `_` for spaces, aliases resolved
    language: str | None  # the raw language part of `label::English (en)`, else None
    header: str


@dataclass(slots=True)
class _Row:
    number: int  # the spreadsheet row, 1 being the header
    values: dict[str, Any] = field(default_factory=dict)  # untranslated columns
    texts: dict[str, dict[str | None, str]] = field(default_factory=dict)  # field → lang → text

    def text(self, name: str) -> str:
        return _cell_text(self.values.get(name))


@dataclass(slots=True)
class _Sheet:
    name: str
    columns: list[_Column]
    rows: list[_Row]

    def has(self, name: str) -> bool:
        return any(column.field == name for column in self.columns)


def _read_workbook(path: Path) -> dict[str, _Sheet]:
    """Every sheet of the workbook, by lower-case name, or an XLSFormError saying why not."""
    if not path.exists():
        raise XLSFormError(["no such file"])
    if not path.is_file():
        raise XLSFormError(["not a file"])
    with path.open("rb") as stream:
        if stream.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
            raise XLSFormError(["an old binary .xls workbook; save it as .xlsx and import that"])
    if not zipfile.is_zipfile(path):
        raise XLSFormError(["not an .xlsx workbook (an XLSForm is an .xlsx file)"])
    # Imported lazily: only this command needs it.
    import openpyxl

    try:
        with path.open("rb") as stream:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                sheets: dict[str, _Sheet] = {}
                for sheet in workbook.worksheets:
                    # Some writers record a wrong used range ("A1"); read every cell there is.
                    sheet.reset_dimensions()
                    name = sheet.title.strip().lower()
                    sheets.setdefault(name, _read_sheet(name, sheet.iter_rows(values_only=True)))
                return sheets
            finally:
                workbook.close()
    except XLSFormError:
        raise
    except Exception as error:  # a corrupt file fails in many ways: say so, no traceback
        reason = str(error) or type(error).__name__
        raise XLSFormError([f"not a readable .xlsx workbook ({reason})"]) from None


def _read_sheet(name: str, rows: Iterable[tuple[Any, ...]]) -> _Sheet:
    iterator = iter(rows)
    header = next(iterator, ())
    columns = [_parse_header(cell) for cell in header]
    sheet = _Sheet(name, [c for c in columns if c is not None], [])
    for number, cells in enumerate(iterator, start=2):
        row = _Row(number)
        for column, value in zip(columns, cells, strict=False):
            if column is None or value is None or _cell_text(value) == "":
                continue
            if column.language is not None or column.field in _TRANSLATED_FIELDS:
                texts = row.texts.setdefault(column.field, {})
                texts.setdefault(column.language, _cell_text(value))
            else:
                row.values.setdefault(column.field, value)
        sheet.rows.append(row)
    return sheet


def _parse_header(cell: Any) -> _Column | None:
    header = _cell_text(cell)
    if not header or header.startswith("$"):
        return None
    parts = [part.strip() for part in header.split("::")]
    name = _normalise_field(parts[0])
    language: str | None = None
    if name in ("bind", "body", "instance"):
        # Raw XForm attributes (bind::…, body::…): not ours to interpret, so ignored.
        return _Column("::".join(parts).lower(), None, header)
    if name == "media" and len(parts) >= 2:
        name = _normalise_field(parts[1])
        language = parts[2] if len(parts) > 2 else None
    elif len(parts) > 1:
        language = "::".join(parts[1:])
    return _Column(name, language or None, header)


def _normalise_field(raw: str) -> str:
    lowered = raw.strip().lower()
    if lowered in _COLUMN_ALIASES:
        return _COLUMN_ALIASES[lowered]
    name = re.sub(r"\s+", "_", lowered)
    return _COLUMN_ALIASES.get(name, name)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- languages ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Language:
    code: str
    name: str


@dataclass(slots=True)
class _Languages:
    """The form's languages, default first, and which column language means which code."""

    ordered: list[_Language]
    code_of: dict[str | None, str]  # raw column language (None: plain column) → code

    @property
    def codes(self) -> list[str]:
        return [language.code for language in self.ordered]

    def texts(self, row: _Row, name: str) -> dict[str, str]:
        """The row's texts of one field, by language code; language columns win over plain."""
        found: dict[str, str] = {}
        by_column = row.texts.get(name, {})
        for raw, text in by_column.items():
            if raw is not None and raw in self.code_of:
                found.setdefault(self.code_of[raw], text)
        if None in by_column:
            found.setdefault(self.code_of[None], by_column[None])
        return {code: found[code] for code in self.codes if code in found}


def _parse_language(raw: str) -> _Language | None:
    match = _LANGUAGE_WITH_CODE.match(raw.strip())
    if match:
        code = match.group("code").lower().replace("_", "-")
        name = match.group("name").strip()
    else:
        code = next(
            (c for c, names in _KNOWN_LANGUAGES.items() if raw.strip().lower() in _lower(names)),
            "",
        )
        if not code:
            return None
        name = raw.strip()
    known = _KNOWN_LANGUAGES.get(code)
    if known and (not name or name.lower() == known[0].lower()):
        name = known[1]  # the spec wants each language named in itself
    return _Language(code, name or code)


def _lower(names: tuple[str, str]) -> set[str]:
    return {name.lower() for name in names}


def _languages(sheets: list[_Sheet], settings: _Row | None, problems: list[str]) -> _Languages:
    used: list[_Language] = []
    code_of: dict[str | None, str] = {}
    plain_used = False
    for sheet in sheets:
        for row in sheet.rows:
            # A plain form_title is used for every language (see _title), so it is left out.
            for name in ("label", "hint", "constraint_message"):
                plain_used = plain_used or None in row.texts.get(name, {})
        for column in sheet.columns:
            if column.language is None or column.field not in _TRANSLATED_FIELDS:
                continue
            if column.language in code_of:
                continue
            language = _parse_language(column.language)
            if language is None:
                problems.append(
                    f"{sheet.name} column '{column.header}': no language code; write it as "
                    f"'{column.field}::{column.language} (xx)' with the ISO 639-1 code"
                )
                continue
            code_of[column.language] = language.code
            if language.code not in {known.code for known in used}:
                used.append(language)

    default = _default_language(settings, used)
    ordered = list(used)
    if default is not None and (plain_used or default.code in {u.code for u in used}):
        ordered = [default, *(u for u in used if u.code != default.code)]
    elif plain_used or not used:
        default = _Language("en", "English")
        ordered = [default, *(u for u in used if u.code != "en")]
    code_of[None] = ordered[0].code
    return _Languages(ordered, code_of)


def _default_language(settings: _Row | None, used: list[_Language]) -> _Language | None:
    raw = settings.text("default_language") if settings else ""
    if not raw:
        return None
    for language in used:
        if raw.lower() in (language.name.lower(), language.code):
            return language
    parsed = _parse_language(raw)
    if parsed is None:
        return None
    return next((u for u in used if u.code == parsed.code), parsed)


def _language_entries(languages: _Languages) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for language in languages.ordered:
        entry: dict[str, Any] = {"code": language.code, "name": language.name}
        if language.code.split("-")[0] in _RTL_CODES:
            entry["rtl"] = True
        entries.append(entry)
    return entries


def _in_every_language(texts: dict[str, str], codes: list[str]) -> dict[str, str]:
    return {code: texts.get(code, texts["en"]) for code in codes}


# --- choices --------------------------------------------------------------------------------


@dataclass(slots=True)
class _ChoiceList:
    name: str
    options: list[dict[str, Any]] = field(default_factory=list)
    integer_codes: bool = True


def _choices(
    sheet: _Sheet | None, languages: _Languages, problems: list[str]
) -> dict[str, _ChoiceList]:
    lists: dict[str, _ChoiceList] = {}
    if sheet is None:
        return lists
    missing = [column for column in ("list_name", "name") if not sheet.has(column)]
    if missing:
        problems.extend(f"choices sheet: no '{column}' column" for column in missing)
        return lists
    kinds: dict[str, set[str]] = {}
    seen: dict[tuple[str, Any], int] = {}
    for row in sheet.rows:
        list_name = row.text("list_name")
        raw_name = row.values.get("name")
        if not list_name and raw_name is None and not row.texts:
            continue
        where = f"choices row {row.number}"
        _refuse_columns(row, where, problems)
        if not list_name:
            problems.append(f"{where}: no list_name")
            continue
        code = _option_code(raw_name, where, problems)
        if code is None:
            continue
        if (list_name, code) in seen:
            problems.append(
                f"{where}: list '{list_name}' already has the name {code!r} "
                f"(choices row {seen[(list_name, code)]})"
            )
            continue
        seen[(list_name, code)] = row.number
        choice_list = lists.setdefault(list_name, _ChoiceList(list_name))
        kinds.setdefault(list_name, set()).add("integer" if isinstance(code, int) else "text")
        choice_list.options.append({"code": code, "label": languages.texts(row, "label")})
    for list_name, found in kinds.items():
        if len(found) > 1:
            problems.append(
                f"choices list '{list_name}': mixes integer and text names; "
                "make them all integers or all text"
            )
        lists[list_name].integer_codes = found == {"integer"}
    return lists


def _option_code(raw: Any, where: str, problems: list[str]) -> int | str | None:
    if raw is None or _cell_text(raw) == "":
        problems.append(f"{where}: no name")
        return None
    if isinstance(raw, bool):
        problems.append(f"{where}: name {_cell_text(raw)!r} is a boolean, not a code")
        return None
    if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
        return int(raw)
    text = _cell_text(raw)
    if _INTEGER.fullmatch(text):
        return int(text)
    if _OPTION_CODE.fullmatch(text):
        return text
    problems.append(
        f"{where}: name {text!r} is not a valid option code "
        "(an integer, or letters, digits and '_')"
    )
    return None


# --- settings -------------------------------------------------------------------------------


def _settings_row(sheet: _Sheet | None) -> _Row | None:
    if sheet is None:
        return None
    return next((row for row in sheet.rows if row.values or row.texts), None)


def _form_id(settings: _Row | None, path: Path) -> str:
    for raw in (settings.text("form_id") if settings else "", path.stem):
        normalised = re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_")
        if normalised:
            return normalised
    return "form"


def _version(settings: _Row | None) -> str:
    raw = settings.text("version") if settings else ""
    match = _VERSION_PARTS.fullmatch(raw)
    if not match:
        return "1.0.0"
    return ".".join(str(int(part or 0)) for part in match.groups())


def _title(settings: _Row | None, languages: _Languages, fallback: str) -> dict[str, str]:
    columns = settings.texts.get("form_title", {}) if settings else {}
    if settings is not None and any(raw is not None for raw in columns):
        return languages.texts(settings, "form_title")
    # XLSForm does not translate form_title: one plain title serves every language.
    return dict.fromkeys(languages.codes, columns.get(None) or fallback)


# --- survey ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Expression:
    row: int
    column: str  # relevant or constraint
    text: str


@dataclass(slots=True)
class _Question:
    row: int
    data: dict[str, Any]
    relevant: list[_Expression] = field(default_factory=list)
    constraint: _Expression | None = None
    list_name: str | None = None


@dataclass(slots=True)
class _Section:
    id: str | None  # None: a run of ungrouped questions, named later
    row: int
    title: dict[str, str] | None = None
    relevant: _Expression | None = None
    questions: list[_Question] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    name: str
    row: int
    relevant: _Expression | None


def _survey(
    sheet: _Sheet, lists: dict[str, _ChoiceList], languages: _Languages, problems: list[str]
) -> tuple[list[_Section], bool]:
    """The survey's sections in order, and whether the form had any group at all."""
    sections: list[_Section] = []
    open_groups: list[_Group] = []
    had_groups = False
    names: dict[str, int] = {}
    for row in sheet.rows:
        type_text = re.sub(r"\s+", " ", row.text("type"))
        if not type_text:
            if row.text("name") or row.texts:
                problems.append(f"survey row {row.number}: no type")
            continue
        where = f"survey row {row.number}"
        kind, argument = _split_type(type_text)
        if kind == "begin_group":
            had_groups = True
            group = _begin_group(row, where, names, problems)
            if not open_groups:
                sections.append(
                    _Section(
                        group.name,
                        row.number,
                        languages.texts(row, "label") or None,
                        group.relevant,
                    )
                )
            open_groups.append(group)
            continue
        if kind == "end_group":
            if open_groups:
                open_groups.pop()
            else:
                problems.append(f"{where}: end_group without a begin_group")
            continue
        question = _question(row, where, kind, argument, lists, languages, problems)
        if question is None:
            continue
        _claim_name(question.data["id"], row.number, names, problems)
        if open_groups:
            question.relevant = [g.relevant for g in open_groups[1:] if g.relevant] + list(
                question.relevant
            )
        elif not sections or sections[-1].id is not None:
            sections.append(_Section(None, row.number))
        sections[-1].questions.append(question)
    for group in open_groups:
        problems.append(f"survey row {group.row}: begin_group '{group.name}' is never closed")
    return sections, had_groups


def _split_type(type_text: str) -> tuple[str, str]:
    lowered = type_text.lower()
    for alias, canonical in sorted(_TYPE_ALIASES.items(), key=lambda item: -len(item[0])):
        if lowered == alias or lowered.startswith(alias + " "):
            return canonical, type_text[len(alias) :].strip()
    kind, _, argument = type_text.partition(" ")
    return kind.lower(), argument.strip()


def _begin_group(row: _Row, where: str, names: dict[str, int], problems: list[str]) -> _Group:
    name = row.text("name")
    _refuse_columns(row, where, problems)
    if not name:
        problems.append(f"{where}: begin_group has no name")
        name = f"group_{row.number}"
    elif not _QUESTION_ID.fullmatch(name):
        problems.append(
            f"{where}: group name {name!r} is not a valid section id "
            "(a letter, then letters, digits and '_')"
        )
    else:
        _claim_name(name, row.number, names, problems)
    relevant = row.text("relevant")
    return _Group(
        name, row.number, _Expression(row.number, "relevant", relevant) if relevant else None
    )


def _claim_name(name: str, row: int, names: dict[str, int], problems: list[str]) -> None:
    if name in names:
        problems.append(
            f"survey row {row}: name '{name}' is already used on survey row {names[name]}"
        )
    else:
        names[name] = row


def _question(
    row: _Row,
    where: str,
    kind: str,
    argument: str,
    lists: dict[str, _ChoiceList],
    languages: _Languages,
    problems: list[str],
) -> _Question | None:
    if not _supported_type(kind, argument, where, problems, row):
        return None
    name = row.text("name")
    if not name:
        problems.append(f"{where}: {kind} has no name")
        return None
    if not _QUESTION_ID.fullmatch(name):
        problems.append(
            f"{where}: name {name!r} is not a valid question id "
            "(a letter, then letters, digits and '_')"
        )
        return None
    problem_count = len(problems)
    _refuse_columns(row, where, problems)
    appearances = _appearances(row, where, problems)
    required = _required(row, where, problems)

    data: dict[str, Any] = {"id": name}
    question = _Question(row.number, data)
    label = languages.texts(row, "label")
    hint = languages.texts(row, "hint")
    if kind == "note":
        data["type"] = "note"
        data["label"] = _with_hint(label, hint)
    else:
        data["type"] = {
            "select_one": "single_choice",
            "select_multiple": "multi_choice",
            "integer": "number",
            "decimal": "number",
            "text": "text",
        }[kind]
        data["label"] = label
        if hint:
            data["help"] = hint
        if required:
            data["required"] = True
    if kind in ("select_one", "select_multiple"):
        choice_list = lists.get(argument)
        if choice_list is None:
            problems.append(f"{where}: {kind} refers to unknown list '{argument}'")
        else:
            # Copied per question: a YAML dump would turn shared objects into &anchors.
            data["options"] = copy.deepcopy(choice_list.options)
            question.list_name = argument
    elif kind in ("integer", "decimal"):
        data["integer"] = kind == "integer"
    elif kind == "text" and "multiline" in appearances:
        data["multiline"] = True

    relevant = row.text("relevant")
    if relevant:
        question.relevant.append(_Expression(row.number, "relevant", relevant))
    constraint = row.text("constraint")
    message = languages.texts(row, "constraint_message")
    if constraint and kind == "note":
        problems.append(f"{where}: a note cannot have a constraint")
    elif constraint:
        question.constraint = _Expression(row.number, "constraint", constraint)
        data["constraint_message"] = message or _in_every_language(_NOT_ACCEPTED, languages.codes)
    elif message:
        problems.append(f"{where}: constraint_message without a constraint")
    return question if len(problems) == problem_count else None


def _supported_type(kind: str, argument: str, where: str, problems: list[str], row: _Row) -> bool:
    if kind in _DEVICE_METADATA:
        problems.append(
            f"{where}: '{kind}' is device metadata that could identify the respondent; "
            "MSS never records it (delete the row)"
        )
        return False
    if kind in _NOT_SUPPORTED_TYPES:
        problems.append(f"{where}: {kind} is not supported")
        return False
    if kind in ("select_one", "select_multiple"):
        words = argument.split()
        if "or_other" in words:
            problems.append(f"{where}: or_other is not supported (add an 'other' choice)")
            return False
        if len(words) != 1:
            problems.append(f"{where}: {kind} needs exactly one list name, got {argument!r}")
            return False
        return True
    if kind in ("integer", "decimal", "text", "note"):
        if argument:
            problems.append(f"{where}: unknown type '{kind} {argument}'")
            return False
        return True
    problems.append(f"{where}: unknown type '{row.text('type')}'")
    return False


def _refuse_columns(row: _Row, where: str, problems: list[str]) -> None:
    for column, reason in _REFUSED_COLUMNS.items():
        if row.text(column):
            problems.append(f"{where}: {reason}")
    media = {name for name in (*row.values, *row.texts) if name in _MEDIA_FIELDS}
    for name in sorted(media):
        problems.append(f"{where}: media ({name}) is not supported")


def _appearances(row: _Row, where: str, problems: list[str]) -> set[str]:
    words = set(row.text("appearance").lower().split())
    for word in sorted(words):
        if word not in _VISUAL_APPEARANCES and not _VISUAL_APPEARANCE_PATTERN.fullmatch(word):
            problems.append(f"{where}: appearance '{word}' is not supported")
    return words


def _required(row: _Row, where: str, problems: list[str]) -> bool:
    value = row.text("required").lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems.append(
            f"{where}: required must be yes or no, not {row.text('required')!r} "
            "(a conditional required is not supported)"
        )
    return False


def _with_hint(label: dict[str, str], hint: dict[str, str]) -> dict[str, str]:
    if not hint:
        return label
    codes = list(dict.fromkeys([*label, *hint]))
    return {code: "\n\n".join(t for t in (label.get(code), hint.get(code)) if t) for code in codes}


# --- expressions and assembly ---------------------------------------------------------------


def _translate(
    expression: _Expression,
    current: str | None,
    integer_coded: set[str],
    problems: list[str],
) -> str | None:
    try:
        return translate_expression(expression.text, current=current, integer_coded=integer_coded)
    except ExpressionNotSupported as error:
        for reason in error.reasons:
            problems.append(f"survey row {expression.row}: {expression.column} {reason}")
        return None


def _finish_question(
    question: _Question, integer_coded: set[str], problems: list[str]
) -> dict[str, Any]:
    data = question.data
    translated = [_translate(e, None, integer_coded, problems) for e in question.relevant]
    parts = [text for text in translated if text is not None]
    if len(parts) == 1:
        data["relevant"] = parts[0]
    elif parts:
        data["relevant"] = " and ".join(f"({part})" for part in parts)
    if question.constraint is not None:
        constraint = _translate(question.constraint, data["id"], integer_coded, problems)
        if constraint is not None:
            data["constraint"] = constraint
    return _ordered(data)


_QUESTION_KEYS = (
    "id",
    "type",
    "label",
    "help",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "options",
    "integer",
    "multiline",
)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in _QUESTION_KEYS if key in data}


def _finish_sections(
    sections: list[_Section], integer_coded: set[str], problems: list[str]
) -> list[dict[str, Any]]:
    finished: list[dict[str, Any]] = []
    for section in sections:
        if not section.questions:
            continue  # an empty group asks nothing
        entry: dict[str, Any] = {"id": section.id}
        if section.title:
            entry["title"] = section.title
        if section.relevant:
            relevant = _translate(section.relevant, None, integer_coded, problems)
            if relevant:
                entry["relevant"] = relevant
        entry["questions"] = [
            _finish_question(q, integer_coded, problems) for q in section.questions
        ]
        finished.append(entry)
    # Ungrouped runs are named by their position, clear of any group's name.
    taken = {entry["id"] for entry in finished}
    for position, entry in enumerate(finished, start=1):
        if entry["id"] is None:
            candidate = f"section_{position}"
            while candidate in taken:
                candidate += "_"
            entry["id"] = candidate
            taken.add(candidate)
    return finished


def xlsform_to_document(path: Path) -> dict[str, Any]:
    """Read the XLSForm at `path` and return it as a spec document (plain dicts and lists).

    Raises XLSFormError listing every problem found, each naming its sheet and row (the
    caller names the file).
    """
    path = Path(path)
    sheets = _read_workbook(path)
    survey = sheets.get("survey")
    if survey is None:
        found = ", ".join(sheets) or "none"
        raise XLSFormError([f"no 'survey' sheet, so this is not an XLSForm (sheets: {found})"])
    missing = [name for name in ("type", "name") if not survey.has(name)]
    if missing:
        raise XLSFormError(
            [f"survey sheet: no '{name}' column, so this is not an XLSForm" for name in missing]
        )
    problems: list[str] = []
    settings = _settings_row(sheets.get("settings"))
    text_sheets = [sheet for sheet in (survey, sheets.get("choices")) if sheet is not None]
    if sheets.get("settings") is not None:
        text_sheets.append(sheets["settings"])
    languages = _languages(text_sheets, settings, problems)
    lists = _choices(sheets.get("choices"), languages, problems)
    sections, had_groups = _survey(survey, lists, languages, problems)

    integer_coded = {
        q.data["id"]
        for section in sections
        for q in section.questions
        if q.list_name is not None and lists[q.list_name].integer_codes
    }
    finished = _finish_sections(sections, integer_coded, problems)
    if not finished and not problems:
        problems.append("survey sheet: no questions")
    if problems:
        # A nested group's relevant is checked once per question: report each problem once.
        raise XLSFormError(list(dict.fromkeys(problems)))

    form_id = _form_id(settings, path)
    raw_id = (settings.text("form_id") if settings else "") or form_id
    title = _title(settings, languages, raw_id)
    document: dict[str, Any] = {
        "id": form_id,
        "version": _version(settings),
        "languages": _language_entries(languages),
        "title": title,
        "introduction": dict(title),
        "populations": [
            {"id": "all", "label": _in_every_language(_ALL_RESPONDENTS, languages.codes)}
        ],
    }
    if had_groups:
        document["sections"] = finished
    else:
        document["questions"] = [q for section in finished for q in section["questions"]]
    return document
