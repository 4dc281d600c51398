"""POST /s/<campaign>/envelopes: one browser-sealed response in, a receipt out.

Nothing here logs: not the body, not the address, not the user agent. The address is
used only for the in-memory rate limit (as a keyed hash)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from crypto.blind_signing import VARIANT
from protocol.problems import Problem
from protocol.site_wire import AccessCodeCheck, SiteSubmission, SubmissionTokenGrant, TokenKeyWire
from sync_server.api.bodies import read_json_request
from sync_server.api.callers import client_address
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.site.access_codes import from_base64url, redeem_code, to_base64url
from sync_server.site.campaigns import SLUG_PATTERN, open_campaign_view
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


def _campaign_token_key(request: Request, slug: str) -> TokenKeyWire:
    view = open_campaign_view(server_state(request).session_factory, slug)
    if not view.requires_codes:
        raise Problem("invalid-request", "this campaign needs no access code")
    public = site_state(request).token_keys.public_key(slug)
    return TokenKeyWire(variant=VARIANT, key_id=public.key_id(),
                        **public.jwk())  # fmt: skip


@router.get("/s/{slug}/token-key")
async def get_token_key(request: Request, slug: str) -> Response:
    """The campaign's token public key: the browser blinds its token message to it. Made on
    the campaign's first call (one RSA key generation, a fraction of a second)."""
    known_slug(slug)
    wire = await run_in_threadpool(_campaign_token_key, request, slug)
    return json_response(wire.model_dump(mode="json"))


@router.post("/s/{slug}/codes")
async def post_code(request: Request, slug: str) -> Response:
    """A one-time access code and a blinded token message for the campaign's blind signature
    (a request of its own: the envelope arrives later with the token, never with the code,
    and the site cannot tell which signature the token came from)."""
    known_slug(slug)
    throttle(request, slug)
    state = server_state(request)
    check = await read_json_request(
        request, AccessCodeCheck, limit=state.settings.max_small_body_bytes, what="code check"
    )
    blind_signature = await run_in_threadpool(
        redeem_code, state.session_factory, slug, check.code, from_base64url(check.blinded),
        keys=site_state(request).token_keys,
    )  # fmt: skip
    grant = SubmissionTokenGrant(blind_signature=to_base64url(blind_signature))
    return json_response(grant.model_dump(mode="json"))


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
        clock=state.settings.clock, token_keys=site_state(request).token_keys,
        new_id=lambda: str(uuid.UUID(bytes=state.settings.random_bytes(16), version=4)),
    )  # fmt: skip
    if outcome.receipt is None:
        raise Problem(
            outcome.conflict or "envelope-conflict",
            "another response with this envelope id was stored; this one is kept aside",
        )
    return json_response(outcome.receipt.model_dump(mode="json"))
