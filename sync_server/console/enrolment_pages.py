"""Enrolling a station from the console: the form `mss server enroll-token` is, issuing
the same bundle (ingest.bundles), with its provisioning code as a QR code on screen (as the
command writes it; `mss station provision --qr-image` reads it) and the bundle to download.
Shown once: only the token's hash is kept."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import segno
from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol.problems import Problem
from protocol.provisioning import ProvisioningCode
from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may, may_at_all
from sync_server.console.front_desk import Console, Posted, form_post, page_get, refuse, render
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.bundles import (
    StationPlace,
    issue_bundle,
    operator_fingerprint,
    registered_populations,
)
from sync_server.survey_keys import SurveyKeyFiles

ENROL = "/console/enrol"
COUNTRY = re.compile(r"[A-Z]{2}")
MAX_LIFETIME_DAYS = 30


def _server_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def enrolment_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def enroller(actor: Actor) -> bool:
        return may_at_all(actor, "fleet")

    def form(request: Request, who: SignedIn, *, status: int = 200, why: str = "") -> Response:
        return render(
            console, request, "enrol.html", who, status=status, why=why,
            populations=registered_populations(console.session_factory),
            server_url=_server_url(request), max_days=MAX_LIFETIME_DAYS,
        )  # fmt: skip

    @router.get(ENROL)
    @page_get(console, enroller, "enrolling a station")
    def get_enrol(request: Request, who: SignedIn) -> Response:
        return form(request, who)

    @router.post(ENROL)
    @form_post(console, enroller, "enrolling a station")
    async def post_enrol(request: Request, posted: Posted) -> Response:
        who, fields = posted.who, posted.fields
        country = fields.get("country", "")
        if not COUNTRY.fullmatch(country) or not may(who.actor, "fleet", "national", country):
            return await run_in_threadpool(
                refuse, console, request, who, f"enrolling a station in {country[:10]!r}"
            )
        known = await run_in_threadpool(registered_populations, console.session_factory)
        chosen = tuple(p for p in known if fields.get(f"population-{p}") == "on")
        region = fields.get("region", "").strip()[:200]
        days = fields.get("days", "7")
        server_url = fields.get("server_url", "").strip()[:500]
        why = ""
        if not region:
            why = "a region is needed"
        elif not chosen:
            why = "choose at least one population"
        elif not days.isdigit() or not 1 <= int(days) <= MAX_LIFETIME_DAYS:
            why = f"the token lasts 1 to {MAX_LIFETIME_DAYS} days"
        elif not server_url.startswith(("http://", "https://")):
            why = "the server URL starts with http:// or https://"
        keys = SurveyKeyFiles(console.data_dir)
        if not why and not keys.public.exists():
            why = "this server has no survey key yet (mss server init)"
        if why:
            return await run_in_threadpool(lambda: form(request, who, status=422, why=why))

        def issue() -> Response:
            place = StationPlace(country, region, chosen, server_url)
            try:
                bundle = issue_bundle(
                    console.session_factory, place, lifetime=timedelta(days=int(days)),
                    survey_public_key=keys.public_key().to_text(), clock=console.clock,
                    random_bytes=console.random_bytes,
                )  # fmt: skip
            except (Problem, ValueError) as error:
                return form(request, who, status=422, why=str(getattr(error, "detail", error)))
            record_event(
                console.session_factory, clock=console.clock, actor=who.actor.name,
                action="enrol", outcome="ok",
                detail=f"token for {country} {region} ({', '.join(chosen)}), "
                f"valid until {bundle.expires_at}",
            )  # fmt: skip
            qr = segno.make(ProvisioningCode.for_bundle(bundle).to_text(), error="m")
            return render(
                console, request, "enrolled.html", who, bundle=bundle,
                qr_svg=qr.svg_data_uri(scale=6, border=2),
                bundle_href="data:application/json;base64,"
                + base64.b64encode(bundle.to_json()).decode("ascii"),
                bundle_name=f"station-{country}-{region[:20]}.json".replace(" ", "-"),
                operator_fingerprint=operator_fingerprint(bundle),
            )  # fmt: skip

        return await run_in_threadpool(issue)

    return router
