"""What an XLSForm may hold that MSS refuses, and why (questionnaire_specs/README.md says it too).

A kiosk survey is self-administered and anonymous: nothing may record who, where or when
beyond what the respondent chooses to answer, and every answer must be one the station, the
server and the release can check. So MSS refuses, naming the row and the reason:

- device and time metadata (`start`, `end`, `today`, `deviceid`, `phonenumber`, `username`,
  `email`, `audit`…): recorded without asking, they could identify a respondent;
- geo types and media capture (photos, audio, video, files, barcodes): identifying, and
  nothing MSS can anonymise;
- external data (`select_one_from_file`, `select_one_external`, `pulldata`): the station has
  no such files, and an answer must be checkable against the spec alone;
- repeats: a release is one row per respondent;
- types and columns MSS has no answer rule for yet (time, trigger…), until the spec's
  question-type registry (question_types.py) gains them;
- a dynamic default (`today()`, `now()`, `${other}`: what pyxform marks dynamic) and a
  conditional read_only (xlsform_defaults.py says why).

Purely visual appearances are ignored with a warning; so is everything pyxform reads that
changes nothing a respondent sees (its `meta/instanceID`, `sms_*` columns, styles).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class XLSFormError(Exception):
    """The workbook could not be imported; `.problems` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


IDENTIFYING = "metadata"  # worded by refusal_message: the row's own type is named
_GEO = "a location could identify the respondent; MSS never records one"
_MEDIA = "MSS never records media (photo, audio, video, file, barcode)"
_EXTERNAL = "a station has no external data; put the choices in the form"
_REPEAT = "a release has one row per respondent"
_NOT_YET = "not yet: MSS has no answer rule for it"

# Types pyxform reads that MSS refuses, by the canonical name pyxform gives them, with why.
_REFUSED_TYPES: dict[str, str] = {
    "repeat": _REPEAT,
    "loop": _REPEAT,
    "geopoint": _GEO,
    "geotrace": _GEO,
    "geoshape": _GEO,
    "gps": _GEO,
    "location": _GEO,
    "start-geopoint": _GEO,
    "background-geopoint": _GEO,
    "barcode": _MEDIA,
    "select one external": _EXTERNAL,
    "select_one_external": _EXTERNAL,
    "xml-external": _EXTERNAL,
    "csv-external": _EXTERNAL,
    "include": "a station has no other form to include; copy its questions into this one",
    "audit": IDENTIFYING,
    "hidden": _NOT_YET,
    "acknowledge": _NOT_YET,
    "trigger": _NOT_YET,
    "time": _NOT_YET,
    "datetime": _NOT_YET,
    "dateTime": _NOT_YET,
    "osm": _MEDIA,
    "entity": _EXTERNAL,
    "attribute": _EXTERNAL,
}

# Columns (keys of pyxform's element) that change what is asked or recorded, with why.
REFUSED_FIELDS: dict[str, str] = {
    "trigger": "trigger is not supported",
    "repeat_count": "repeat_count is not supported (repeats are not supported)",
    "itemset_file": _EXTERNAL,
}
REFUSED_BINDS: dict[str, str] = {
    "calculate": "the calculation column is not supported",
}

VISUAL_APPEARANCES = frozenset(
    {
        *("minimal", "compact", "quick", "quickcompact", "horizontal", "horizontal-compact"),
        *("likert", "field-list", "table-list", "label", "list", "list-nolabel", "columns"),
        *("columns-pack", "no-buttons", "numbers", "thousands-sep", "autocomplete"),
        "multiline",
    }
)


def refusal_message(kind: str, reason: str) -> str:
    """The sentence for a refused row of type `kind` (as the form spells it)."""
    if reason == IDENTIFYING:
        return (
            f"'{kind}' is device metadata that could identify the respondent; "
            "MSS never records it (delete the row)"
        )
    return f"{kind} is not supported ({reason})"


def type_refusal(kind: str, type_entry: Mapping[str, Any] | None) -> str | None:
    """Why MSS refuses a question of pyxform type `kind` (its QUESTION_TYPE_DICT entry), or None."""
    if kind in _REFUSED_TYPES:
        return _REFUSED_TYPES[kind]
    bind = (type_entry or {}).get("bind", {})
    control = (type_entry or {}).get("control", {})
    if "jr:preload" in bind:
        return IDENTIFYING
    if control.get("tag") == "upload" or bind.get("type") == "binary":
        return _MEDIA
    if bind.get("type") in ("geopoint", "geotrace", "geoshape"):
        return _GEO
    return None


def field_refusals(element: Mapping[str, Any]) -> list[str]:
    """Why the columns of one element are refused (empty when none are)."""
    reasons = [reason for key, reason in REFUSED_FIELDS.items() if element.get(key)]
    bind = element.get("bind") or {}
    kind = element.get("type")
    reasons += [
        reason
        for key, reason in REFUSED_BINDS.items()
        if _set(bind.get(key)) and not (key == "calculate" and _calculated(kind, bind))
    ]
    if element.get("media"):
        reasons.append(f"media ({', '.join(sorted(element['media']))}) is not supported")
    itemset = str(element.get("itemset", ""))
    if itemset.endswith((".csv", ".xml", ".geojson")):
        reasons.append(f"choices from a file ({itemset}) are not supported ({_EXTERNAL})")
    parameters = dict(element.get("parameters") or {})
    if kind == "range":  # start, end and step are the range's own (xlsform_mapping.py)
        for name in ("start", "end", "step"):
            parameters.pop(name, None)
    if parameters:
        reasons.append(f"parameters ({', '.join(sorted(parameters))}) are not supported yet")
    return reasons


def _set(value: object) -> bool:
    return value not in (None, "", "false()", "no", "false", False)


def _calculated(kind: object, bind: Mapping[str, Any]) -> bool:
    # A calculate row, or a read_only one showing its calculation (xlsform_defaults.py).
    return kind == "calculate" or _set(bind.get("readonly"))
