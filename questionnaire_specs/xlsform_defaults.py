"""XLSForm's `default` and `read_only` columns → the spec's `default` and `read_only`.

- `default` is a static value the widget starts with: a choice's name (select_multiple and
  rank: names separated by spaces) becomes its code as the import maps names, a number a
  number, a date a YYYY-MM-DD text (Excel's `2010-06-15 00:00:00` too), a text itself. A
  dynamic default (what pyxform marks dynamic: `today()`, `now()`, `${other}`, arithmetic)
  is refused by row: a value the device works out at the start (its clock) could identify
  the respondent, and one worked out from other answers is a calculation (a calculate
  question says so, and the processor can recompute it).
- `read_only` (yes, true, true()) shows the question and lets nobody change it. With a
  `default` the question keeps its type and shows that value; with a `calculation` it is a
  calculate question shown on its own screen; with neither it shows only its label: a note.
  Its value never travels: the processor works it out again (questionnaire_specs/README.md).
  A read_only that is a condition (`${q} = 'x'`) is refused: a question is read-only always
  or never.

Whether the default is a valid answer is the rule book's to say (answer_defaults.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TRUE = frozenset({"yes", "true", "true()", "1", "y", "yes()"})
_FALSE = frozenset({"no", "false", "false()", "0", "n", "", "no()"})
_EXCEL_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?: 00:00:00)?")


class DefaultRefused(ValueError):
    """A default or read_only column MSS cannot map; the message names what and why."""


def read_only_of(bind: Mapping[str, Any]) -> bool:
    """Whether the question's `read_only` column holds (DefaultRefused when a condition)."""
    value = bind.get("readonly")
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DefaultRefused(
        f"read_only {value!r} is a condition, which MSS does not support: a question is "
        "read-only always (yes) or never"
    )


def default_of(
    text: object, spec_type: str, data: Mapping[str, Any], element_type: str
) -> int | float | str | list[int | str] | None:
    """The spec default for the XLSForm `default` cell `text` of a question of `spec_type`
    (`data`: the question mapped so far, with its list's `_codes`); None when empty."""
    from pyxform.utils import default_is_dynamic

    raw = str(text).strip() if text is not None else ""
    if not raw:
        return None
    if default_is_dynamic(raw, element_type) or "${" in raw:
        raise DefaultRefused(
            f"default {raw!r} is worked out on the device (a dynamic default), which MSS "
            "does not support: device time could identify the respondent; a value from "
            "other answers is a calculate question's"
        )
    if spec_type in ("single_choice", "multi_choice", "rank"):
        codes: Mapping[str, int | str] = data.get("_codes") or {}
        names = raw.split() if spec_type != "single_choice" else [raw]
        unknown = [name for name in names if name not in codes]
        if unknown:
            raise DefaultRefused(f"default {' '.join(unknown)!r} is not a choice of its list")
        chosen = [codes[name] for name in names]
        return chosen[0] if spec_type == "single_choice" else chosen
    if spec_type in ("number", "range"):
        try:
            number = float(raw)
        except ValueError:
            raise DefaultRefused(f"default {raw!r} is not a number") from None
        if data.get("integer") is not False or spec_type == "range":
            if not number.is_integer():
                raise DefaultRefused(f"default {raw!r} is not a whole number")
            return int(number)
        return number
    if spec_type == "date":
        match = _EXCEL_DATE.fullmatch(raw)
        if match is None:
            raise DefaultRefused(f"default {raw!r} is not a YYYY-MM-DD date")
        return match.group(1)
    if spec_type == "text":
        return raw
    raise DefaultRefused(f"a {spec_type} takes no default")
