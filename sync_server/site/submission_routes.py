"""POST /s/<campaign>/envelopes: one browser-sealed response in, a receipt out.

Nothing here logs: not the body, not the address, not the user agent. The address is
used only for the in-memory rate limit (as a keyed hash)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from protocol.problems import Problem
from protocol.site_wire import AccessCodeCheck, SiteSubmission, SubmissionTokenGrant
from sync_server.api.bodies import read_json_request
from sync_server.api.callers import client_address
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.site.access_codes import redeem_code
from sync_server.site.campaigns import SLUG_PATTERN
from sync_server.site.state import site_state
from sync_server.site.submissions import accept_site_envelope

router = APIRouter()


def throttle(request: Request, slug: str) -> None:
    """429 too-many-requests with Retry-After, before the body is even read."""
    wait = site_state(request).throttle.retry_after(
        slug, client_address(request, server_state(request))
    )
    if wait is not None:
        raise Problem(
            "too-many-requests", "too many submissions; wait, then send again", retry_after=wait
        )


def known_slug(slug: str) -> None:
    if not SLUG_PATTERN.fullmatch(slug):
        raise Problem("unknown-campaign", "there is no survey campaign at this address")


@router.post("/s/{slug}/codes")
async def post_code(request: Request, slug: str) -> Response:
    """A one-time access code for a one-time submission token (a request of its own: the
    envelope arrives later with the token, never with the code)."""
    known_slug(slug)
    throttle(request, slug)
    state = server_state(request)
    check = await read_json_request(
        request, AccessCodeCheck, limit=state.settings.max_small_body_bytes, what="code check"
    )
    token = await run_in_threadpool(
        redeem_code, state.session_factory, slug, check.code,
        random_bytes=state.settings.random_bytes,
    )  # fmt: skip
    return json_response(SubmissionTokenGrant(token=token).model_dump(mode="json"))


@router.post("/s/{slug}/envelopes")
async def post_envelope(request: Request, slug: str) -> Response:
    known_slug(slug)
    throttle(request, slug)
    state = server_state(request)
    submission = await read_json_request(
        request, SiteSubmission, limit=state.settings.max_small_body_bytes, what="submission"
    )
    outcome = await run_in_threadpool(
        accept_site_envelope, state.session_factory, slug, submission,
        clock=state.settings.clock,
        new_id=lambda: str(uuid.UUID(bytes=state.settings.random_bytes(16), version=4)),
    )  # fmt: skip
    if outcome.receipt is None:
        raise Problem(
            outcome.conflict or "envelope-conflict",
            "another response with this envelope id was stored; this one is kept aside",
        )
    return json_response(outcome.receipt.model_dump(mode="json"))
