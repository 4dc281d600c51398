"""The whole online channel in a real browser: Debian's headless Chromium on the real site app
over uvicorn (127.0.0.1), the kit sealing in the page, then the processor opening what the
browser sealed. The stored answers must equal what the respondent typed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crypto import generate_survey_key
from miniatures.browser import headless_chromium, keep_screenshot
from miniatures.served_app import served
from questionnaire_specs import Spec, load_spec
from questionnaire_specs import canonical_json as spec_canonical_json
from sync_server.ingest import register_spec
from sync_server.processor import process_inbox
from sync_server.settings import Settings
from sync_server.site.access_codes import code_counts, issue_codes
from sync_server.site.app import create_site_app
from sync_server.site.browser_rules import browser_spec
from sync_server.site.campaigns import CampaignPlan, open_campaign
from sync_server.site.site_wording import WORDS
from sync_server.store import make_engine, make_session_factory, upgrade_to_head
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.sync_server.site.site_respondent import CANARY, Respondent

CIPS = load_spec(Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
PAGE_WEIGHT_LIMIT = 150 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


class Site:
    def __init__(self, tmp: Path) -> None:
        self.database = tmp / "central.db"
        engine = make_engine(f"sqlite:///{self.database}")
        upgrade_to_head(engine)
        self.engine = engine
        self.sessions = make_session_factory(engine)
        self.survey_key = generate_survey_key()
        register_spec(self.sessions, spec_canonical_json(CIPS), clock=utc_now)
        plan = CampaignPlan("SL", "2026", ("officials",), CIPS.id, None)
        self.campaign = open_campaign(
            self.sessions, plan, public_key=self.survey_key.public_key().to_text(),
            clock=utc_now, random_bytes=random.Random(11).randbytes,
        )  # fmt: skip
        self.settings = Settings(data_dir=tmp, database_url=f"sqlite:///{self.database}")
        self.url = ""

    def responses(self) -> list[ResponseRecord]:
        with self.sessions() as session:
            # The page seals envelope v5: its context binds the campaign's key id.
            assert set(session.scalars(select(InboxEnvelope.envelope_v))) <= {5}
        report = process_inbox(self.sessions, self.survey_key, clock=utc_now)
        assert report.quarantined == 0, report.reasons
        with self.sessions() as session:
            return list(session.scalars(select(ResponseRecord).order_by(ResponseRecord.language)))


def campaign_slug(site: Site, spec: Spec, seed: int) -> str:
    """Register `spec` with the site's server and open a campaign on it: its slug."""
    register_spec(site.sessions, spec_canonical_json(spec), clock=utc_now)
    plan = CampaignPlan("SL", "2026", ("officials",), spec.id, None)
    campaign = open_campaign(
        site.sessions, plan, public_key=site.survey_key.public_key().to_text(), clock=utc_now,
        random_bytes=random.Random(seed).randbytes,
    )  # fmt: skip
    return campaign.slug


@contextmanager
def site_for(tmp: Path, spec: Spec, seed: int) -> Iterator[Site]:
    """A site with a campaign on `spec` too (its url that campaign's), served on 127.0.0.1."""
    site = Site(tmp)
    slug = campaign_slug(site, spec, seed)
    app = create_site_app(site.settings)
    try:
        with served(app) as url:
            site.url = f"{url}/s/{slug}"
            yield site
    finally:
        app.state.server.engine.dispose()
        site.engine.dispose()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    app = create_site_app(site.settings)
    with served(app) as url:
        site.url = f"{url}/s/{site.campaign.slug}"
        yield site
    app.state.server.engine.dispose()
    site.engine.dispose()


DOCUMENT = browser_spec(CIPS)
NAMES = {language.code: language.name for language in CIPS.languages}


def shoot(page, name: str) -> None:
    keep_screenshot(page, f"site-{name}")


@dataclass
class Weight:
    urls: list[str]
    page_bytes: int


def run(browser: Any, site: Site, language: str, viewport: dict[str, int], *, seed: int,
        screenshots: str | None = None) -> tuple[Respondent, Weight]:  # fmt: skip
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    fetched: list[Any] = []
    page.on("requestfinished", lambda request: fetched.append(request))
    # A Content-Security-Policy violation or a script error shows on the console.
    troubles: list[str] = []
    page.on("console", lambda message: troubles.append(message.text)
            if message.type in ("error", "warning") else None)  # fmt: skip
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(site.url)
    page.get_by_role("button", name=NAMES[language], exact=True).wait_for()
    if screenshots:
        # The same page whatever the language: named by the viewport only.
        shoot(page, f"language-{screenshots.split('-')[-1]}")
    respondent = Respondent(page, DOCUMENT, random.Random(seed))
    respondent.choose_language(NAMES[language])
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
    assert page.evaluate("document.documentElement.lang") == language
    respondent.start(language)
    for _ in range(3):  # past the notes, to a real question for the screenshot
        respondent.answer_current()
        respondent.next(language)
    if screenshots:
        shoot(page, f"question-{screenshots}")
    respondent.complete(language)
    if screenshots:
        shoot(page, f"thanks-{screenshots}")
    assert page.evaluate("document.cookie") == ""
    assert troubles == []
    assert page.evaluate(f"localStorage.getItem('mss-sealed-{site.campaign.slug}')") is None
    weight = Weight(
        urls=[request.url for request in fetched],
        # What the browser fetched for the page (as sent: compressed), not the POST.
        page_bytes=sum(
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
            for request in fetched
            if not request.url.endswith("/envelopes")
        ),
    )
    context.close()
    return respondent, weight


