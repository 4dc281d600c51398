"""The console's routes in one router, for create_app to include (none is in the API
document: these are pages, not operations), and its stylesheet."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from sync_server.console.admin_pages import admin_routes
from sync_server.console.enrolment_pages import enrolment_routes
from sync_server.console.fieldwork_pages import fieldwork_routes
from sync_server.console.fleet_pages import fleet_routes
from sync_server.console.front_desk import Console
from sync_server.console.import_pages import import_routes
from sync_server.console.release_pages import release_routes
from sync_server.console.sign_in_pages import sign_in_routes

STATIC_URL = "/console/static"


def console_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for part in (
        sign_in_routes,
        fleet_routes,
        enrolment_routes,
        import_routes,
        fieldwork_routes,
        release_routes,
        admin_routes,
    ):
        router.include_router(part(console))
    return router


def console_static() -> StaticFiles:
    return StaticFiles(directory=str(Path(__file__).parent / "static"))
