"""Cascading selects on the online site, in headless Chromium: a page shows only the options
its question's choice_filter offers over the answers so far — on the next page, and on the
same page as the respondent answers (a section per page) — and what arrives is checked by
the processor's rule book."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from miniatures.browser import headless_chromium
from questionnaire_specs import check_spec_document
from sync_server.site.site_wording import WORDS
from tests.sync_server.site.test_browser_flow import Site, site_for

CASCADING = Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "cascading.yaml"


def _document(*, sectioned: bool) -> dict:
    document = yaml.safe_load(CASCADING.read_text(encoding="utf-8"))
    if sectioned:  # the region and its posts on one page
        questions = document.pop("questions")
        document["sections"] = [{"id": "work", "questions": questions}]
        document["settings"] = {"site_paging": "section"}
        document["id"] = "cascading-sections"
    return document


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def open_site(tmp_path: Path) -> Iterator[Callable[[bool], Site]]:
    with ExitStack() as stack:

        def make(sectioned: bool) -> Site:
            spec = check_spec_document(_document(sectioned=sectioned), "cascading")
            return stack.enter_context(site_for(tmp_path, spec, seed=19))

        yield make


def _start(browser, site: Site):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    troubles: list[str] = []
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(site.url)
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_role("button", name=WORDS["en"]["start"], exact=True).click()
    return page, troubles


def _offered(page, question: str) -> list[str]:
    boxes = page.locator(f'[data-question="{question}"] label.option')
    return [box.inner_text() for box in boxes.all() if box.is_visible()]


def test_the_next_page_offers_the_options_of_the_answer_given(browser, open_site) -> None:
    site = open_site(False)
    page, troubles = _start(browser, site)
    nav = page.locator("#survey .nav button.primary")
    page.get_by_label("South").check()
    nav.click()
    assert _offered(page, "post") == ["Land border"]
    page.get_by_label("Land border").check()
    nav.click()
    page.locator("#survey .nav button.secondary").click()  # back to the post
    page.locator("#survey .nav button.secondary").click()  # and to the region
    page.get_by_label("North").check()
    nav.click()
    assert _offered(page, "post") == ["Port", "Airport"]
    assert page.locator('[data-question="post"] input:checked').count() == 0
    page.get_by_label("Airport").check()
    nav.click()
    page.get_by_label("Valuation").check()
    nav.click()
    assert _offered(page, "other_tasks") == ["Inspection", "Audit", "None"]
    page.get_by_label("Audit").check()
    nav.click()
    page.get_by_role("heading", name=WORDS["en"]["thanks_title"]).wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    (row,) = site.responses()
    assert json.loads(row.answers) == {
        "region": 1, "post": 12, "main_task": "value", "other_tasks": ["audit"]
    }  # fmt: skip


def test_the_same_page_reoffers_as_the_respondent_answers(browser, open_site) -> None:
    site = open_site(True)
    page, troubles = _start(browser, site)
    assert _offered(page, "post") == []  # no region yet: nothing to offer
    page.get_by_label("North").check()
    assert _offered(page, "post") == ["Port", "Airport"]
    page.get_by_label("Port", exact=True).check()
    page.get_by_label("Inspection", exact=True).first.check()  # the main task
    assert _offered(page, "other_tasks") == ["Valuation", "Audit", "None"]
    page.get_by_label("South").check()  # the Port is no longer offered, nor chosen
    assert _offered(page, "post") == ["Land border"]
    assert page.locator('[data-question="post"] input:checked').count() == 0
    page.get_by_label("Land border").check()
    page.locator("#survey .nav button.primary").click()
    page.get_by_role("heading", name=WORDS["en"]["thanks_title"]).wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    (row,) = site.responses()
    assert json.loads(row.answers) == {"region": 2, "post": 21, "main_task": "inspect"}