def stored_equals_given(row: ResponseRecord, respondent: Respondent) -> None:
    stored = json.loads(row.answers)
    assert stored == respondent.given
    assert row.channel == "site" and row.station_id == site_station(row)


def site_station(row: ResponseRecord) -> str:
    return row.station_id if row.station_id.startswith("site_") else "not a site station"


def test_complete_responses_in_english_and_arabic_arrive_as_typed(browser, site):
    english, weight = run(browser, site, "en", PHONE, seed=1, screenshots="en-phone")
    arabic, _ = run(browser, site, "ar", DESKTOP, seed=2, screenshots="ar-desktop")
    # Before the processor opens them, the typed text is nowhere in the store the site
    # writes: only the sealed bytes are.
    for path in site.database.parent.glob("central.db*"):
        assert CANARY.encode() not in path.read_bytes(), path.name
    rows = site.responses()
    assert [row.language for row in rows] == ["ar", "en"]
    stored_equals_given(rows[0], arabic)
    stored_equals_given(rows[1], english)
    assert len(english.given) > 40  # the whole questionnaire, not a short cut

    # Everything came from the site itself, and weighed less than the budget.
    origin = site.url.split("/s/")[0]
    assert all(url.startswith(origin) for url in weight.urls)
    print(f"page weight: {weight.page_bytes} bytes in {len(weight.urls) - 1} requests")
    assert weight.page_bytes < PAGE_WEIGHT_LIMIT


def test_the_other_screenshots_and_languages(browser, site):
    english, _ = run(browser, site, "en", DESKTOP, seed=3, screenshots="en-desktop")
    arabic, _ = run(browser, site, "ar", PHONE, seed=4, screenshots="ar-phone")
    spanish, _ = run(browser, site, "es", PHONE, seed=5)
    portuguese, _ = run(browser, site, "pt", DESKTOP, seed=6)
    rows = {row.language: row for row in site.responses()}
    assert sorted(rows) == ["ar", "en", "es", "pt"]
    for language, respondent in (("en", english), ("ar", arabic), ("es", spanish),
                                 ("pt", portuguese)):  # fmt: skip
        stored_equals_given(rows[language], respondent)


