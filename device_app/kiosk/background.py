"""Run blocking station work (unlock, sync, export, PIN check) off the UI thread.

The worker thread never touches a widget: its result, its error and its progress reports
are handed back to the UI thread with ``Clock.schedule_once``, so the screen keeps drawing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock


class BackgroundTask:
    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(
        self,
        work: Callable[[], Any],
        *,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> bool:
        """Start ``work`` unless this task is already running; False when it was."""
        if self.running:
            return False

        def run() -> None:
            try:
                result = work()
            except Exception as error:  # handed to the UI, which shows it
                Clock.schedule_once(lambda _dt, e=error: failed(e), 0)
                return
            Clock.schedule_once(lambda _dt: done(result), 0)

        self._thread = threading.Thread(target=run, name=f"kiosk-{self.name}", daemon=True)
        self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def on_ui_thread(callback: Callable[..., None]) -> Callable[..., None]:
    """Wrap a callback so that calling it from any thread runs it on the UI thread."""

    def post(*args: Any) -> None:
        Clock.schedule_once(lambda _dt: callback(*args), 0)

    return post
