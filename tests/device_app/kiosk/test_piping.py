"""Piping on the kiosk under Xvfb, in English and French: the question screen draws the
earlier answers inside its label and hint, as the session words them (piping_driver.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.device_app.kiosk.conftest import REPO

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


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_screen_shows_earlier_answers_in_its_texts(xvfb_display, tmp_path, language) -> None:
    out, home = tmp_path / "result.json", tmp_path / "kivy"
    home.mkdir()
    env = {**os.environ, "DISPLAY": xvfb_display, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable, "-m", "tests.device_app.kiosk.piping_driver", "--language", language,
        "--out", str(out), "--kivy-home", str(home),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert results.get("ok"), f"{results.get('error')}\n{done.stderr[-2000:]}"
    expected = EXPECTED[language]
    for screen in ("years", "summary", "comment"):
        assert results[screen] == expected[screen], screen
    assert results["ahead"] == expected["ahead"] and results["ahead_used"] is False
    assert results["answers"] == {
        "post": 1, "years": 12, "post_name": expected["post_name"]
    }  # fmt: skip