def test_a_failed_post_is_retried_and_one_response_arrives(browser, site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    posts: list[str] = []

    def first_fails(route: Any) -> None:
        posts.append(route.request.method)
        if len(posts) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/envelopes", first_fails)
    page.goto(site.url)
    respondent = Respondent(page, DOCUMENT, random.Random(5), fixed={"consent": 2})
    respondent.choose_language(NAMES["fr"])
    respondent.start("fr")
    for _ in range(20):
        if respondent.current_id() is None:
            break
        respondent.answer_current()
        respondent.next("fr")
    # The sealed envelope waits in storage while the network is down, then goes again.
    page.get_by_text(WORDS["fr"]["retrying"].split(".")[0]).wait_for()
    stored = page.evaluate(f"localStorage.getItem('mss-sealed-{site.campaign.slug}')")
    assert stored is not None and "sealed" in stored
    assert CANARY not in stored and '"consent"' not in stored  # sealed, never plain
    page.get_by_role("heading", name=WORDS["fr"]["thanks_title"]).wait_for(timeout=15_000)
    context.close()
    assert len(posts) == 2
    rows = site.responses()
    assert len(rows) == 1 and json.loads(rows[0].answers) == respondent.given


EXAMPLE = load_spec(Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "example.yaml")


@pytest.fixture
def example_site(site: Site) -> Site:
    """The same site with a campaign on the example spec: relevance, a constraint, numbers."""
    register_spec(site.sessions, spec_canonical_json(EXAMPLE), clock=utc_now)
    plan = CampaignPlan("SL", "2026", ("officials",), EXAMPLE.id, None)
    campaign = open_campaign(
        site.sessions, plan, public_key=site.survey_key.public_key().to_text(), clock=utc_now,
        random_bytes=random.Random(12).randbytes,
    )  # fmt: skip
    site.url = site.url.rsplit("/", 1)[0] + "/" + campaign.slug
    return site


def test_back_next_relevance_messages_and_a_language_switch(browser, example_site):
    page = browser.new_page(viewport=PHONE)
    page.goto(example_site.url)
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_role("button", name="Start", exact=True).click()
    nav = page.locator("#survey .nav button.primary")
    nav.click()  # past the anonymity note
    nav.click()  # consent left empty
    assert page.get_by_role("alert").inner_text() == WORDS["en"]["required"]
    page.get_by_label("Yes").check()
    nav.click()
    page.get_by_label("35–54").check()
    nav.click()
    page.get_by_label("Agree", exact=True).check()
    nav.click()
    page.get_by_label("Yes").check()  # offered a payment: "stages" becomes relevant
    nav.click()
    for stage in ("Declaration", "Inspection", "Release"):
        page.get_by_label(stage).check()
    nav.click()
    assert page.get_by_role("alert").inner_text() == "Pick at most two."
    page.get_by_label("Release").uncheck()
    nav.click()
    page.locator("#answer-years").fill("50")
    nav.click()
    assert page.get_by_role("alert").inner_text() == "Please enter a number from 0 to 45."
    page.locator("#answer-years").fill("12")
    # Another language mid-survey: the same question, its words in French, the answer kept.
    page.locator("#language").select_option("fr")
    assert page.locator("#label-years").inner_text() == "Années de service"
    assert page.locator("#answer-years").input_value() == "12"
    assert page.evaluate("document.documentElement.lang") == "fr"
    back = page.locator("#survey .nav button.secondary")
    back.click()
    assert (
        page.get_by_label("Déclaration").is_checked()
        and page.get_by_label("Inspection").is_checked()
    )
    back.click()
    page.get_by_label("Non").check()  # not offered after all: "stages" is no longer asked
    nav.click()
    assert page.locator("#label-years").is_visible()
    assert page.locator("#answer-years").input_value() == "12"
    nav.click()  # the comment is optional
    assert nav.inner_text() == WORDS["fr"]["finish"]
    nav.dblclick()  # an impatient double click seals and sends one envelope, not two
    page.get_by_role("heading", name=WORDS["fr"]["thanks_title"]).wait_for()
    page.close()
    rows = example_site.responses()
    assert len(rows) == 1
    assert json.loads(rows[0].answers) == {
        "consent": 1,
        "age": 2,
        "lead_example": 4,
        "offered_payment": 2,
        "years": 12,
    }
    assert rows[0].language == "fr"


def test_the_access_code_path(browser, site):
    register_spec(site.sessions, spec_canonical_json(EXAMPLE), clock=utc_now)
    plan = CampaignPlan("SL", "2026", ("officials",), EXAMPLE.id, None, requires_codes=True)
    campaign = open_campaign(
        site.sessions, plan, public_key=site.survey_key.public_key().to_text(), clock=utc_now,
        random_bytes=random.Random(13).randbytes,
    )  # fmt: skip
    [code] = issue_codes(site.sessions, campaign.slug, 1, clock=utc_now,
                         random_bytes=random.Random(14).randbytes)  # fmt: skip
    page = browser.new_page(viewport=PHONE)
    page.goto(site.url.rsplit("/", 1)[0] + "/" + campaign.slug)
    page.get_by_role("button", name="Français", exact=True).click()
    box = page.get_by_label(WORDS["fr"]["code_label"])
    box.fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name=WORDS["fr"]["continue"]).click()
    assert page.get_by_role("alert").inner_text() == WORDS["fr"]["code_unknown"]
    page.get_by_label(WORDS["fr"]["code_label"]).fill(code.lower())
    page.get_by_role("button", name=WORDS["fr"]["continue"]).click()
    page.get_by_role("button", name=WORDS["fr"]["start"]).click()
    respondent = Respondent(page, browser_spec(EXAMPLE), random.Random(6), fixed={"consent": 2})
    respondent.complete("fr")
    page.close()
    rows = site.responses()
    assert len(rows) == 1 and json.loads(rows[0].answers) == respondent.given == {"consent": 2}
    assert code_counts(site.sessions, campaign.slug) == (1, 1)


def test_inactivity_clears_the_answers(browser, site):
    app = create_site_app(site.settings, idle_seconds=2)
    with served(app) as url:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{url}/s/{site.campaign.slug}")
        respondent = Respondent(page, DOCUMENT, random.Random(8))
        respondent.choose_language(NAMES["pt"])
        respondent.start("pt")
        respondent.next("pt")  # past the anonymity note
        assert respondent.answer_current() == "consent"
        respondent.next("pt")
        respondent.next("pt")  # past the statements' introduction
        assert respondent.answer_current() == "lead_example"  # answered, not yet sent on
        # Walked away: the page goes back to the language choice, the answers forgotten.
        page.get_by_role("button", name=NAMES["ar"], exact=True).wait_for(timeout=10_000)
        respondent.choose_language(NAMES["pt"])
        respondent.start("pt")
        respondent.next("pt")
        assert respondent.current_id() == "consent"
        assert page.locator("#survey input:checked").count() == 0
        page.close()
    app.state.server.engine.dispose()
