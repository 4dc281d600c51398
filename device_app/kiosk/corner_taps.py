"""The hidden coordinator gesture: N taps in a screen corner within a time window.

Pure logic (no Kivy): the kiosk feeds it every touch position; it answers True once when
the gesture completes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class CornerTaps:
    def __init__(
        self,
        clock: Callable[[], float],
        *,
        taps: int = 5,
        within_seconds: float = 3.0,
        corner_size: float = 80.0,
    ) -> None:
        self._clock = clock
        self.taps = taps
        self.within_seconds = within_seconds
        self.corner_size = corner_size
        self._times: deque[float] = deque(maxlen=taps)

    def in_corner(self, x: float, y: float, window_height: float) -> bool:
        """Top-left corner in Kivy's coordinates (origin bottom-left)."""
        return x <= self.corner_size and y >= window_height - self.corner_size

    def feed(self, x: float, y: float, window_height: float) -> bool:
        """Record a touch; True when this touch completes the gesture."""
        if not self.in_corner(x, y, window_height):
            # a tap elsewhere breaks the sequence, so ordinary use never opens the pad
            self._times.clear()
            return False
        now = self._clock()
        self._times.append(now)
        if len(self._times) == self.taps and now - self._times[0] <= self.within_seconds:
            self._times.clear()
            return True
        return False
