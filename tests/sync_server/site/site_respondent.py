"""A respondent in headless Chromium: answers the survey page by page as a person would
(clicks, types), and remembers what was given, as the central store should hold it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page

from sync_server.site.site_wording import WORDS

CANARY = "canary blue elephant"


@dataclass
class Respondent:
    page: Page
    document: dict[str, Any]  # the browser spec the page runs
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    given: dict[str, Any] = field(default_factory=dict)
    # Question ids answered with this code whatever the dice say (consent = 1: the whole survey).
    fixed: dict[str, Any] = field(default_factory=lambda: {"consent": 1})

    def question(self, question_id: str) -> dict[str, Any]:
        return next(q for q in self.document["questions"] if q["id"] == question_id)

    def options(self, question: dict[str, Any]) -> list[dict[str, Any]]:
        if question["type"] == "likert":
            return self.document["scales"][question["scale"]]
        return question.get("options", [])

    def choose_language(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def start(self, language: str) -> None:
        self.page.get_by_role("button", name=WORDS[language]["start"], exact=True).click()

    def current_id(self) -> str | None:
        """The question on the page (by its label's id), or None when there is none."""
        label = self.page.locator("#survey .question > [id^='label-']")
        if label.count() == 0:
            return None
        return (label.get_attribute("id") or "")[len("label-") :]

    def answer_current(self) -> str:
        question_id = self.current_id()
        assert question_id is not None
        return self.answer(question_id)

    def answer(self, question_id: str) -> str:
        question = self.question(question_id)
        kind = question["type"]
        if kind in ("single_choice", "likert"):
            options = self.options(question)
            codes = [option["code"] for option in options]
            code = self.fixed.get(question_id, self.rng.choice(codes))
            self.page.locator(f"#answer-{question_id}-{codes.index(code)}").check()
            self.given[question_id] = code
        elif kind == "multi_choice":
            options = [o for o in self.options(question) if not o.get("exclusive")]
            picked = sorted(self.rng.sample(range(len(options)), min(2, len(options))))
            for number in picked:
                self.page.locator(f"#answer-{question_id}-{number}").check()
            self.given[question_id] = [options[number]["code"] for number in picked]
        elif kind == "number":
            value = (question.get("min") or 0) + 3
            self.page.locator(f"#answer-{question_id}").fill(str(value))
            self.given[question_id] = value
        elif kind == "text":
            self.page.locator(f"#answer-{question_id}").fill(CANARY)
            self.given[question_id] = CANARY
        return question_id

    def next(self, language: str) -> None:
        words = WORDS[language]
        button = self.page.locator("#survey .nav button.primary")
        assert button.inner_text() in (words["next"], words["finish"])
        button.click()

    def complete(self, language: str, *, limit: int = 400) -> None:
        """Answer every question the page asks, to the thank-you page."""
        for _ in range(limit):
            if self.current_id() is None:
                break
            self.answer_current()
            self.next(language)
        self.page.get_by_role("heading", name=WORDS[language]["thanks_title"]).wait_for()

    # --- one section per page (settings.site_paging: section) ------------------------------

    def shown(self) -> list[str]:
        """The questions the page shows now, in order (relevance hides the others)."""
        return self.page.locator("#survey .page > .question:not([hidden])").evaluate_all(
            "fields => fields.map((field) => field.dataset.question)"
        )

    def answer_page(self) -> list[str]:
        """Answer every question on the page, also those an answer brings in."""
        done: list[str] = []
        while todo := [question for question in self.shown() if question not in done]:
            for question_id in todo:
                self.answer(question_id)
                done.append(question_id)
        hidden_again = set(done) - set(self.shown())
        for question_id in hidden_again:  # no longer asked, so not sealed
            self.given.pop(question_id, None)
        return done

    def complete_by_section(self, language: str, *, limit: int = 60) -> None:
        for _ in range(limit):
            if not self.shown():
                break
            self.answer_page()
            self.next(language)
        self.page.get_by_role("heading", name=WORDS[language]["thanks_title"]).wait_for()
