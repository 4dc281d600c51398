"""The kiosk marks a question that needs an answer before the respondent tries to skip it,
under Xvfb: the note follows required and required_when over the answers before the
question, on the screen shown and on the one built ahead (required_driver.py)."""

from __future__ import annotations

import pytest

from device_app import messages as words
from tests.device_app.kiosk.conftest import run_screen_driver

NOTE = words.text("answer_required", "en")


@pytest.mark.parametrize(("years", "offered_required"), [(30, True), (3, False)])
def test_the_note_shows_exactly_when_an_answer_is_needed(
    xvfb_display, tmp_path, years, offered_required
) -> None:
    results = run_screen_driver(
        "tests.device_app.kiosk.required_driver", xvfb_display, tmp_path, "--years", str(years)
    )
    screens = results["screens"]
    assert screens["post"] == {"note": NOTE, "note_shown": True}  # required: true
    assert screens["years"] == {"note": NOTE, "note_shown": True}  # ${post} = 1 holds
    offered = screens["offered"]  # required when ${years} > 20
    assert offered["note_shown"] is offered_required
    assert offered["note"] == (NOTE if offered_required else "")
    assert screens["comment"] == {"note": "", "note_shown": False}  # never required
    assert results["ahead"] == {"3": False, "30": True}
    expected = {"post": 1, "years": years} | ({"offered": [1]} if offered_required else {})
    assert results["answers"] == expected
