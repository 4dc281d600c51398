"""A ranking, a date, a range and a calculation on the online site, in headless Chromium: a
list with Up and Down buttons, the browser's date picker and a slider, their rules, and what
the processor stores from what was sealed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from miniatures.browser import headless_chromium
from questionnaire_specs import check_spec_document, load_spec
from sync_server.site.site_wording import WORDS
from tests.sync_server.site.test_browser_flow import Site, site_for

EVERY_TYPE = load_spec(
    Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "every_type.yaml"
)


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def every_type_site(tmp_path: Path) -> Iterator[Site]:
    with site_for(tmp_path, EVERY_TYPE, seed=13) as site:
        yield site


def _opened(browser, site: Site, name: str, language: str) -> tuple[Any, list[str]]:
    """A phone-sized page past the language (`name`) and start pages; its script errors."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    troubles: list[str] = []
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(site.url)
    page.get_by_role("button", name=name, exact=True).click()
    page.get_by_role("button", name=WORDS[language]["start"], exact=True).click()
    return page, troubles


def _at_the_ranking(browser, site: Site, language: str) -> tuple[Any, Any, list[str]]:
    """A phone-sized page at the rank question (a border post, no tasks): the page, its Next
    button and its script errors."""
    name = next(lang.name for lang in EVERY_TYPE.languages if lang.code == language)
    page, troubles = _opened(browser, site, name, language)
    nav = page.locator("#survey .nav button.primary")
    nav.click()  # the welcome note
    page.get_by_label(EVERY_TYPE.text(EVERY_TYPE.options_for("post")[0].label, language)).check()
    nav.click()
    nav.click()  # tasks is optional
    return page, nav, troubles


def test_a_ranking_a_date_a_slider_and_a_calculation_arrive_as_given(browser, every_type_site):
    site = every_type_site
    page, nav, troubles = _at_the_ranking(browser, site, "en")
    # the ranking, by keyboard: nothing until an option is moved, then Low cost up twice
    assert page.locator(".rank-number").all_inner_texts() == ["", "", ""]
    move_up = page.get_by_role("button", name=WORDS["en"]["rank_move_up"].format(option="Low cost"))
    move_up.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == "Low cost: 2 of 3"
    page.keyboard.press("Enter")  # the focus stayed on the button moved
    assert page.locator(".rank-label").all_inner_texts() == ["Low cost", "Speed", "Fairness"]
    assert page.locator(".rank-number").all_inner_texts() == ["1", "2", "3"]
    assert move_up.is_disabled()  # first: it cannot go higher
    # the focus moved to the row's Down button, still on Low cost
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == WORDS["en"]["rank_move_down"].format(option="Low cost")
    nav.click()
    nav.click()  # fair and years are optional
    nav.click()
    joined = page.locator("#answer-joined")
    assert joined.get_attribute("type") == "date" and joined.input_value() == ""  # no device date
    joined.fill("1969-12-31")
    nav.click()
    assert page.get_by_role("alert").inner_text() == WORDS["en"]["range"].format(
        min="1970-01-01", max="2026-12-31"
    )
    joined.fill("1998-04-30")
    nav.click()
    slider = page.locator("#answer-trust")
    assert slider.get_attribute("type") == "range"
    assert page.locator(".range-value").inner_text() == "—"  # untouched: no answer yet
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # 0 → 8, by steps of 2
    assert page.locator(".range-value").inner_text() == "8"
    nav.click()
    # ${trust_doubled} = 16 >= 16: the note shows, the calculation itself never does
    assert page.locator("#label-high_trust").is_visible()
    assert page.locator("#label-trust_doubled").count() == 0
    nav.click()
    nav.click()  # the comment is optional
    page.get_by_role("heading", name=WORDS["en"]["thanks_title"]).wait_for(timeout=15_000)
    page.close()
    assert troubles == []
    rows = site.responses()
    assert [json.loads(row.answers) for row in rows] == [
        {"post": 1, "priorities": [3, 1, 2], "joined": "1998-04-30", "trust": 8,
         "trust_doubled": "16"}
    ]  # fmt: skip


