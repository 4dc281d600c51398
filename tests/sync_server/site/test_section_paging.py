"""One section per page (`settings.site_paging: section`) in Debian's headless Chromium on the
real site app over uvicorn: relevance re-evaluated live within the page, a message per
question on Next, Back/Next and progress by section, a language switch that keeps what is
typed, Arabic right to left; then the processor opens what the browser sealed and the stored
answers equal what was typed."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from miniatures.browser import keep_screenshot
from questionnaire_specs import Spec
from questionnaire_specs import canonical_json as spec_canonical_json
from questionnaire_specs.loader import check_spec_document
from sync_server.site.browser_rules import browser_spec
from sync_server.site.site_wording import WORDS
from tests.sync_server.site import test_browser_flow as flow
from tests.sync_server.site.site_respondent import CANARY, Respondent
from tests.sync_server.site.test_browser_flow import (
    DESKTOP,
    PHONE,
    Site,
    campaign_slug,
)

# The same fixtures as the question-per-page flow: one Chromium per module, a fresh site each.
browser = flow.browser
site = flow.site

ROOT = Path(__file__).parents[3]
CIPS_PATH = ROOT / "questionnaire_specs" / "cips" / "officials.yaml"
EXAMPLE_PATH = ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml"


def by_section(path: Path) -> Spec:
    """The spec at `path`, paged by section (a new patch version: its identity changes)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["settings"] = {**document.get("settings", {}), "site_paging": "section"}
    major, minor, patch = document["version"].split(".")
    document["version"] = f"{major}.{minor}.{int(patch) + 1}"
    return check_spec_document(document, str(path))


def test_paging_is_a_setting_left_out_of_the_identity_when_unset():
    plain = check_spec_document(yaml.safe_load(EXAMPLE_PATH.read_text()), "example")
    document = yaml.safe_load(EXAMPLE_PATH.read_text())
    document["settings"]["site_paging"] = "question"
    paged = check_spec_document(document, "example")
    assert b"site_paging" not in spec_canonical_json(plain)
    assert plain.identity.sha256 != paged.identity.sha256
    assert browser_spec(by_section(EXAMPLE_PATH))["settings"]["site_paging"] == "section"
    document["settings"]["site_paging"] = "screen"
    with pytest.raises(Exception, match="site_paging"):
        check_spec_document(document, "example")


def campaign_on(site: Site, spec: Spec, seed: int) -> str:
    return site.url.rsplit("/", 1)[0] + "/" + campaign_slug(site, spec, seed)


def shoot(page: Any, name: str) -> None:
    keep_screenshot(page, f"site-section-{name}")


def alerts(page: Any) -> dict[str, str]:
    """Each question's message on the page, by question id."""
    return page.locator("#survey .question:has(.error)").evaluate_all(
        "fields => Object.fromEntries(fields.map((field) =>"
        " [field.dataset.question, field.querySelector('.error').textContent]))"
    )


