"""The rank list and the date and range pickers under Xvfb, by touch, in English and Arabic:
no keyboard, no device date, and what they hold is what the session takes (picker_driver.py)."""

from __future__ import annotations

import pytest

from tests.device_app.kiosk.conftest import run_screen_driver


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_ranking_a_date_and_a_range_are_given_by_touch(xvfb_display, tmp_path, language) -> None:
    results = run_screen_driver(
        "tests.device_app.kiosk.picker_driver", xvfb_display, tmp_path, "--language", language
    )
    assert results["rank_keys"] == sorted(
        [f"rank-{part}-{code}" for part in ("option", "up", "down") for code in (1, 2, 3)]
        + ["rank-keep"]
    )
    # nothing until the respondent moves an option or keeps the order shown
    assert results["rank_blank"] is None and results["rank_kept"] == [1, 2, 3]
    assert results["rank"] == [3, 1, 2] and results["rank_taken"] is True
    # each row reads from the right in Arabic: the keys on the option's left
    assert results["rank_up_key_after_option"] is (language == "en")
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
        "post": 1, "priorities": [3, 1, 2], "joined": "2008-04-01", "trust": 6,
        "trust_doubled": "12",
    }  # fmt: skip
