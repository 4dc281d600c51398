"""Every error leaves as application/problem+json with a stable code, including
FastAPI's own validation errors and anything unexpected (500, no traceback in the body)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from protocol.canonical import canonical_json
from protocol.problems import PROBLEM_MEDIA_TYPE, Problem, problem_body

log = logging.getLogger("sync_server.api")

_STATUS_CODES = {
    400: "malformed-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    503: "service-unavailable",
}


def problem_response(code: str, detail: str, *, retry_after: int | None = None) -> Response:
    body = problem_body(code, detail)
    headers = {"Retry-After": "30"} if body.retry and body.status == 503 else None
    if retry_after is not None:
        headers = {"Retry-After": str(retry_after)}
    return Response(
        canonical_json(body.model_dump()),
        status_code=body.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


async def _on_problem(_request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return problem_response(error.code, error.detail, retry_after=error.retry_after)


async def _on_validation(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "(request)"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return problem_response("invalid-request", "; ".join(parts) or "the request is invalid")


async def _on_http(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = _STATUS_CODES.get(error.status_code, "internal-error")
    detail = error.detail if isinstance(error.detail, str) else "request refused"
    return problem_response(code, detail)


async def _on_data_error(_request: Request, error: Exception) -> Response:
    # A value the request carried that a column cannot hold and no model bound caught (the
    # wire models bound what they know: sequences, lengths, patterns): the transaction was
    # rolled back, so nothing changed. Named by kind only, never quoting the value.
    log.info("refused a value the store cannot hold: %s", type(error).__name__)
    return problem_response(
        "invalid-request", "a value in the request is out of the range the server stores"
    )


class CatchAllProblems:
    """Turns an unexpected exception into a 500 internal-error problem and logs it here,
    so the body never carries a traceback and the server keeps serving."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except ClientDisconnect:
            # The client went away mid-body (a tablet out of coverage): nothing was stored,
            # no one is left to answer, and it is not the server's error.
            log.info("client left during %s %s", scope.get("method"), scope.get("path"))
            return
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # too late for a clean answer; the server closes this connection
            response = problem_response(
                "internal-error", "the server failed to handle this request; retry later"
            )
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    handlers: dict[Any, Any] = {
        Problem: _on_problem,
        RequestValidationError: _on_validation,
        StarletteHTTPException: _on_http,
        DataError: _on_data_error,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
    app.add_middleware(CatchAllProblems)
