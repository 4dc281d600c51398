"""The respondent's page: GET /s/<campaign>. One HTML shell; site.js runs the questionnaire
from the page's data in memory and POSTs only the sealed envelope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from protocol.problems import Problem
from sync_server.api.state import server_state
from sync_server.site.campaigns import SLUG_PATTERN, campaign_view
from sync_server.site.site_wording import WORDS
from sync_server.site.state import site_state

router = APIRouter()


def _notice(request: Request, status: int, key: str) -> HTMLResponse:
    page = site_state(request).pages.get_template("notice.html.j2")
    words = [(code, WORDS[code][key], code == "ar") for code in WORDS]
    return HTMLResponse(page.render(words=words), status_code=status)


@router.get("/s/{slug}", response_class=HTMLResponse)
async def survey_page(request: Request, slug: str) -> HTMLResponse:
    state, site = server_state(request), site_state(request)
    if not SLUG_PATTERN.fullmatch(slug):
        return _notice(request, 404, "closed")
    try:
        view = await run_in_threadpool(campaign_view, state.session_factory, slug)
    except Problem:
        return _notice(request, 404, "closed")
    if view.status != "open":
        return _notice(request, 410, "closed")
    data, language, rtl = await run_in_threadpool(site.page_cache.get, state.session_factory, view)
    page = site.pages.get_template("survey.html.j2")
    return HTMLResponse(page.render(data=data, language=language, rtl=rtl))


@router.get("/favicon.ico")
async def favicon() -> Response:
    # Browsers ask for one; an empty answer costs nothing and keeps the console clean.
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})
