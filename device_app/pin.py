"""The coordinator PIN pad's lockout rule, as pure functions over a small state.

Five wrong PINs in a row lock the pad; each further wrong PIN after a lock ends locks it
again for twice as long, up to an hour. A right PIN clears everything. The state is a few
numbers (no PIN, no hash), stored by the station in its encrypted config.

Wall-clock time is used because the station may be powered off during a lock; a clock moved
backwards cannot lengthen a lock beyond its own duration, and one moved forwards only ends it
early, which a thief with the tablet could do anyway by other means (the PIN guards the
coordinator screens, not the data: the data is behind the passphrase and the seal).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

FREE_TRIES = 5
FIRST_LOCK_S = 30.0
LONGEST_LOCK_S = 3600.0


@dataclass(frozen=True)
class PinAttempts:
    """Wrong PINs since the last right one, and the current lock (if any)."""

    failures: int = 0
    locked_at: float | None = None  # epoch seconds when the lock began
    lock_s: float = 0.0  # how long that lock lasts

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> PinAttempts:
        """Read a stored state; a missing or unreadable one counts as a fresh state."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            return cls(
                failures=max(0, int(raw["failures"])),
                locked_at=None if raw["locked_at"] is None else float(raw["locked_at"]),
                lock_s=max(0.0, float(raw["lock_s"])),
            )
        except (ValueError, KeyError, TypeError):
            # A damaged record must not unlock more than a fresh one would: start counting
            # again, but from the lock threshold, so the next wrong PIN locks.
            return cls(failures=FREE_TRIES - 1)


def lock_seconds(failures: int) -> float:
    """How long the pad locks after `failures` wrong PINs in a row (0: not locked)."""
    if failures < FREE_TRIES:
        return 0.0
    return min(LONGEST_LOCK_S, FIRST_LOCK_S * 2 ** min(failures - FREE_TRIES, 20))


def seconds_remaining(state: PinAttempts, now: float) -> float:
    """Seconds until the pad accepts a PIN again (0 when it accepts one now)."""
    if state.locked_at is None or state.lock_s <= 0:
        return 0.0
    left = state.locked_at + state.lock_s - now
    # Clamp to the lock's own length: a clock set backwards cannot extend it.
    return max(0.0, min(state.lock_s, left))


def after_failure(state: PinAttempts, now: float) -> PinAttempts:
    """The state after one more wrong PIN entered while the pad was unlocked."""
    failures = state.failures + 1
    lock = lock_seconds(failures)
    if lock <= 0:
        return PinAttempts(failures=failures)
    return PinAttempts(failures=failures, locked_at=now, lock_s=lock)


def after_success() -> PinAttempts:
    """A right PIN clears the count and any lock."""
    return PinAttempts()
