"""create_app(settings): the intake server and the release API for analysts.
Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sync_server.api import enrolment, health, intake, releases, specs
from sync_server.api.openapi import install_document
from sync_server.api.problems import install_problem_handlers
from sync_server.api.request_line import RefuseHostileRequestLine
from sync_server.api.state import ServerState
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
    return app
