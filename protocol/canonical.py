"""Canonical JSON: the one byte form of everything that is hashed or signed."""

from __future__ import annotations

import json
import json.encoder
import math
from typing import Any

# One encoder for every call: json.dumps with options builds a new one each time, which was
# a tenth of writing a response's answers document.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


# What _ENCODER writes a string with (ensure_ascii=False): the C writer where there is one.
_encode_string = json.encoder.encode_basestring


class CanonicalJsonError(ValueError):
    """The value cannot be written as canonical JSON (NaN, infinity, or a foreign type)."""


def _check_finite(value: Any) -> None:
    # Only walked when json.dumps refused the value: it gives the clearer message.
    if isinstance(value, float) and not math.isfinite(value):
        raise CanonicalJsonError(f"canonical JSON has no NaN or infinity (got {value!r})")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(f"canonical JSON keys are strings (got {key!r})")
            _check_finite(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_finite(item)


def canonical_json(obj: Any) -> bytes:
    """Keys sorted, `,` and `:` separators, UTF-8 (no \\u escapes), no NaN or infinity.

    Keys must be strings: json.dumps would quietly turn an int key into text, so a document
    with non-string keys is refused (checked on the way out, not by walking every value
    first: this runs for every envelope of every batch).
    """
    try:
        text = _ENCODER.encode(obj)
    except (TypeError, ValueError) as error:
        _check_finite(obj)
        raise CanonicalJsonError(str(error)) from error
    if _has_foreign_key(obj):
        _check_finite(obj)
    return text.encode("utf-8")


def canonical_json_of_parsed(document: Any) -> bytes:
    """canonical_json for a document that json.loads produced: its keys are strings by
    construction (and load_json refused NaN), so the key scan is skipped. Intake hashes every
    envelope of every batch with it."""
    return canonical_text_of_parsed(document).encode("utf-8")


def canonical_text_of_parsed(document: Any) -> str:
    """canonical_json_of_parsed as text, for a store that keeps the text (encoding it to
    UTF-8 and back cost the processor a microsecond a response)."""
    try:
        return _ENCODER.encode(document)
    except (TypeError, ValueError) as error:
        raise CanonicalJsonError(str(error)) from error


def _has_foreign_key(value: Any) -> bool:
    """Whether any dict in `value` has a non-string key (a cheap scan of dicts only)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if type(key) is not str:
                    return True
                if isinstance(child, dict | list):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(child for child in item if isinstance(child, dict | list))
    return False


def json_string(text: str) -> str:
    """A string as canonical JSON writes it: the encoder's own string writer (the one it uses
    with ensure_ascii off), for documents written out piece by piece where speed counts."""
    if type(text) is not str:
        raise CanonicalJsonError(f"a JSON string is wanted here (got {type(text).__name__})")
    return _encode_string(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in MSS JSON")


def load_json(data: bytes | str) -> Any:
    """Parse JSON, refusing NaN and infinity (which Python's json accepts by default)."""
    return json.loads(data, parse_constant=_refuse_constant)
