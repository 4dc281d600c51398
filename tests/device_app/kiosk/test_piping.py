"""What earlier answers decide, on the kiosk under Xvfb: the question screen draws them inside
its label and hint (piping), in English and French, and shows only the options a
choice_filter offers (piping_driver.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.device_app.kiosk.conftest import run_screen_driver

EXPECTED = {
    "en": {
        "years": ["Years at A border post"],
        "summary": ["You work at A border post, for 12 years."],
        "comment": ["Anything else about A border post?", "Recorded as A border post."],
        "ahead": "Years at Headquarters",
        "post_name": "A border post",
    },
    "fr": {
        "years": ["Années à Un poste frontière"],
        "summary": ["Vous travaillez à Un poste frontière, depuis 12 ans."],
        "comment": ["Autre chose sur Un poste frontière ?", "Noté : Un poste frontière."],
        "ahead": "Années à Le siège",
        "post_name": "Un poste frontière",
    },
}


def drive(display: str, tmp_path: Path, *options: str) -> dict[str, Any]:
    return run_screen_driver("tests.device_app.kiosk.piping_driver", display, tmp_path, *options)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_screen_shows_earlier_answers_in_its_texts(xvfb_display, tmp_path, language) -> None:
    results = drive(xvfb_display, tmp_path, "--language", language)
    expected = EXPECTED[language]
    for screen in ("years", "summary", "comment"):
        assert results[screen] == expected[screen], screen
    assert results["ahead"] == expected["ahead"] and results["ahead_used"] is False
    assert results["answers"] == {
        "post": 1, "years": 12, "post_name": expected["post_name"]
    }  # fmt: skip


def test_the_screen_offers_only_what_the_choice_filter_keeps(xvfb_display, tmp_path) -> None:
    results = drive(xvfb_display, tmp_path, "--form", "cascading")
    assert results["ahead_used"] is False  # built for another region: other options
    assert results["south"] == ["option-21"]
    assert results["north"] == ["option-11", "option-12"]
    assert results["held"] is None  # the Land border, not offered now, is not chosen
    assert results["answers"] == {"region": 1, "post": 12}
