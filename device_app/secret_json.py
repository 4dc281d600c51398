"""Read a JSON object from a file that holds a secret (a bundle's token, a respondent's
answers): a refusal says where the file is broken, never what it says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from device_app.errors import StationError

MAX_SECRET_JSON_BYTES = 16 * 1024 * 1024


def read_secret_json(
    path: Path, what: str, *, error: type[StationError] = StationError
) -> dict[str, Any]:
    """The JSON object in `path` (`what` names it in messages, e.g. "the bundle"); `error`
    for anything else: unreadable, too large, not UTF-8 JSON, not an object."""
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_SECRET_JSON_BYTES + 1)
    except OSError as problem:
        raise error(f"cannot read {what} {path}: {problem.strerror}") from None
    if len(raw) > MAX_SECRET_JSON_BYTES:
        raise error(f"{what} {path} is too large")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as problem:
        # Only where: the decoder's message may quote the file.
        raise error(
            f"{what} {path} is not JSON (line {problem.lineno}, column {problem.colno})"
        ) from None
    except ValueError:
        raise error(f"{what} {path} is not JSON text (UTF-8)") from None
    if not isinstance(data, dict):
        raise error(f"{what} {path} must be a JSON object")
    return data
