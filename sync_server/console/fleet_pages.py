"""Coordinators' pages: the fleet, revoking a station (with a confirmation), the
quarantine with its reasons (never an answer). Each checks user_roles' "fleet" rule for the
stations' countries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol.problems import Problem
from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may, may_at_all
from sync_server.console.fleet_view import fleet_rows
from sync_server.console.front_desk import Console, guard, posted_form, refuse, render
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.enrolment import revoke_station
from sync_server.ingest.fleet import fleet_status, quarantine_entries
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
    def get_fleet(
        request: Request,
        country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
        status: Annotated[str | None, Query(pattern=r"^(active|revoked)$")] = None,
    ) -> Response:
        who = guard(console, request, fleet_watcher, "the fleet")
        if isinstance(who, Response):
            return who
        if country is not None and not may(who.actor, "fleet", "national", country):
            return refuse(console, request, who, f"the fleet of {country} is not within reach")
        fleet = fleet_status(console.session_factory)
        rows, total = fleet_rows(
            fleet, who.actor, now=console.clock(), country=country, status=status
        )
        countries = sorted(
            {s.country for s in fleet.stations if may(who.actor, "fleet", "national", s.country)}
        )
        return render(
            console, request, "fleet.html", who, rows=rows, total=total, countries=countries,
            country_filter=country, status_filter=status,
        )  # fmt: skip

    def station_in_reach(request: Request, station_id: str) -> tuple[SignedIn, str] | Response:
        who = guard(console, request, fleet_watcher, "revoking a station")
        if isinstance(who, Response):
            return who
        country = _country_of(console, station_id)
        if country is None:
            return refuse(console, request, who, "no such station", status=404,
                          outcome="not-found", message="not_found")  # fmt: skip
        if not may(who.actor, "fleet", "national", country):
            return refuse(console, request, who, f"station {station_id} of {country}")
        return who, country

    @router.get("/console/stations/{station_id}/revoke")
    def get_revoke(request: Request, station_id: Annotated[str, STATION_PATH]) -> Response:
        found = station_in_reach(request, station_id)
        if isinstance(found, Response):
            return found
        who, country = found
        return render(console, request, "revoke.html", who, station_id=station_id, country=country)

    @router.post("/console/stations/{station_id}/revoke")
    async def post_revoke(request: Request, station_id: Annotated[str, STATION_PATH]) -> Response:
        found = await run_in_threadpool(station_in_reach, request, station_id)
        if isinstance(found, Response):
            return found
        who, _country = found
        fields = await posted_form(console, request, who.csrf_token, who)
        if isinstance(fields, Response):
            return fields

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

    @router.get("/console/quarantine")
    def get_quarantine(request: Request) -> Response:
        who = guard(console, request, fleet_watcher, "the quarantine")
        if isinstance(who, Response):
            return who
        entries = [
            entry
            for entry in quarantine_entries(console.session_factory)
            if may(who.actor, "fleet", "national", entry.country)
        ]
        return render(console, request, "quarantine.html", who, entries=entries)

    return router
