"""Piping on the online site, in headless Chromium: labels, hints and a constraint message
show earlier answers in the page's language, and a calculation names the chosen option
(jr:choice-name) as the station does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from miniatures.browser import headless_chromium
from questionnaire_specs import load_spec
from sync_server.site.site_wording import WORDS
from tests.sync_server.site.test_browser_flow import Site, site_for

PIPING = load_spec(Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "piping.yaml")


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def piping_site(tmp_path: Path) -> Iterator[Site]:
    with site_for(tmp_path, PIPING, seed=17) as site:
        yield site


PAGES = {
    "en": {
        "name": "English",
        "post": "Headquarters",
        "years": "Years at Headquarters",
        "summary": "You work at Headquarters, for 12 years.",
        "comment": "Anything else about Headquarters?",
        "hint": "Recorded as Headquarters.",
        "message": "At most 20 characters about Headquarters.",
    },
    "fr": {
        "name": "Français",
        "post": "Le siège",
        "years": "Années à Le siège",
        "summary": "Vous travaillez à Le siège, depuis 12 ans.",
        "comment": "Autre chose sur Le siège ?",
        "hint": "Noté : Le siège.",
        "message": "Au plus 20 caractères sur Le siège.",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_shows_earlier_answers_in_its_texts(browser, piping_site, language) -> None:
    site, words = piping_site, PAGES[language]
    page = browser.new_page(viewport={"width": 360, "height": 740})
    troubles: list[str] = []
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(site.url)
    page.get_by_role("button", name=words["name"], exact=True).click()
    page.get_by_role("button", name=WORDS[language]["start"], exact=True).click()
    nav = page.locator("#survey .nav button.primary")
    page.get_by_label(words["post"]).check()
    nav.click()
    assert page.locator("#label-years").inner_text() == words["years"]
    page.locator("#answer-years").fill("12")
    nav.click()
    assert page.locator("#label-summary").inner_text() == words["summary"]
    nav.click()
    assert page.locator("#label-comment").inner_text() == words["comment"]
    assert page.locator(".help").inner_text() == words["hint"]  # the calculated post name
    page.locator("#answer-comment").fill("x" * 21)
    nav.click()
    assert page.get_by_role("alert").inner_text() == words["message"]
    page.locator("#answer-comment").fill("fine")
    nav.click()
    page.get_by_role("heading", name=WORDS[language]["thanks_title"]).wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    (row,) = site.responses()
    # The calculation never travels; the processor works it out again, in the respondent's
    # language: jr:choice-name() gives the label they saw.
    assert json.loads(row.answers) == {
        "post": 2, "years": 12, "post_name": words["post"], "comment": "fine"
    }  # fmt: skip
