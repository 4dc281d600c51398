"""Defaults and read_only questions on the online site, in headless Chromium: each widget
starts with its default, a read_only question shows its value with nothing to edit, and the
processor stores what was shown (its read_only values worked out again, never sent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from miniatures.browser import headless_chromium
from questionnaire_specs import load_spec
from tests.sync_server.site.test_browser_flow import Site, site_for
from tests.sync_server.site.test_question_widgets import _opened

DEFAULTS = load_spec(
    Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "defaults.yaml"
)


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def defaults_site(tmp_path: Path) -> Iterator[Site]:
    with site_for(tmp_path, DEFAULTS, seed=17) as site:
        yield site


def test_defaults_are_prefilled_and_read_only_values_shown_not_editable(
    browser, defaults_site
) -> None:
    site = defaults_site
    page, troubles = _opened(browser, site, "English", "en")
    nav = page.locator("#survey .nav button.primary")
    assert page.get_by_label("Headquarters").is_checked()  # the default
    page.get_by_label("A border post").check()  # changed: `years` is asked now
    nav.click()
    assert (
        page.get_by_label("Inspections").is_checked()
        and page.get_by_label("Valuation").is_checked()
    )
    nav.click()
    assert page.locator("#answer-years").input_value() == "10"
    nav.click()
    assert page.locator("#answer-joined").input_value() == "2000-01-01"
    nav.click()
    comment = page.locator("#answer-comment")
    assert comment.input_value() == "Nothing"
    comment.fill("")  # cleared: no answer
    nav.click()
    office = page.locator("#answer-office")
    assert office.evaluate("e => e.tagName") == "OUTPUT" and office.inner_text() == "South"
    assert page.locator("#survey input").count() == 0  # nothing to edit
    assert office.get_attribute("aria-labelledby") == "label-office"
    nav.click()
    assert page.locator("#answer-tasks_count").inner_text() == "2"
    page.get_by_role("button", name="Back").click()
    page.get_by_role("button", name="Back").click()
    assert page.locator("#answer-comment").input_value() == ""  # not started again
    nav.click()
    nav.click()
    nav.click()
    page.get_by_role("heading", name="Thank you").wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    assert [json.loads(row.answers) for row in site.responses()] == [
        {"post": 1, "tasks": [1, 2], "years": 10, "joined": "2000-01-01", "office": 2,
         "tasks_count": "2"}
    ]  # fmt: skip
