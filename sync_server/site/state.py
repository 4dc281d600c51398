"""What create_site_app keeps on app.state.site, read by the site's routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from jinja2 import Environment

from sync_server.site.rate_limits import SubmissionThrottle
from sync_server.site.survey_page import PageCache


@dataclass(frozen=True)
class SiteState:
    throttle: SubmissionThrottle
    pages: Environment
    page_cache: PageCache


def site_state(request: Request) -> SiteState:
    state = request.app.state.site
    assert isinstance(state, SiteState)
    return state
