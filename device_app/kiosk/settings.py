"""What a kiosk deployment (or a test) may tune. Times are in seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from device_app.kiosk.fonts import DEFAULT_FONT_DIR


@dataclass(frozen=True)
class KioskSettings:
    idle_seconds: float = 60.0  # no touch for this long: the "are you still there?" warning
    warning_seconds: float = 20.0  # the warning's countdown before the session is abandoned
    thanks_seconds: float = 10.0  # the thank-you screen, then Welcome
    sync_interval_seconds: float = 300.0  # background sync while idle on Welcome; 0: never
    corner_taps: int = 5  # the hidden gesture that opens the coordinator's PIN pad
    corner_seconds: float = 3.0
    corner_size_dp: float = 80.0
    coordinator_language: str = "en"  # the locked screen, before any spec is readable
    window_size: tuple[int, int] = (1024, 600)  # when windowed
    fullscreen: bool = True
    font_dir: Path = DEFAULT_FONT_DIR
    export_start_dir: Path = Path("/media")
    build_ahead: bool = True  # build the next question's screen while the current one is read
    monotonic: Callable[[], float] = field(default=time.monotonic)
