"""The access-code path with blind-signed tokens in a real browser (headless Chromium, the real
site app over uvicorn): what the page sends with the code is a blinded message the token
cannot be traced to; the envelope's token verifies under the campaign's key and is spent; the
same token on a second envelope is refused; the processor opens the one response."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from miniatures.browser import headless_chromium
from miniatures.served_app import served
from questionnaire_specs import canonical_json as spec_canonical_json
from sync_server.ingest import register_spec
from sync_server.site.access_codes import (
    NONCE_BYTES,
    code_counts,
    from_base64url,
    issue_codes,
    token_message,
)
from sync_server.site.app import create_site_app
from sync_server.site.browser_rules import browser_spec
from sync_server.site.campaigns import CampaignPlan, open_campaign
from sync_server.site.site_wording import WORDS
from sync_server.site.token_keys import TokenKeys
from tests.sync_server.site.site_respondent import Respondent
from tests.sync_server.site.test_browser_flow import EXAMPLE, PHONE, Site, utc_now


@pytest.fixture(scope="module")
def chromium():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def coded_site(tmp_path: Path) -> Iterator[tuple[Site, str, str]]:
    site = Site(tmp_path)
    register_spec(site.sessions, spec_canonical_json(EXAMPLE), clock=utc_now)
    plan = CampaignPlan("SL", "2026", ("officials",), EXAMPLE.id, None, requires_codes=True)
    campaign = open_campaign(
        site.sessions, plan, public_key=site.survey_key.public_key().to_text(), clock=utc_now,
        random_bytes=random.Random(23).randbytes,
    )  # fmt: skip
    [code] = issue_codes(site.sessions, campaign.slug, 1, clock=utc_now,
                         random_bytes=random.Random(24).randbytes)  # fmt: skip
    app = create_site_app(site.settings)
    with served(app) as url:
        site.url = f"{url}/s/{campaign.slug}"
        yield site, campaign.slug, code
    app.state.server.engine.dispose()
    site.engine.dispose()


def test_the_page_buys_an_unlinkable_token_and_spends_it_once(chromium, coded_site):
    site, slug, code = coded_site
    page = chromium.new_page(viewport=PHONE)
    sent: dict[str, str] = {}
    page.on("request", lambda r: sent.setdefault(r.url.rsplit("/", 1)[-1], r.post_data or ""))
    page.goto(site.url)
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_label(WORDS["en"]["code_label"]).fill(code)
    page.get_by_role("button", name=WORDS["en"]["continue"]).click()
    page.get_by_role("button", name=WORDS["en"]["start"]).click()
    respondent = Respondent(page, browser_spec(EXAMPLE), random.Random(7), fixed={"consent": 2})
    respondent.complete("en")

    check, submission = json.loads(sent["codes"]), json.loads(sent["envelopes"])
    assert set(check) == {"code", "blinded"}
    token = from_base64url(submission["token"])
    nonce, signature = token[:NONCE_BYTES], token[NONCE_BYTES:]
    public = TokenKeys.in_data_dir(site.settings.data_dir).public_key(slug)
    public.verify(token_message(slug, nonce), signature)  # the campaign's own signature
    blinded = from_base64url(check["blinded"])
    # Nothing the site saw with the code reappears in the token.
    assert len(blinded) == len(signature) == public.size
    assert blinded != signature and nonce not in blinded and blinded not in token
    assert code_counts(site.sessions, slug) == (1, 1)

    # The same token on another envelope: refused, and nothing stored.
    replay = {**submission, "envelope_id": str(uuid.uuid4())}
    answer = page.evaluate(
        """async ([url, body]) => {
          const r = await fetch(url, {method: "POST", body: JSON.stringify(body),
                                      headers: {"Content-Type": "application/json"}});
          return [r.status, (await r.json()).code];
        }""",
        [f"{site.url}/envelopes", replay],
    )
    assert answer == [409, "token-spent"]
    page.close()
    rows = site.responses()
    assert len(rows) == 1 and json.loads(rows[0].answers) == respondent.given == {"consent": 2}
