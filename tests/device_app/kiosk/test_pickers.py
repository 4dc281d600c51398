"""The date and range pickers under Xvfb, by touch, in English and Arabic: no keyboard, no
device date, and what they hold is what the session takes (picker_driver.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_date_and_a_range_are_picked_by_touch(xvfb_display, tmp_path, language) -> None:
    out, home = tmp_path / "result.json", tmp_path / "kivy"
    home.mkdir()
    env = {**os.environ, "DISPLAY": xvfb_display, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable, "-m", "tests.device_app.kiosk.picker_driver", "--language", language,
        "--out", str(out), "--kivy-home", str(home),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert results.get("ok"), f"{results.get('error')}\n{done.stderr[-2000:]}"
    assert results["date_keys"] == sorted(
        f"date-{part}-{way}{step}"
        for part, steps in (("day", (1,)), ("month", (1,)), ("year", (1, 10)))
        for way in ("up", "down")
        for step in steps
    )
    # nothing until touched: never the tablet's date
    assert results["blank_at_start"] is None and results["range_blank"] is None
    # the first year tap starts in the middle of the bounds (1970-2026), then +10
    assert results["partial"] == "2008-1-??" and results["partial_taken"] is False
    day_month_year = {"en": "Please choose a day, a month and a year.",
                      "ar": "يرجى اختيار اليوم والشهر والسنة."}  # fmt: skip
    assert results["refusals"] == [day_month_year[language]]
    assert results["date"] == "2008-04-01" and results["date_taken"] is True
    # + from nothing is the end (10), then two steps of 2 down
    assert results["range_question"] == "trust" and results["range"] == 6
    assert results["answers"] == {
        "post": 1, "joined": "2008-04-01", "trust": 6, "trust_doubled": "12"
    }  # fmt: skip
