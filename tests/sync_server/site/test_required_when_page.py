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


def _described_by(page, question: str) -> str:
    """The visible text of what a question's answer element is described by, as a screen
    reader would read it after the question."""
    return page.evaluate(
        """(id) => (document.getElementById(`answer-${id}`).getAttribute("aria-describedby") || "")
            .split(" ").filter(Boolean).map((ref) => document.getElementById(ref))
            .filter((node) => node && !node.hidden).map((node) => node.textContent).join(" ")""",
        question,
    )


def test_an_empty_answer_is_refused_only_while_the_condition_holds(
    browser, required_when_site
) -> None:
    site = required_when_site
    page, nav, troubles = _started(browser, site)
    alert = page.get_by_role("alert")
    # always required: the radio group says so, and so does the note it is described by
    post = page.locator("#answer-post")
    assert post.get_attribute("role") == "radiogroup"
    assert post.get_attribute("aria-required") == "true"
    assert _described_by(page, "post") == WORDS["en"]["answer_required"]
    page.get_by_label("A border post").check()
    nav.click()
    years = page.locator("#answer-years")
    assert years.get_attribute("aria-required") == "true"  # ${post} = 1 holds
    assert page.locator("#required-years").is_visible()
    nav.click()
    assert alert.inner_text() == WORDS["en"]["required"]
    page.locator("#answer-years").fill("30")
    nav.click()
    # offered: a group of checkboxes takes no aria-required; its note names the need
    offered = page.locator("#answer-offered")
    assert offered.get_attribute("role") == "group"
    assert offered.get_attribute("aria-required") is None
    assert _described_by(page, "offered") == WORDS["en"]["answer_required"]
    nav.click()  # offered, empty: more than 20 years makes it required
    assert alert.inner_text() == WORDS["en"]["required"]
    page.get_by_role("button", name="Back").click()
    page.locator("#answer-years").fill("3")
    nav.click()
    assert page.locator("#required-offered").is_hidden()  # optional at 3 years
    assert _described_by(page, "offered") == ""
    nav.click()  # offered, empty: optional at 3 years
    page.locator("#answer-comment").wait_for()
    assert page.locator("#required-comment").count() == 0  # never required: no note at all
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
    assert page.locator("#required-years").is_hidden()
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
        assert page.locator("#required-years").is_hidden()
        page.get_by_label("A border post").check()
        assert years.get_attribute("aria-required") == "true"
        assert page.locator("#required-years").is_visible()
        nav.click()  # years empty: refused on the page
        assert page.locator("#error-years").inner_text() == WORDS["en"]["required"]
        page.get_by_label("Headquarters").check()
        assert years.get_attribute("aria-required") is None
        assert page.locator("#required-years").is_hidden()
        nav.click()
        page.get_by_role("heading", name="Thank you").wait_for(timeout=15_000)
        page.close()
        assert troubles == []
        assert _answers(site) == [{"post": 2}]
