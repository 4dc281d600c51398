"""Releases for analysts over HTTP, behind `Authorization: Bearer <token>`.

POST /v1/tokens                          a password for a token (shown once)
POST /v1/releases                        build a release the caller's role and countries allow
GET  /v1/releases                        the releases the caller may download
GET  /v1/releases/{id}/files/{name}      download one file of a release
POST /v1/releases/{id}/reports           make the release's results report (listed with it)
GET  /v1/audit                           the audit log (administrators)

Every release and download attempt is audited, refused ones too (see sync_server/access).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from protocol.problems import Problem
from sync_server.access.audit import read_audit, record_event
from sync_server.access.release_requests import (
    ReleaseRequest,
    release_file,
    request_release,
    visible_releases,
)
from sync_server.access.report_requests import ReportRequest, request_report
from sync_server.access.sign_in import sign_in_with_password, sign_in_with_token
from sync_server.access.throttle import worth_auditing
from sync_server.access.tokens import issue_token
from sync_server.access.user_roles import Actor, may
from sync_server.access.users import UserError
from sync_server.api.bodies import read_json_request
from sync_server.api.callers import caller_of
from sync_server.api.openapi import documented
from sync_server.api.problems import problem_response
from sync_server.api.responses import json_response
from sync_server.api.state import ServerState, server_state
from sync_server.releases.formats import NAMES
from sync_server.store.access_models import AUDIT_OUTCOMES

router = APIRouter()
# A release's format: one of the writers' names, or "all" (every format in one release).
ReleaseFormat = Literal[(*NAMES, "all")]

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/vnd.apache.parquet",
    ".sav": "application/x-spss-sav",
    ".dta": "application/x-stata-dta",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
}


class ReleaseBody(BaseModel):
    """What a caller asks for. A national release names its country; a pooled one none."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["national", "pooled"]
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    spec: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")
    wave: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,20}$")
    format: ReleaseFormat  # type: ignore[valid-type]  # built from formats.NAMES
    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", max_length=8)

    @model_validator(mode="after")
    def _country_matches_scope(self) -> ReleaseBody:
        if self.scope == "national" and self.country is None:
            raise ValueError("a national release names its country")
        if self.scope == "pooled" and self.country is not None:
            raise ValueError("a pooled release holds every country: name none")
        return self

    def request(self) -> ReleaseRequest:
        return ReleaseRequest(
            scope=self.scope, country=self.country, spec_id=self.spec, wave=self.wave,
            fmt=self.format, lang=self.lang,
        )  # fmt: skip


class ReportBody(BaseModel):
    """The report of a listed release (made with format parquet or all); with `compare`, an
    earlier wave's release of the same scope, the change since then; with `alongside`,
    another population's release of the same wave, each index beside theirs."""

    model_config = ConfigDict(extra="forbid")

    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", max_length=8)
    compare: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    alongside: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    min_n: int = Field(default=10, ge=2, le=1000)


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)
    lifetime_days: int = Field(default=30, ge=1, le=366)
    label: str = Field(default="", max_length=200)


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else ""


def _actor(request: Request, state: ServerState) -> Actor | None:
    """The bearer token's user, or None (no token, or one that does not open: both counted
    per address); Problem too-many-attempts while the address must wait."""
    actor, failures = sign_in_with_token(
        state.session_factory,
        caller_of(request, state),
        _bearer(request) or "",
        clock=state.settings.clock,
    )
    request.state.audit_failure = failures == 0 or worth_auditing(failures)
    return actor


