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

A list may hold one name twice where pyxform accepted it (`allow_choice_duplicates: yes`,
beside a choice_filter that tells them apart: the two `king` counties of two states). Each
row is its own option then, so the list gets integer codes as above, a repeated name taking a
number of its own; `code_of` names each name's first code and `aliases` maps every later
code to it, so that an expression comparing the answer with the name (or a later question's
choice_filter reading it) holds for each of them, as in XLSForm where the answer *is* the name.

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
    # A repeated name's later codes → its first code (see the module docstring).
    aliases: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def integer_codes(self) -> bool:
        return all(isinstance(code, int) for code in self.code_of.values())


def codes_for(names: Sequence[str]) -> list[int | str]:
    """The option code of each choice row of one list, in order (see the module docstring)."""
    repeated = len(set(names)) < len(names)
    if not repeated and all(_INTEGER.fullmatch(name) for name in names):
        return [int(name) for name in names]
    if not repeated and all(
        _TEXT_CODE.fullmatch(name) and not _INTEGER.fullmatch(name) for name in names
    ):
        return list(names)
    taken = [int(name) for name in names if _INTEGER.fullmatch(name)]
    following = max(taken, default=0) + 1
    codes: list[int | str] = []
    seen: set[str] = set()
    for name in names:
        if _INTEGER.fullmatch(name) and name not in seen:
            codes.append(int(name))
        else:
            codes.append(following)
            following += 1
        seen.add(name)
    return codes


_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # a column a choice_filter can name
# A choice's keys that are not columns of its own (pyxform's names for them).
_OWN_KEYS = frozenset({"name", "label", "media", "image", "audio", "video", "big-image"})


def choice_list(
    list_name: str,
    choices: Sequence[Mapping[str, Any]],
    languages: FormLanguages,
    rows: Mapping[tuple[str, str], Sequence[int]],
) -> ChoiceList:
    """One list of pyxform's `choices`, mapped; `rows` names the choices rows of each name."""
    result = ChoiceList(list_name)
    names = [str(choice.get("name", "")).strip() for choice in choices]
    codes = codes_for(names)
    for name, code in zip(names, codes, strict=True):
        first = result.code_of.setdefault(name, code)
        if first != code and isinstance(first, int) and isinstance(code, int):
            result.aliases[code] = first
    occurrence: dict[str, int] = {}
    for name, code, choice in zip(names, codes, choices, strict=True):
        nth = occurrence[name] = occurrence.get(name, -1) + 1
        found = rows.get((list_name, name), ())
        where = f"choices row {found[nth] if nth < len(found) else '?'}"
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
        option: dict[str, Any] = {"code": code, "label": label}
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
