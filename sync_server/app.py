"""create_app(settings): the intake server, the release API for analysts, its document
(/openapi.json, /docs) and the console (/console). Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sync_server.api import enrolment, health, intake, releases, specs
from sync_server.api.callers import client_address
from sync_server.api.openapi import install_document
from sync_server.api.problems import install_problem_handlers
from sync_server.api.request_line import RefuseHostileRequestLine
from sync_server.api.state import ServerState
from sync_server.console.front_desk import Console, console_templates
from sync_server.console.router import STATIC_URL, console_router, console_static
from sync_server.settings import Settings
from sync_server.store.engine import make_engine, make_session_factory
from sync_server.store.migrate import upgrade_to_head


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app with its own engine and session factory (kept on app.state.server).

    Holds no survey private key: intake stores sealed envelopes it cannot open.
    """
    engine = make_engine(settings.effective_database_url)
    if settings.migrate_on_start:
        upgrade_to_head(engine)
    state = ServerState(
        settings=settings, engine=engine, session_factory=make_session_factory(engine)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Mobile Survey Stations: intake",
        version="1",
        lifespan=lifespan,
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
