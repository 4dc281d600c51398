"""GET /s/<campaign> on the real site app: the shell page carries the campaign's public facts,
its PUBLIC key and the browser spec, under a policy that forbids every other host; unknown
and closed campaigns get a plain page in every language."""

from __future__ import annotations

import base64
import json
import re

from crypto import SurveyPublicKey
from sync_server.site.campaigns import close_campaign
from tests.sync_server.site.conftest import SPEC, call


def page_data(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="survey-data">(.*?)</script>', html, re.S
    )
    assert found, html[:500]
    return json.loads(found.group(1))


def test_the_page_carries_what_the_browser_needs_and_no_more(site_app, campaign, survey_key):
    answer = call(site_app, "GET", f"/s/{campaign.slug}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["cache-control"] == "no-store" and "set-cookie" not in answer.headers
    assert answer.headers["referrer-policy"] == "no-referrer"
    html = answer.text
    assert '<html lang="en" dir="ltr">' in html
    assert not re.search(r"https?://", html), "no other host is named"
    data = page_data(html)
    raw = base64.b64decode(data["public_key"])
    assert SurveyPublicKey.from_bytes(raw) == survey_key.public_key()
    assert (data["station_id"], data["country"], data["populations"]) == (
        campaign.station_id,
        "SL",
        ["officials"],
    )
    assert data["spec"]["spec"] == SPEC.identity.as_dict()
    assert set(data["words"]) == {"en", "fr", "ar"}  # the spec's languages
    assert data["envelopes"] == f"/s/{campaign.slug}/envelopes"


def test_static_files_are_served_under_the_same_policy(site_app):
    for name in ("site.js", "site.css", "hpke.js"):
        answer = call(site_app, "GET", f"/site-static/{name}")
        assert answer.status_code == 200, name
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-cache" and answer.headers["etag"]
    assert call(site_app, "GET", "/site-static/../app.py").status_code == 404


def test_unknown_and_closed_campaigns_get_a_notice(site_app, campaign, session_factory, clock):
    unknown = call(site_app, "GET", "/s/" + "a" * 16)
    assert unknown.status_code == 404 and "This survey is closed" in unknown.text
    assert 'lang="ar" dir="rtl"' in unknown.text
    assert call(site_app, "GET", "/s/NOT-A-SLUG").status_code == 404
    close_campaign(session_factory, campaign.slug, clock=clock)
    closed = call(site_app, "GET", f"/s/{campaign.slug}")
    assert closed.status_code == 410 and "Cette enquête est close" in closed.text
