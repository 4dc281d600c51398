"""Administrators' pages: the users and the audit log, with filters (user_roles' "users"
rule; access.users and access.audit read them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.requests import Request

from sync_server.access.audit import read_audit
from sync_server.access.user_roles import Actor, may
from sync_server.access.users import list_users
from sync_server.console.front_desk import Console, page_get, render
from sync_server.console.web_sessions import SignedIn
from sync_server.store.access_models import AUDIT_OUTCOMES

AUDIT_ROWS = 200


def admin_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def administrator(actor: Actor) -> bool:
        return may(actor, "users", None, None)

    @router.get("/console/users")
    @page_get(console, administrator, "the users")
    def get_users(request: Request, who: SignedIn) -> Response:
        return render(
            console, request, "users.html", who, users=list_users(console.session_factory)
        )

    @router.get("/console/audit")
    @page_get(console, administrator, "the audit log")
    def get_audit(
        request: Request,
        who: SignedIn,
        actor: Annotated[str | None, Query(max_length=100)] = None,
        outcome: Annotated[str | None, Query(max_length=20)] = None,
    ) -> Response:
        actor = actor or None
        outcome = outcome if outcome in AUDIT_OUTCOMES else None
        entries = read_audit(
            console.session_factory, limit=AUDIT_ROWS, actor=actor, outcome=outcome
        )
        return render(
            console, request, "audit.html", who, entries=entries, outcomes=AUDIT_OUTCOMES,
            actor=actor or "", outcome=outcome or "",
        )  # fmt: skip

    return router
