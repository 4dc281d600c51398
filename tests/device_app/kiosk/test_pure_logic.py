"""The kiosk's window-free logic: inactivity, the hidden gesture, words and keyboards."""

from __future__ import annotations

import pytest

from device_app import messages
from device_app.kiosk import keyboards
from device_app.kiosk.corner_taps import CornerTaps
from device_app.kiosk.idle import IdlePhase, IdleWatchdog


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_watchdog_warns_then_expires_and_a_touch_resets_it() -> None:
    clock = FakeTime()
    dog = IdleWatchdog(60, 20, clock)
    assert dog.poll().phase is IdlePhase.DISARMED
    dog.arm()
    clock.now += 59
    assert dog.poll().phase is IdlePhase.ACTIVE
    clock.now += 2
    state = dog.poll()
    assert state.phase is IdlePhase.WARNING and state.remaining == pytest.approx(19)
    dog.touch()
    assert dog.poll().phase is IdlePhase.ACTIVE
    clock.now += 80
    assert dog.poll().phase is IdlePhase.EXPIRED
    dog.disarm()
    assert dog.poll().phase is IdlePhase.DISARMED


def test_the_watchdog_refuses_nonsense_times() -> None:
    with pytest.raises(ValueError):
        IdleWatchdog(0, 20, FakeTime())


def test_five_corner_taps_within_three_seconds_open_the_pad() -> None:
    clock = FakeTime()
    taps = CornerTaps(clock, corner_size=80)
    results = []
    for _ in range(5):
        results.append(taps.feed(10, 590, 600))
        clock.now += 0.5
    assert results == [False, False, False, False, True]


def test_slow_taps_or_a_tap_elsewhere_do_not() -> None:
    clock = FakeTime()
    taps = CornerTaps(clock, corner_size=80)
    for _ in range(5):
        assert not taps.feed(10, 590, 600)
        clock.now += 1.0  # 4 s from first to fifth
    taps = CornerTaps(clock, corner_size=80)
    for count in range(5):
        if count == 2:
            assert not taps.feed(500, 300, 600)  # a tap in the middle breaks the gesture
        assert not taps.feed(10, 590, 600)
        clock.now += 0.1


def test_every_kiosk_word_exists_in_the_five_languages() -> None:
    for key in messages.catalogue_keys():
        for language in ("en", "fr", "es", "pt", "ar"):
            assert messages.text(key, language, n=1, total=2, seconds=3, path="p", reason="r",
                                 date="2026-01-01")  # fmt: skip
    assert messages.text("next", "xx") == "Next"  # an unknown language falls back to English


def test_the_keyboards_hold_the_alphabets() -> None:
    arabic = {key for row in keyboards.layout_for("ar").letters for key in row}
    alphabet = set("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
    assert alphabet <= arabic
    latin = {key for row in keyboards.layout_for("fr").letters for key in row}
    assert set("abcdefghijklmnopqrstuvwxyz") <= latin
    assert set("éèêàçñáíóúãõ") <= latin


def test_keyboard_rows_refold_to_the_columns_a_narrow_screen_has() -> None:
    latin = keyboards.layout_for("fr").letters
    assert keyboards.rows_to_fit(latin, 12) == latin  # landscape: the rows as drawn
    folded = keyboards.rows_to_fit(latin, 11)
    assert [len(row) for row in folded] == [10, 10, 10, 9, 9]
    # no key lost, none doubled, the reading order kept
    assert [k for row in folded for k in row] == [k for row in latin for k in row]
    arabic = keyboards.layout_for("ar")
    with_marks = (*arabic.letters, arabic.beside_space)
    folded = keyboards.rows_to_fit(with_marks, 11)
    assert max(len(row) for row in folded) <= 11 and len(folded) == 4
    assert keyboards.rows_to_fit(latin, 0) == latin