def test_a_ranking_reads_from_the_right_in_arabic_and_the_order_shown_can_be_kept(
    browser, every_type_site
):
    page, nav, troubles = _at_the_ranking(browser, every_type_site, "ar")
    first = page.locator(".rank-row").first
    label, up = (
        first.locator(".rank-label").bounding_box(),
        first.locator(".rank-up").bounding_box(),
    )
    assert label and up and up["x"] < label["x"]  # the buttons on the label's left
    page.get_by_role("button", name=WORDS["ar"]["rank_keep"]).click()
    assert page.locator(".rank-number").all_inner_texts() == ["1", "2", "3"]
    nav.click()
    page.get_by_role("button", name=WORDS["ar"]["back"]).click()
    # back on the ranking: it is still given, in its order
    assert page.get_by_role("button", name=WORDS["ar"]["rank_keep"]).is_disabled()
    assert page.locator(".rank-label").all_inner_texts() == [
        "السرعة",
        "الإنصاف",
        "التكلفة المنخفضة",
    ]
    page.close()
    assert troubles == []


TOP_TWO = check_spec_document(
    {
        "id": "top-two", "version": "1.0.0", "languages": [{"code": "en", "name": "English"}],
        "title": {"en": "Top two"}, "introduction": {"en": "Hello"},
        "populations": [{"id": "officials", "label": {"en": "Officials"}}],
        "questions": [
            {"id": "worst", "type": "rank", "positions": 2, "required": True,
             "label": {"en": "The two slowest stages, slowest first"},
             "options": [{"code": n, "label": {"en": name}}
                         for n, name in enumerate(["Filing", "Checks", "Payment", "Release"], 1)]},
        ],
    },
    "top_two.yaml",
)  # fmt: skip


def test_a_ranking_of_the_first_two_numbers_two_and_sends_two(browser, tmp_path: Path) -> None:
    with site_for(tmp_path, TOP_TWO, seed=17) as site:
        page, troubles = _opened(browser, site, "English", "en")
        nav = page.locator("#survey .nav button.primary")
        nav.click()
        assert page.get_by_role("alert").inner_text() == WORDS["en"]["required"]
        release_up = page.get_by_role("button", name="Move Release up")
        for _ in range(3):
            release_up.click()
        assert page.locator(".rank-number").all_inner_texts() == ["1", "2", "", ""]
        nav.click()
        page.get_by_role("heading", name=WORDS["en"]["thanks_title"]).wait_for(timeout=15_000)
        page.close()
        assert troubles == []
        assert [json.loads(row.answers) for row in site.responses()] == [{"worst": [4, 1]}]


def _offered_where(region: str, name: str, code: int) -> dict:
    return {"code": code, "label": {"en": name}, "columns": {"region": region}}


# A section per page: the region and the ranking its choice_filter cascades from, together.
REGIONAL = check_spec_document(
    {
        "id": "regional", "version": "1.0.0", "languages": [{"code": "en", "name": "English"}],
        "title": {"en": "Regional"}, "introduction": {"en": "Hello"},
        "populations": [{"id": "officials", "label": {"en": "Officials"}}],
        "settings": {"site_paging": "section"},
        "sections": [{"id": "work", "questions": [
            {"id": "region", "type": "single_choice", "required": True,
             "label": {"en": "Your region?"},
             "options": [{"code": 1, "label": {"en": "North"}},
                         {"code": 2, "label": {"en": "South"}}]},
            {"id": "slowest", "type": "rank", "label": {"en": "Slowest first"},
             "choice_filter": "column('region') = ${region} or column('region') = 'any'",
             "options": [_offered_where("1", "Port", 11), _offered_where("1", "Airport", 12),
                         _offered_where("2", "Land border", 21),
                         _offered_where("any", "Head office", 99)]},
        ]}],
    },
    "regional.yaml",
)  # fmt: skip


def test_a_ranking_on_the_page_of_its_filter_lists_what_is_offered_now(browser, tmp_path: Path):
    with site_for(tmp_path, REGIONAL, seed=23) as site:
        page, troubles = _opened(browser, site, "English", "en")
        labels = page.locator(".rank-label")
        assert labels.all_inner_texts() == ["Head office"]  # no region yet
        page.get_by_label("North").check()
        assert labels.all_inner_texts() == ["Port", "Airport", "Head office"]
        for _ in range(2):
            page.get_by_role("button", name="Move Head office up").click()
        assert labels.all_inner_texts() == ["Head office", "Port", "Airport"]
        page.get_by_label("South").check()  # the respondent's order kept, the new post after
        assert labels.all_inner_texts() == ["Head office", "Land border"]
        assert page.locator(".rank-number").all_inner_texts() == ["1", "2"]
        page.locator("#survey .nav button.primary").click()
        page.get_by_role("heading", name=WORDS["en"]["thanks_title"]).wait_for(timeout=15_000)
        page.close()
        assert troubles == []
        answers = [json.loads(row.answers) for row in site.responses()]
        assert answers == [{"region": 2, "slowest": [99, 21]}]
