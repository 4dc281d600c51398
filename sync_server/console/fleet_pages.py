"""Coordinators' pages: the fleet, revoking a station (with a confirmation), the
quarantine with its reasons (never an answer). Each checks user_roles' "fleet" rule for the
stations' countries."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol.problems import Problem
from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may, may_at_all
from sync_server.console.fieldwork_pages import progress_in_reach
from sync_server.console.fleet_view import fleet_rows
from sync_server.console.front_desk import Console, Posted, form_post, page_get, refuse, render
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.enrolment import revoke_station
from sync_server.ingest.fleet import fleet_status, quarantine_entries
from sync_server.ingest.quarantine_release import (
    QuarantineRef,
    quarantined_country,
    release_quarantined,
)
from sync_server.store.models import Station

STATION_PATH = Path(pattern=r"^st_[a-z0-9]{1,40}$")


def _country_of(console: Console, station_id: str) -> str | None:
    with console.session_factory() as session:
        return session.scalar(select(Station.country).where(Station.station_id == station_id))


def fleet_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def fleet_watcher(actor: Actor) -> bool:
        return may_at_all(actor, "fleet")

    @router.get("/console/fleet")
    @page_get(console, fleet_watcher, "the fleet")
    def get_fleet(
        request: Request,
        who: SignedIn,
        country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
        status: Annotated[str | None, Query(pattern=r"^(active|revoked)$")] = None,
    ) -> Response:
        if country is not None and not may(who.actor, "fleet", "national", country):
            return refuse(console, request, who, f"the fleet of {country} is not within reach")
        fleet = fleet_status(console.session_factory, now=console.clock())
        rows, total = fleet_rows(
            fleet, who.actor, now=console.clock(), country=country, status=status
        )
        countries = sorted(
            {s.country for s in fleet.stations if may(who.actor, "fleet", "national", s.country)}
        )
        return render(
            console, request, "fleet.html", who, rows=rows, total=total, countries=countries,
            country_filter=country, status_filter=status,
            progress=progress_in_reach(console, who.actor),
        )  # fmt: skip

    def station_country(who: SignedIn, request: Request, station_id: str) -> str | Response:
        """The station's country, or an audited refusal: no such station, or not of the
        user's countries."""
        country = _country_of(console, station_id)
        if country is None:
            return refuse(console, request, who, "no such station", status=404,
                          outcome="not-found", message="not_found")  # fmt: skip
        if not may(who.actor, "fleet", "national", country):
            return refuse(console, request, who, f"station {station_id} of {country}")
        return country

    def station_refusal(who: SignedIn, request: Request, station_id: str) -> Response | None:
        found = station_country(who, request, station_id)
        return found if isinstance(found, Response) else None

    @router.get("/console/stations/{station_id}/revoke")
    @page_get(console, fleet_watcher, "revoking a station")
    def get_revoke(
        request: Request, who: SignedIn, station_id: Annotated[str, STATION_PATH]
    ) -> Response:
        country = station_country(who, request, station_id)
        if isinstance(country, Response):
            return country
        return render(console, request, "revoke.html", who, station_id=station_id, country=country)

    @router.post("/console/stations/{station_id}/revoke")
    @form_post(console, fleet_watcher, "revoking a station", reach=station_refusal)
    async def post_revoke(
        request: Request, posted: Posted, station_id: Annotated[str, STATION_PATH]
    ) -> Response:
        who = posted.who

        def revoke() -> None:
            try:
                changed = revoke_station(console.session_factory, station_id, clock=console.clock)
            except Problem:
                changed = False
            record_event(
                console.session_factory, clock=console.clock, actor=who.actor.name,
                action="revoke", outcome="ok",
                detail=f"station {station_id}" + ("" if changed else " (already revoked)"),
            )  # fmt: skip

        await run_in_threadpool(revoke)
        return RedirectResponse(f"/console/fleet?revoked={station_id}", status_code=303)

    def quarantine_page(
        request: Request, who: SignedIn, *, status: int = 200, **notice: object
    ) -> Response:
        entries = [
            entry
            for entry in quarantine_entries(console.session_factory)
            if may(who.actor, "fleet", "national", entry.country)
        ]
        return render(
            console, request, "quarantine.html", who, status=status, entries=entries,
            ref_of=lambda entry: QuarantineRef.of(entry).to_text(), **notice,
        )  # fmt: skip

    @router.get("/console/quarantine")
    @page_get(console, fleet_watcher, "the quarantine")
    def get_quarantine(
        request: Request,
        who: SignedIn,
        released: Annotated[str | None, Query(max_length=120)] = None,
    ) -> Response:
        return quarantine_page(request, who, released=released or "")

    @router.post("/console/quarantine/release")
    @form_post(console, fleet_watcher, "releasing from quarantine")
    async def post_quarantine_release(request: Request, posted: Posted) -> Response:
        """Back to the processor's queue (ingest.quarantine_release decides), for the
        station's country only; every attempt audited."""
        who, text = posted.who, posted.fields.get("ref", "")[:120]

        def release() -> Response:
            try:
                ref = QuarantineRef.from_text(text)
            except Problem:
                return refuse(console, request, who, f"no quarantine entry {text[:60]!r}",
                              status=404, outcome="not-found", message="not_found")  # fmt: skip
            country = quarantined_country(console.session_factory, ref)
            if country is None:
                return refuse(console, request, who, f"{ref.to_text()} is not in quarantine",
                              status=404, outcome="not-found", message="not_found")  # fmt: skip
            if not may(who.actor, "fleet", "national", country):
                return refuse(console, request, who, f"{ref.to_text()} of {country}")
            try:
                released = release_quarantined(console.session_factory, ref, clock=console.clock)
            except Problem as problem:
                record_event(
                    console.session_factory, clock=console.clock, actor=who.actor.name,
                    action="quarantine", outcome="refused",
                    detail=f"{ref.to_text()}: {problem.code}",
                )  # fmt: skip
                return quarantine_page(
                    request, who, status=problem.status, still_held=ref.to_text(),
                    still_code=problem.code,
                )  # fmt: skip
            record_event(
                console.session_factory, clock=console.clock, actor=who.actor.name,
                action="quarantine", outcome="ok",
                detail=f"{ref.to_text()} (held for {released.reason}) released to the processor",
            )  # fmt: skip
            return RedirectResponse(
                f"/console/quarantine?released={quote(ref.to_text())}", status_code=303
            )

        return await run_in_threadpool(release)

    return router
