"""Canonical JSON: the one byte form of everything that is hashed or signed."""

from __future__ import annotations

import json
import math
from typing import Any


class CanonicalJsonError(ValueError):
    """The value cannot be written as canonical JSON (NaN, infinity, or a foreign type)."""


def _check_finite(value: Any) -> None:
    # json.dumps(allow_nan=False) already refuses NaN; walking first gives a clearer message.
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
    """Keys sorted, `,` and `:` separators, UTF-8 (no \\u escapes), no NaN or infinity."""
    _check_finite(obj)
    try:
        text = json.dumps(
            obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise CanonicalJsonError(str(error)) from error
    return text.encode("utf-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in MSS JSON")


def load_json(data: bytes | str) -> Any:
    """Parse JSON, refusing NaN and infinity (which Python's json accepts by default)."""
    return json.loads(data, parse_constant=_refuse_constant)