def test_a_section_per_page_with_live_relevance_messages_and_a_language_switch(browser, site):
    url = campaign_on(site, by_section(EXAMPLE_PATH), seed=21)
    page = browser.new_page(viewport=PHONE)
    troubles: list[str] = []
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(url)
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_role("button", name="Start", exact=True).click()
    respondent = Respondent(page, browser_spec(by_section(EXAMPLE_PATH)))
    nav = page.locator("#survey .nav button.primary")
    progress = page.locator("#survey .progress span")

    # The first section: its title, its note and its question together.
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome"
    assert respondent.shown() == ["anonymity", "consent"]
    # Nothing after it is asked until consent is given: this page would be the last.
    assert progress.inner_text() == "Section 1 of 1" and nav.inner_text() == "Finish and send"
    nav.click()
    assert alerts(page) == {"consent": WORDS["en"]["required"]}
    page.get_by_label("Yes").check()  # the next section becomes relevant at once
    assert progress.inner_text() == "Section 1 of 2" and nav.inner_text() == "Next"
    nav.click()

    # The second section: "stages" waits for a payment offered.
    assert progress.inner_text() == "Section 2 of 2"
    assert respondent.shown() == ["age", "lead_example", "offered_payment", "years", "comment"]
    nav.click()  # two required questions left empty: a message on each
    assert alerts(page) == {"age": WORDS["en"]["required"], "lead_example": WORDS["en"]["required"]}
    assert page.evaluate("document.activeElement.id") == "label-age"  # the first to mend
    page.get_by_label("35–54").check()
    page.get_by_label("Agree", exact=True).check()
    page.locator("#answer-offered_payment-0").check()  # Yes: "stages" appears in place
    assert respondent.shown() == [
        "age", "lead_example", "offered_payment", "stages", "years", "comment"
    ]  # fmt: skip
    for stage in ("Declaration", "Inspection", "Release"):
        page.get_by_label(stage).check()
    page.locator("#answer-years").fill("50")
    nav.click()
    assert alerts(page) == {
        "stages": "Pick at most two.",
        "years": "Please enter a number from 0 to 45.",
    }
    page.get_by_label("Release").uncheck()
    page.locator("#answer-years").fill("12")
    page.locator("#answer-comment").fill(CANARY)

    # Another language mid-page: the same section in French, everything typed kept.
    page.locator("#language").select_option("fr")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("#label-years").inner_text() == "Années de service"
    assert page.locator("#answer-years").input_value() == "12"
    assert page.locator("#answer-comment").input_value() == CANARY
    assert (
        page.get_by_label("Déclaration").is_checked()
        and page.get_by_label("Inspection").is_checked()
    )
    assert progress.inner_text() == "Partie 2 sur 2"

    # Back by a whole section, and forward again: both pages as they were left.
    page.locator("#survey .nav button.secondary").click()
    assert page.get_by_label("Oui").is_checked()
    assert respondent.shown() == ["anonymity", "consent"]
    nav.click()
    page.locator("#answer-offered_payment-1").check()  # Non: "stages" goes again, at once
    assert "stages" not in respondent.shown()
    assert nav.inner_text() == WORDS["fr"]["finish"]
    nav.dblclick()  # one envelope for an impatient double click
    page.get_by_role("heading", name=WORDS["fr"]["thanks_title"]).wait_for()
    page.close()
    assert troubles == []

    rows = site.responses()
    assert len(rows) == 1
    # "stages" was answered, then hidden by relevance: it is not sealed.
    assert json.loads(rows[0].answers) == {
        "consent": 1,
        "age": 2,
        "lead_example": 4,
        "offered_payment": 2,
        "years": 12,
        "comment": CANARY,
    }
    assert rows[0].language == "fr"


CIPS_BY_SECTION = by_section(CIPS_PATH)


@pytest.mark.parametrize(
    ("language", "viewport", "name"),
    [("en", PHONE, "en-phone"), ("ar", DESKTOP, "ar-desktop"),
     ("en", DESKTOP, "en-desktop"), ("ar", PHONE, "ar-phone")],
)  # fmt: skip
def test_the_whole_cips_questionnaire_by_section(browser, site, language, viewport, name):
    url = campaign_on(site, CIPS_BY_SECTION, seed=22)
    document = browser_spec(CIPS_BY_SECTION)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    troubles: list[str] = []
    page.on("pageerror", lambda error: troubles.append(str(error)))
    page.goto(url)
    language_name = next(lang.name for lang in CIPS_BY_SECTION.languages if lang.code == language)
    page.get_by_role("button", name=language_name, exact=True).click()
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
    page.get_by_role("button", name=WORDS[language]["start"], exact=True).click()
    respondent = Respondent(page, document, random.Random(len(name)))
    sections = [s for s in document["sections"] if s["questions"]]
    pages = 0
    for _ in range(len(sections) + 1):
        if not respondent.shown():
            break
        pages += 1
        if pages == 1:
            # Consent, the one required question, left empty: its message, then answered.
            respondent.next(language)
            assert alerts(page) == {"consent": WORDS[language]["required"]}
            shoot(page, f"errors-{name}")
        respondent.answer_page()
        if pages == 2:
            page.evaluate("window.scrollTo(0, 0)")
            shoot(page, name)
        respondent.next(language)
    page.get_by_role("heading", name=WORDS[language]["thanks_title"]).wait_for()
    context.close()
    assert troubles == []
    assert 2 < pages <= len(sections)  # by section, not by question
    [row] = site.responses()
    assert json.loads(row.answers) == respondent.given
    assert len(respondent.given) > 40 and row.language == language
