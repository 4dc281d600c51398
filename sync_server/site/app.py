"""create_site_app(settings): the online survey site, its own ASGI app and process.

It shares the central store with intake and writes only through the intake rules; it holds
the survey PUBLIC key only (each campaign's, in the store), never a private one. Nothing is
built at import time.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from sync_server.api.problems import install_problem_handlers
from sync_server.api.request_line import RefuseHostileRequestLine
from sync_server.api.state import open_store
from sync_server.settings import Settings
from sync_server.site import page_routes, submission_routes
from sync_server.site.headers import STATIC_PREFIX, SiteHeaders
from sync_server.site.rate_limits import Monotonic, SiteLimits, SubmissionThrottle
from sync_server.site.state import SiteState
from sync_server.site.survey_page import PageCache
from sync_server.site.token_keys import TokenKeys

HERE = Path(__file__).resolve().parent


def page_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


# A respondent at home may pause; one who walked away from a shared computer must not leave
# answers on the screen for the next person.
IDLE_SECONDS = 20 * 60


def create_site_app(
    settings: Settings,
    *,
    limits: SiteLimits | None = None,
    monotonic: Monotonic = time.monotonic,
    idle_seconds: int = IDLE_SECONDS,
) -> FastAPI:
    store = open_store(settings)
    server = store.state

    app = FastAPI(
        title="Mobile Survey Stations: online survey site",
        lifespan=store.lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.server = server
    app.state.site = SiteState(
        throttle=SubmissionThrottle(limits or SiteLimits(), monotonic),
        pages=page_environment(),
        page_cache=PageCache(idle_seconds=idle_seconds),
        token_keys=TokenKeys.in_data_dir(settings.data_dir),
    )
    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)  # the page weight on a slow link
    app.add_middleware(RefuseHostileRequestLine)  # before routing
    app.add_middleware(SiteHeaders)  # outermost: every answer carries them
    app.include_router(submission_routes.router)
    app.include_router(page_routes.router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=HERE / "static"), name="site-static")
    return app
