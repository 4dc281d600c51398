"""create_app(settings): the intake server, the release API for analysts, its document
(/openapi.json, /docs) and the console (/console). Nothing is built at import time."""

from __future__ import annotations

from fastapi import FastAPI

from sync_server.api import enrolment, health, intake, releases, specs
from sync_server.api.callers import client_address
from sync_server.api.openapi import install_document
from sync_server.api.problems import install_problem_handlers
from sync_server.api.request_line import RefuseHostileRequestLine
from sync_server.api.state import open_store
from sync_server.console.front_desk import Console, console_templates
from sync_server.console.router import STATIC_URL, console_router, console_static
from sync_server.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app with its own engine and session factory (kept on app.state.server).

    Holds no survey private key: intake stores sealed envelopes it cannot open.
    """
    store = open_store(settings)
    state = store.state

    app = FastAPI(
        title="Mobile Survey Stations: intake",
        version="1",
        lifespan=store.lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.server = state
    install_problem_handlers(app)
    app.add_middleware(RefuseHostileRequestLine)  # outermost: before routing
    for router in (
        health.router,
        enrolment.router,
        intake.router,
        specs.router,
        releases.router,
    ):
        app.include_router(router)
    install_document(app)
    console = Console(
        session_factory=state.session_factory, clock=settings.clock,
        random_bytes=settings.random_bytes, data_dir=settings.data_dir,
        address_of=lambda request: client_address(request, state),
        password_checks=state.password_checks, templates=console_templates(),
    )  # fmt: skip
    app.include_router(console_router(console))
    app.mount(STATIC_URL, console_static(), name="console-static")
    return app
