"""Fieldwork targets: an administrator or a coordinator sets the sample size per campaign
(a spec's wave), country and population (ingest.fieldwork keeps it); the fleet page shows
what has come in against it, with the gender split where no group is below the spec's k."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may, may_at_all
from sync_server.console.front_desk import Console, Posted, form_post, page_get, refuse, render
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.bundles import registered_populations
from sync_server.ingest.fieldwork import (
    MAX_TARGET,
    Progress,
    fieldwork_progress,
    set_target,
    targets,
)
from sync_server.ingest.specs import known_spec_identities
from sync_server.releases.waves import WAVE_PATTERN, wave_bounds

TARGETS = "/console/targets"
COUNTRY = re.compile(r"[A-Z]{2}")


def progress_in_reach(console: Console, actor: Actor) -> list[Progress]:
    """The targets of the user's countries with what has come in (no query without one)."""
    chosen = [
        t for t in targets(console.session_factory) if may(actor, "fleet", "national", t.country)
    ]
    if not chosen:
        return []
    return fieldwork_progress(console.session_factory, chosen, wave_dates=wave_bounds)


def fieldwork_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def steerer(actor: Actor) -> bool:
        return may_at_all(actor, "fleet")

    def spec_ids() -> list[str]:
        return sorted({i.id for i in known_spec_identities(console.session_factory)})

    def page(request: Request, who: SignedIn, *, status: int = 200, why: str = "") -> Response:
        return render(
            console, request, "targets.html", who, status=status, why=why,
            progress=progress_in_reach(console, who.actor), specs=spec_ids(),
            populations=registered_populations(console.session_factory),
            max_target=MAX_TARGET, this_year=f"{console.clock().year:04d}",
        )  # fmt: skip

    @router.get(TARGETS)
    @page_get(console, steerer, "the fieldwork targets")
    def get_targets(request: Request, who: SignedIn) -> Response:
        return page(request, who)

    @router.post(TARGETS)
    @form_post(console, steerer, "setting a fieldwork target")
    async def post_target(request: Request, posted: Posted) -> Response:
        who, fields = posted.who, posted.fields
        spec_id, wave = fields.get("spec", ""), fields.get("wave", "").strip()
        country, population = fields.get("country", ""), fields.get("population", "")
        count = fields.get("target", "").strip()

        def work() -> Response:
            if not COUNTRY.fullmatch(country) or not may(who.actor, "fleet", "national", country):
                return refuse(console, request, who, f"a target in {country[:10]!r}")
            why = ""
            if spec_id not in spec_ids():
                why = "target_unknown_spec"
            elif not WAVE_PATTERN.fullmatch(wave):
                why = "target_wave"
            elif population not in registered_populations(console.session_factory):
                why = "target_population"
            elif not count.isdigit() or int(count) > MAX_TARGET:
                why = "target_count"
            if why:
                return page(request, who, status=422, why=why)
            changed = set_target(
                console.session_factory, spec_id=spec_id, wave=wave, country=country,
                population=population, target=int(count), set_by=who.actor.name,
                clock=console.clock,
            )  # fmt: skip
            if changed:
                record_event(
                    console.session_factory, clock=console.clock, actor=who.actor.name,
                    action="target", outcome="ok",
                    detail=f"{spec_id} wave {wave}, {country} {population}: "
                    + (f"{int(count)} responses" if int(count) else "target removed"),
                )  # fmt: skip
            return RedirectResponse(f"{TARGETS}?saved=1", status_code=303)

        return await run_in_threadpool(work)

    return router
