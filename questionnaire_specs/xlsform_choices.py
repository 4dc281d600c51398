"""XLSForm choice lists as spec options, with codes the wire can carry.

XLSForm choice names are any text (`1`, `yes`, `no-answer`, `não sei`), and one list may mix
integers and text. A spec's option codes are all integers or all identifier-like text
(`[A-Za-z0-9_]+`), so a list gets:

- integer codes when every name is an integer (the names are the codes);
- text codes when every name is identifier-like text and none is an integer;
- otherwise integer codes, stable for the list: integer names keep their number, the other
  names take the next numbers after the largest, in list order. The original name is kept
  on the option (`name`) for exports and the codebook, and expressions that compare a
  question with a name are rewritten to its code (xlsform_expressions.py).

A bad choice row (no label in a language the kiosk offers) is reported by its row only: the
list still exists, without that choice, for the questions that use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from questionnaire_specs.xlsform_languages import FormLanguages

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_TEXT_CODE = re.compile(r"[A-Za-z0-9_]+")


@dataclass(slots=True)
class ChoiceList:
    name: str
    options: list[dict[str, Any]] = field(default_factory=list)
    code_of: dict[str, int | str] = field(default_factory=dict)  # choice name → option code
    problems: list[str] = field(default_factory=list)

    @property
    def integer_codes(self) -> bool:
        return all(isinstance(code, int) for code in self.code_of.values())


def codes_for(names: Sequence[str]) -> dict[str, int | str]:
    """The option code of each choice name of one list (see the module docstring)."""
    if all(_INTEGER.fullmatch(name) for name in names):
        return {name: int(name) for name in names}
    if all(_TEXT_CODE.fullmatch(name) and not _INTEGER.fullmatch(name) for name in names):
        return {name: name for name in names}
    taken = [int(name) for name in names if _INTEGER.fullmatch(name)]
    following = max(taken, default=0) + 1
    codes: dict[str, int | str] = {}
    for name in names:
        if _INTEGER.fullmatch(name):
            codes[name] = int(name)
        else:
            codes[name] = following
            following += 1
    return codes


_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # a column a choice_filter can name
# A choice's keys that are not columns of its own (pyxform's names for them).
_OWN_KEYS = frozenset({"name", "label", "media", "image", "audio", "video", "big-image"})


def choice_list(
    list_name: str,
    choices: Sequence[Mapping[str, Any]],
    languages: FormLanguages,
    rows: Mapping[tuple[str, str], int],
) -> ChoiceList:
    """One list of pyxform's `choices`, mapped; `rows` names the choices row of each choice."""
    result = ChoiceList(list_name)
    names = [str(choice.get("name", "")).strip() for choice in choices]
    result.code_of = codes_for(names)
    seen: set[str] = set()
    for name, choice in zip(names, choices, strict=True):
        where = f"choices row {rows.get((list_name, name), '?')}"
        label = languages.texts(choice.get("label"))
        missing = [code for code in languages.codes if code not in label]
        if choice.get("media"):
            result.problems.append(
                f"{where}: media ({', '.join(sorted(choice['media']))}) is not supported"
            )
            continue
        if missing:
            result.problems.append(
                f"{where}: choice {name!r} of list '{list_name}' has no label in "
                f"{', '.join(missing)}"
            )
            continue
        if name in seen:
            # XLSForm allows it beside a choice_filter; a spec option has one code and one
            # value per column, so the row is refused rather than merged.
            result.problems.append(
                f"{where}: the name {name!r} is used twice in list '{list_name}' (an option "
                "has one code: give each choice its own name)"
            )
            continue
        seen.add(name)
        option: dict[str, Any] = {"code": result.code_of[name], "label": label}
        if str(option["code"]) != name:
            option["name"] = name
        columns = {
            str(key): str(value)
            for key, value in choice.items()
            if key not in _OWN_KEYS
            and _COLUMN.fullmatch(str(key))
            and isinstance(value, str | int | float)
        }
        if columns:
            option["columns"] = columns  # what a choice_filter reads
        result.options.append(option)
    return result
