"""What create_site_app keeps on app.state.site, read by the site's routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from jinja2 import Environment

from sync_server.site.rate_limits import SubmissionThrottle
from sync_server.site.survey_page import PageCache
from sync_server.site.token_keys import TokenKeys


@dataclass(frozen=True)
class SiteState:
    throttle: SubmissionThrottle
    pages: Environment
    page_cache: PageCache
    token_keys: TokenKeys


def site_state(request: Request) -> SiteState:
    state = request.app.state.site
    assert isinstance(state, SiteState)
    return state
