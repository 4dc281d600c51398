"""Request bodies read with a limit: never an unbounded body in memory."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel

from protocol.codec import parse_request
from protocol.problems import Problem
from sync_server.api.state import server_state

ModelT = TypeVar("ModelT", bound=BaseModel)


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def require_json(request: Request, *, gzip: bool) -> None:
    content_type = _media_type(request.headers.get("content-type"))
    if content_type != "application/json":
        raise Problem(
            "unsupported-media-type",
            f"Content-Type must be application/json, not {content_type or 'missing'}",
        )
    encoding = _media_type(request.headers.get("content-encoding")) or "identity"
    wanted = "gzip" if gzip else "identity"
    if encoding != wanted:
        raise Problem(
            "unsupported-media-type",
            f"Content-Encoding must be {wanted} here, not {encoding}",
        )


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body, or payload-too-large as soon as it passes `limit` bytes, or
    request-timeout when it does not arrive within the settings' body_read_seconds."""
    try:
        async with asyncio.timeout(server_state(request).settings.body_read_seconds):
            return await _read_up_to(request, limit)
    except TimeoutError:
        raise Problem("request-timeout", "the request body did not arrive in time") from None


async def _read_up_to(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Problem("malformed-request", "Content-Length is not a number")
        if int(declared) > limit:
            raise Problem(
                "payload-too-large", f"the body is {int(declared)} bytes; the limit is {limit}"
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem("payload-too-large", f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_request(
    request: Request, model: type[ModelT], *, limit: int, what: str
) -> ModelT:
    """A small plain JSON body, read with `limit` and validated as `model`; a Problem
    (unsupported-media-type, payload-too-large, malformed-request, invalid-request) if not."""
    require_json(request, gzip=False)
    body = await read_bounded(request, limit)
    if b"\\u0000" in body:
        # JSON can carry NUL only as this escape; no name, version or text of ours holds
        # one, and PostgreSQL text cannot store it.
        raise Problem("invalid-request", f"the {what} holds a NUL character")
    return parse_request(body, model, what=what)
