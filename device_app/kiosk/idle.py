"""The inactivity watchdog: pure logic, no Kivy, driven by an injected clock.

A respondent who walks away must not leave answers on screen for the next person. After
``idle_seconds`` without a touch the kiosk shows a warning with a countdown; after a further
``warning_seconds`` the session expires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class IdlePhase(Enum):
    DISARMED = "disarmed"  # nothing to protect (e.g. on Welcome)
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IdleState:
    phase: IdlePhase
    remaining: float  # seconds until the next phase change (0 when disarmed or expired)


class IdleWatchdog:
    """Tracks the last touch; ``poll()`` says whether to warn or to expire."""

    def __init__(
        self, idle_seconds: float, warning_seconds: float, clock: Callable[[], float]
    ) -> None:
        if idle_seconds <= 0 or warning_seconds <= 0:
            raise ValueError("idle_seconds and warning_seconds must be positive")
        self.idle_seconds = idle_seconds
        self.warning_seconds = warning_seconds
        self._clock = clock
        self._armed = False
        self._last_touch = clock()

    def arm(self) -> None:
        """Start watching (a respondent or coordinator is at the screen)."""
        self._armed = True
        self._last_touch = self._clock()

    def disarm(self) -> None:
        self._armed = False

    def touch(self) -> None:
        """Any touch counts as activity, including 'Continue' on the warning."""
        self._last_touch = self._clock()

    def poll(self) -> IdleState:
        if not self._armed:
            return IdleState(IdlePhase.DISARMED, 0.0)
        idle = self._clock() - self._last_touch
        if idle < self.idle_seconds:
            return IdleState(IdlePhase.ACTIVE, self.idle_seconds - idle)
        if idle < self.idle_seconds + self.warning_seconds:
            return IdleState(IdlePhase.WARNING, self.idle_seconds + self.warning_seconds - idle)
        return IdleState(IdlePhase.EXPIRED, 0.0)
