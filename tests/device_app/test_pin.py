"""The PIN pad lockout rule (pure) and its use by the station."""

from __future__ import annotations

from device_app import pin


def fail(state: pin.PinAttempts, times: int, now: float) -> pin.PinAttempts:
    for _ in range(times):
        state = pin.after_failure(state, now)
    return state


def test_four_wrong_pins_do_not_lock() -> None:
    state = fail(pin.PinAttempts(), 4, now=1000.0)
    assert state.failures == 4
    assert pin.seconds_remaining(state, 1000.0) == 0


def test_the_fifth_wrong_pin_locks_for_thirty_seconds() -> None:
    state = fail(pin.PinAttempts(), 5, now=1000.0)
    assert pin.seconds_remaining(state, 1000.0) == 30
    assert pin.seconds_remaining(state, 1029.0) == 1
    assert pin.seconds_remaining(state, 1030.0) == 0


def test_each_later_wrong_pin_doubles_the_lock_up_to_an_hour() -> None:
    state = fail(pin.PinAttempts(), 5, now=0.0)
    locks = []
    for step in range(12):
        now = 10_000.0 * (step + 1)  # always after the previous lock ended
        state = pin.after_failure(state, now)
        locks.append(pin.seconds_remaining(state, now))
    assert locks[:4] == [60, 120, 240, 480]
    assert max(locks) == pin.LONGEST_LOCK_S
    assert locks[-1] == pin.LONGEST_LOCK_S


def test_a_right_pin_clears_everything() -> None:
    state = fail(pin.PinAttempts(), 7, now=0.0)
    assert pin.seconds_remaining(state, 0.0) > 0
    assert pin.after_success() == pin.PinAttempts()
    assert pin.seconds_remaining(pin.after_success(), 0.0) == 0


def test_a_clock_set_back_cannot_lengthen_a_lock() -> None:
    state = fail(pin.PinAttempts(), 5, now=1_000_000.0)
    assert pin.seconds_remaining(state, 0.0) == 30


def test_state_survives_a_round_trip_and_damage_does_not_unlock() -> None:
    state = fail(pin.PinAttempts(), 6, now=5.0)
    assert pin.PinAttempts.from_json(state.to_json()) == state
    assert pin.PinAttempts.from_json(None) == pin.PinAttempts()
    damaged = pin.PinAttempts.from_json("{not json")
    # One more wrong PIN after damage locks at once.
    assert pin.seconds_remaining(pin.after_failure(damaged, 0.0), 0.0) > 0
