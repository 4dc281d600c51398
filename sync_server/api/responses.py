"""JSON answers in canonical form (the same bytes for the same content)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from protocol.canonical import canonical_json


def json_response(
    document: Any, status_code: int = 200, *, media_type: str = "application/json"
) -> Response:
    return Response(canonical_json(document), status_code=status_code, media_type=media_type)
