"""Read an XLSForm workbook with pyxform, the XLSForm reference implementation.

pyxform reads .xlsx, .xls and .csv workbooks and normalises them into its JSON form (the
survey element tree): case-insensitive headers, aliases (`relevance`, `list name`…), legacy
type spellings (`select one from x`, `select all that apply`), "smart" quotes from Excel,
translated columns (`label::English (en)`, `label:english`) grouped by language. What it
normalises, MSS accepts; MSS only maps that tree onto a spec (xlsform_mapping.py).

Its tree carries no spreadsheet rows, so the rows are matched back here by name, in order:
every element of the tree is one row of the survey sheet, bar those pyxform generates (the
`meta` group, an `or_other`'s text question), which take their parent's row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from questionnaire_specs.xlsform_refusals import XLSFormError

_NOT_A_WORKBOOK = "not an XLSForm workbook (an .xlsx, .xls or .csv file with a survey sheet)"
_FIRST_DATA_ROW = 2  # pyxform numbers rows as the spreadsheet does: 1 is the header
_TRANSLATED_FIELDS = frozenset({"label", "hint", "constraint_message", "jr:constraintmsg"})


@dataclass(frozen=True, slots=True)
class ReadWorkbook:
    """pyxform's JSON of the form, the rows its elements came from, and its warnings."""

    form: dict[str, Any]
    survey_rows: list[tuple[int, str, str]]  # (row, name, type) of each named row, in order
    choice_rows: dict[tuple[str, str], list[int]]  # (list_name, name) → its choices rows
    header_languages: list[str]  # languages of translated columns, even empty ones
    warnings: list[str] = field(default_factory=list)


def read_workbook(path: Path) -> ReadWorkbook:
    """pyxform's reading of the workbook at `path`, or an XLSFormError saying why not."""
    if not path.exists():
        raise XLSFormError(["no such file"])
    if not path.is_file():
        raise XLSFormError(["not a file"])
    # Imported lazily: only the import command needs pyxform.
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    warnings: list[str] = []
    try:
        with _quiet_pyxform():
            data = get_xlsform(str(path))
            if not data.survey and _is_zip(path):
                data = get_xlsform(_resaved(path))
            if not data.survey:
                found = ", ".join(data.sheet_names or ()) or "none"
                raise XLSFormError(
                    [f"no 'survey' sheet, so this is not an XLSForm (sheets: {found})"]
                )
            form = workbook_to_json(
                workbook_dict=data,
                form_name="data",
                fallback_form_name=data.fallback_form_name,
                warnings=warnings,
            )
    except XLSFormError:
        raise
    except PyXFormError as error:
        if "not recognized as a supported type" in str(error):
            raise XLSFormError([_NOT_A_WORKBOOK]) from None
        raise XLSFormError([_pyxform_message(str(error))]) from None
    except Exception as error:  # a corrupt file fails in many ways inside pyxform: say so
        reason = " ".join((str(error) or type(error).__name__).split())[:300]
        raise XLSFormError([f"{_NOT_A_WORKBOOK}: {reason}"]) from None
    return ReadWorkbook(
        form=form,
        survey_rows=list(_named_rows(data.survey)),
        choice_rows=_choice_rows(data.choices or ()),
        header_languages=_header_languages([data.survey_header, data.choices_header]),
        warnings=[_pyxform_message(w) for w in warnings],
    )


def _is_zip(path: Path) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def _resaved(path: Path) -> BytesIO:
    """The workbook written again by openpyxl, with its used range recomputed.

    Some spreadsheet writers record the used range as just "A1", and pyxform's read-only
    reader trusts it and sees one cell: a workbook that reads empty is read in full once.
    """
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    saved = BytesIO()
    workbook.save(saved)
    saved.seek(0)
    return saved


def _header_languages(headers: Sequence[Sequence[Mapping[str, Any]] | None]) -> list[str]:
    """The language part of `label::Name` (or `label:Name`) headers, as pyxform keys texts.

    pyxform keys a text only where a cell holds one, so a column left empty would vanish:
    read from the headers, it stays a language, and the missing labels are reported.
    """
    found: list[str] = []
    for sheet in headers:
        names = [str(name) for row in sheet or () for name in row]
        separator = "::" if any("::" in name for name in names) else ":"
        for name in names:
            field, _, language = name.partition(separator)
            if language.strip() and field.strip().lower() in _TRANSLATED_FIELDS:
                found.append(language.strip())
    return list(dict.fromkeys(found))


def _pyxform_message(text: str) -> str:
    # pyxform writes "[row : 7] …"; MSS names a row as "survey row 7: …".
    text = " ".join(text.split())
    if text.startswith("[row : "):
        number, _, rest = text[len("[row : ") :].partition("]")
        sheet = "choices" if "'choices' sheet" in rest else "survey"
        return f"{sheet} row {number.strip()}: {rest.strip()}"
    return text


def _value(row: Mapping[str, Any], column: str) -> str:
    # The raw sheet keeps the author's headers ("Name", "list name"): compare them loosely.
    for header, value in row.items():
        if isinstance(header, str) and header.strip().lower().replace(" ", "_") == column:
            return str(value).strip() if value is not None else ""
    return ""


def _named_rows(rows: Sequence[Mapping[str, Any]]) -> Iterator[tuple[int, str, str]]:
    for number, row in enumerate(rows, start=_FIRST_DATA_ROW):
        name = _value(row, "name")
        if name:
            yield number, name, " ".join(_value(row, "type").split())


def _choice_rows(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for number, row in enumerate(rows, start=_FIRST_DATA_ROW):
        key = (_value(row, "list_name"), _value(row, "name"))
        found.setdefault(key, []).append(number)
    return found


@contextmanager
def _quiet_pyxform() -> Iterator[None]:
    """pyxform logs its warnings as well as returning them: MSS reports them once, itself."""
    logger = logging.getLogger("pyxform")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class RowFinder:
    """Which survey row an element of pyxform's tree came from (matched by name, in order)."""

    def __init__(self, rows: list[tuple[int, str, str]]) -> None:
        self._rows = rows
        self._types = {number: kind for number, _, kind in rows}
        self._cursor = 0

    def row_of(self, name: str) -> int | None:
        """The row of the next element, or None for one pyxform generated (no row of its own)."""
        for index in range(self._cursor, len(self._rows)):
            number, row_name, _ = self._rows[index]
            if row_name == name:
                self._cursor = index + 1
                return number
        return None

    def type_of(self, row: int, fallback: str) -> str:
        """The type as the form spells it on that row (`image`, not pyxform's `photo`)."""
        return self._types.get(row, "") or fallback
