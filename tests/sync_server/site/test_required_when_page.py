"""Conditionally required questions on the online site, in headless Chromium (issue 14): Next
refuses an empty answer only when the question's required_when holds over the answers
before it, as the station's session does, and what arrives passes the processor's rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from miniatures.browser import headless_chromium
from questionnaire_specs import answers as rules
from questionnaire_specs import load_spec, load_spec_text
from sync_server.site.site_wording import WORDS
from tests.sync_server.site.test_browser_flow import Site, site_for
from tests.sync_server.site.test_question_widgets import _opened

FIXTURE = Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "required_when.yaml"
REQUIRED_WHEN = load_spec(FIXTURE)


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def required_when_site(tmp_path: Path) -> Iterator[Site]:
    with site_for(tmp_path, REQUIRED_WHEN, seed=23) as site:
        yield site


def _started(browser, site: Site):
    """The page at its first question, its Next button and its script errors."""
    page, troubles = _opened(browser, site, "English", "en")
    return page, page.locator("#survey .nav button.primary"), troubles


def _answers(site: Site) -> list[dict]:
    return [json.loads(row.answers) for row in site.responses()]


def test_an_empty_answer_is_refused_only_while_the_condition_holds(
    browser, required_when_site
) -> None:
    site = required_when_site
    page, nav, troubles = _started(browser, site)
    alert = page.get_by_role("alert")
    page.get_by_label("A border post").check()
    nav.click()
    years = page.locator("#answer-years")
    assert years.get_attribute("aria-required") == "true"  # ${post} = 1 holds
    nav.click()
    assert alert.inner_text() == WORDS["en"]["required"]
    page.locator("#answer-years").fill("30")
    nav.click()
    nav.click()  # offered, empty: more than 20 years makes it required
    assert alert.inner_text() == WORDS["en"]["required"]
    page.get_by_role("button", name="Back").click()
    page.locator("#answer-years").fill("3")
    nav.click()
    nav.click()  # offered, empty: optional at 3 years
    page.locator("#answer-comment").wait_for()
    nav.click()
    page.get_by_role("heading", name="Thank you").wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    assert _answers(site) == [{"post": 1, "years": 3}]
    assert rules.check_response(REQUIRED_WHEN, "officials", _answers(site)[0], complete=True) == []


def test_where_the_condition_does_not_hold_the_question_may_be_left_empty(
    browser, required_when_site
) -> None:
    site = required_when_site
    page, nav, troubles = _started(browser, site)
    page.get_by_label("Headquarters").check()
    nav.click()
    assert page.locator("#answer-years").get_attribute("aria-required") is None
    nav.click()  # years, empty
    page.locator("#answer-comment").wait_for()  # offered is not asked at headquarters
    nav.click()
    page.get_by_role("heading", name="Thank you").wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    assert _answers(site) == [{"post": 2}]


def test_on_a_section_page_an_answer_above_makes_a_question_required_at_once(
    browser, tmp_path: Path
) -> None:
    # the fixture's questions as one section, paged as one page
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    document["settings"] = {"site_paging": "section"}
    document["sections"] = [{"id": "work", "questions": document.pop("questions")}]
    spec = load_spec_text(yaml.safe_dump(document, allow_unicode=True), "sectioned.yaml")
    with site_for(tmp_path, spec, seed=29) as site:
        page, nav, troubles = _started(browser, site)
        years = page.locator("#answer-years")
        assert years.get_attribute("aria-required") is None
        page.get_by_label("A border post").check()
        assert years.get_attribute("aria-required") == "true"
        nav.click()  # years empty: refused on the page
        assert page.locator("#error-years").inner_text() == WORDS["en"]["required"]
        page.get_by_label("Headquarters").check()
        assert years.get_attribute("aria-required") is None
        nav.click()
        page.get_by_role("heading", name="Thank you").wait_for(timeout=15_000)
        page.close()
        assert troubles == []
        assert _answers(site) == [{"post": 2}]
