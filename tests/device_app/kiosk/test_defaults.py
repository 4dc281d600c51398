"""Defaults and read_only questions on the kiosk under Xvfb, in English and Arabic: each
widget starts with its default, a read_only question shows its value and offers nothing to
touch, and what the session finishes with is what was shown (defaults_driver.py)."""

from __future__ import annotations

import pytest

from tests.device_app.kiosk.conftest import run_screen_driver

SOUTH = {"en": "South", "ar": "الجنوب"}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_defaults_are_prefilled_and_read_only_is_shown_not_editable(
    xvfb_display, tmp_path, language
) -> None:
    results = run_screen_driver(
        "tests.device_app.kiosk.defaults_driver", xvfb_display, tmp_path, "--language", language
    )
    screens = results["screens"]
    assert screens["post"]["selected"] == ["option-2"] and screens["post"]["changed_to"] == 1
    assert screens["tasks"]["selected"] == ["option-1", "option-2"]
    assert screens["years"]["pad"] == "10"  # shown now that a border post was chosen
    assert screens["joined"]["value"] == "2000-01-01"
    assert screens["comment"]["typed"] == "Nothing"
    office = screens["office"]
    assert office["read_only"] == SOUTH[language] and office["options"] == []
    assert office["value"] is None  # the screen gives no answer: the session works it out
    assert screens["tasks_count"]["read_only"] == "2"
    assert results["answers"] == {
        "post": 1, "tasks": [1, 2], "years": 10, "joined": "2000-01-01", "comment": "Nothing",
        "office": 2, "tasks_count": "2",
    }  # fmt: skip