def _unauthenticated(request: Request) -> Response:
    detail = (
        "send Authorization: Bearer <token>"
        if _bearer(request) is None
        else "the token is unknown, expired or revoked, or its user is disabled"
    )
    response = problem_response("not-authenticated", detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="mss"'
    return response


def _audit_unauthenticated(
    request: Request, state: ServerState, action: str, release_id: str | None, detail: str
) -> None:
    if not getattr(request.state, "audit_failure", True):
        return  # a flood of bad tokens from one address: only every power of two is kept
    presented = "no token" if _bearer(request) is None else "a token that does not open"
    record_event(
        state.session_factory, clock=state.settings.clock, actor=None, action=action,
        outcome="unauthenticated", release_id=release_id, detail=f"{detail}; {presented}",
    )  # fmt: skip


@router.post("/v1/tokens", **documented(success=201, body=TokenBody))
async def post_token(request: Request) -> Response:
    state = server_state(request)
    body = await read_json_request(
        request, TokenBody, limit=state.settings.max_small_body_bytes, what="token request"
    )
    async with state.password_checks:  # waiting here holds no thread and no core
        actor = await run_in_threadpool(
            sign_in_with_password, state.session_factory, caller_of(request, state, body.name),
            body.password, clock=state.settings.clock,
        )  # fmt: skip
    if actor is None:
        return problem_response(
            "not-authenticated", "the name or password is wrong, or the user is disabled"
        )
    try:
        issued = await run_in_threadpool(
            lambda: issue_token(
                state.session_factory, user_name=actor.name,
                lifetime=timedelta(days=body.lifetime_days), clock=state.settings.clock,
                random_bytes=state.settings.random_bytes, label=body.label or "api",
            )
        )  # fmt: skip
    except UserError:
        # Disabled between the password check and now.
        return problem_response("not-authenticated", "the user is disabled")
    await run_in_threadpool(
        record_event, state.session_factory, clock=state.settings.clock, actor=actor.name,
        action="token", outcome="ok", detail=f"token {issued.token_id} issued",
    )  # fmt: skip
    return json_response(issued.to_json(), status_code=201)


@router.post("/v1/releases", **documented(success=201, body=ReleaseBody, bearer=True))
async def post_release(request: Request) -> Response:
    state = server_state(request)
    actor = await run_in_threadpool(_actor, request, state)
    if actor is None:
        await run_in_threadpool(
            _audit_unauthenticated, request, state, "release", None, "release request"
        )
        return _unauthenticated(request)
    try:
        body = await read_json_request(
            request, ReleaseBody, limit=state.settings.max_small_body_bytes,
            what="release request",
        )  # fmt: skip
    except Problem as problem:
        await run_in_threadpool(
            record_event, state.session_factory, clock=state.settings.clock,
            actor=actor.name, action="release", outcome="invalid",
            detail=f"{problem.code}: {problem.detail}",
        )  # fmt: skip
        raise
    settings = state.settings
    release = await run_in_threadpool(
        lambda: request_release(
            state.session_factory, actor, body.request(), data_dir=settings.data_dir,
            clock=settings.clock, random_bytes=settings.random_bytes,
        )
    )  # fmt: skip
    return json_response(release.to_json(), status_code=201)


@router.get("/v1/releases", **documented(bearer=True))
def get_releases(request: Request) -> Response:
    state = server_state(request)
    actor = _actor(request, state)
    if actor is None:
        return _unauthenticated(request)
    releases = visible_releases(state.session_factory, actor)
    return json_response({"releases": [release.to_json() for release in releases]})


@router.get(
    "/v1/releases/{release_id}/files/{name:path}",
    **documented(media_types=(*MEDIA_TYPES.values(), "application/octet-stream"), bearer=True),
)
def get_release_file(release_id: str, name: str, request: Request) -> Response:
    state = server_state(request)
    actor = _actor(request, state)
    if actor is None:
        _audit_unauthenticated(request, state, "download", release_id, name)
        return _unauthenticated(request)
    path = release_file(
        state.session_factory, actor, release_id, name,
        data_dir=state.settings.data_dir, clock=state.settings.clock,
    )  # fmt: skip
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media_type, filename=path.name)


@router.post(
    "/v1/releases/{release_id}/reports", **documented(success=201, body=ReportBody, bearer=True)
)
async def post_report(release_id: str, request: Request) -> Response:
    state = server_state(request)
    actor = await run_in_threadpool(_actor, request, state)
    if actor is None:
        await run_in_threadpool(
            _audit_unauthenticated, request, state, "report", None, "report request"
        )
        return _unauthenticated(request)
    body = await read_json_request(
        request, ReportBody, limit=state.settings.max_small_body_bytes, what="report request"
    )
    asked = ReportRequest(release_id, body.lang, body.compare, body.min_n, body.alongside)
    release = await run_in_threadpool(
        lambda: request_report(
            state.session_factory, actor, asked, data_dir=state.settings.data_dir,
            clock=state.settings.clock,
        )
    )  # fmt: skip
    document = release.to_json()
    document["report"] = [f for f in document["files"] if f["name"].startswith(f"{asked.folder}/")]
    return json_response(document, status_code=201)


@router.get("/v1/audit", **documented(bearer=True))
def get_audit(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    state = server_state(request)
    caller = _actor(request, state)
    if caller is None:
        return _unauthenticated(request)
    if not may(caller, "users", None, None):
        raise Problem("forbidden-scope", "only an administrator reads the audit log")
    if outcome is not None and outcome not in AUDIT_OUTCOMES:
        raise Problem("invalid-request", f"outcome is one of {', '.join(AUDIT_OUTCOMES)}")
    entries = read_audit(state.session_factory, limit=limit, actor=actor, outcome=outcome)
    document: dict[str, Any] = {"entries": [entry.to_json() for entry in entries]}
    return json_response(document)
