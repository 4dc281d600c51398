"""The report page in all five languages, and its PDF read back by poppler (not our code)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from questionnaire_specs import key_factor_name
from sync_server.reports.figures import report_figures
from sync_server.reports.page import render_html, write_pdf
from sync_server.reports.wording import LANGUAGES, word
from tests.sync_server.reports.test_figures import SPEC, generated


@pytest.fixture(scope="module")
def figures() -> dict:
    return report_figures(generated(300, seed=5), SPEC, "officials")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.text: list[str] = []
        self.labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = values
        if tag == "img":
            self.labels.append(values["alt"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_in_each_language(figures: dict, lang: str) -> None:
    page = _Text()
    page.feed(render_html(figures, SPEC, lang, scope="national"))
    text = " ".join(page.text)
    assert page.root == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
    for number in range(1, 11):
        assert key_factor_name(number, lang) in text
    # every index shown, rounded as printed; the chart has a text alternative with them all
    for factor in figures["factors"]:
        assert f"{factor['index']['value']:.0f}" in text
    profile, gap = page.labels  # the profile and the gender gap; no earlier wave, no change
    assert profile.count(";") == gap.count(";") == 9
    for factor in figures["factors"]:
        assert f"{factor['by_gender']['gap_women_minus_men']['difference']:+.1f}" in gap
    assert "http://" not in text and "https://" not in text  # nothing fetched
    assert f"{figures['respondents']}" in text and word("quality", lang) in text


def test_the_pdf_reads_back_in_arabic_and_english(figures: dict, tmp_path: Path) -> None:
    for lang in ("ar", "en"):
        pdf = tmp_path / f"report-{lang}.pdf"
        write_pdf(render_html(figures, SPEC, lang, scope="national"), pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        # poppler maps the shaped glyphs back to letters: the factor names come back whole
        # (presentation forms folded, as a reader's search would)
        found = unicodedata.normalize("NFKC", re.sub(r"\s+", " ", text))
        # Names without a lam-alef: poppler gives that ligature's two letters back swapped,
        # an artefact of extraction, not of shaping.
        for number in (3, 6, 7) if lang == "ar" else (1, 4, 10):
            name = key_factor_name(number, lang)
            if lang == "ar":  # a right-to-left line can come out in visual word order
                assert all(w in found for w in name.split()), name
            else:
                assert name in found
        fonts = subprocess.run(
            ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
        ).stdout.splitlines()[2:]
        assert fonts and all(" yes yes yes " in line for line in fonts)  # embedded, subset


def test_the_change_column_shows_only_with_an_earlier_wave() -> None:
    frame = generated(300, seed=5)
    with_change = report_figures(frame, SPEC, "officials", previous=generated(300, seed=9))
    page = render_html(with_change, SPEC, "fr", scope="national")
    assert "Évolution depuis la vague précédente" in page
    signed = f"{with_change['factors'][0]['change']['difference']:+.1f}"
    assert signed in page
    plain = render_html(report_figures(frame, SPEC, "officials"), SPEC, "fr", scope="national")
    assert "Évolution depuis" not in plain
    assert page.count("<img ") == 3 and plain.count("<img ") == 2


def test_the_page_states_the_speeder_floor_the_spec_sets() -> None:
    """The floor is the spec's: a slower one flags more speeders, and the page says which."""
    frame = generated(200, seed=11)
    rng = np.random.default_rng(11)
    frame["duration_s"] = rng.uniform(60, 600, size=len(frame))
    slower = SPEC.model_copy(
        update={"settings": SPEC.settings.model_copy(update={"speeder_seconds_per_answer": 7.5})}
    )
    usual, strict = (report_figures(frame, spec, "officials") for spec in (SPEC, slower))
    assert strict["quality"]["speeders"] > usual["quality"]["speeders"]
    assert strict["quality"]["speeder_seconds_per_answer"] == 7.5
    page = _Text()
    page.feed(render_html(strict, slower, "en", scope="national"))
    assert "faster than 7.5 seconds a question" in " ".join(page.text)
    page = _Text()
    page.feed(render_html(usual, SPEC, "fr", scope="national"))
    assert "moins de 2 secondes par question" in " ".join(page.text)
