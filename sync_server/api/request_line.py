"""Refuse a request whose path or query holds a NUL byte or is not UTF-8 once decoded.

No route means such a thing, and PostgreSQL cannot compare it to a text column: checked
once here, before routing, so no handler or database ever sees one (each once answered 500).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from sync_server.api.problems import problem_response


def request_line_problem(raw_path: bytes, query: bytes) -> str | None:
    """Why the percent-decoded path or query cannot be served, or None."""
    for part, what in ((raw_path, "path"), (query, "query")):
        decoded = unquote_to_bytes(part)
        if b"\x00" in decoded:
            return f"the {what} holds a NUL byte"
        try:
            decoded.decode("utf-8")
        except UnicodeDecodeError:
            return f"the {what} is not UTF-8 text"
    return None


class RefuseHostileRequestLine:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
            problem = request_line_problem(raw_path, scope.get("query_string", b""))
            if problem is not None:
                await problem_response("malformed-request", problem)(scope, receive, send)
                return
        await self.app(scope, receive, send)
