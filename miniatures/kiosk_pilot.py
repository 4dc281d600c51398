"""Drives the real kiosk app from inside its process, by simulated touches.

A scenario is a generator: it taps widgets found by their ``key`` and yields what to wait
for — a number of seconds, or a condition (a callable) that must become true. Runs on
Kivy's clock, so the app draws and handles input between steps exactly as it does for a
person.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

Step = float | Callable[[], bool]
Scenario = Generator[Step, None, None]


class PilotError(AssertionError):
    pass


class Pilot:
    def __init__(self, app: Any, results: dict[str, Any], *, timeout: float = 20.0) -> None:
        self.app = app
        self.results = results
        self.timeout = timeout
        self._scenario: Scenario | None = None
        self._waiting: Callable[[], bool] | None = None
        self._deadline = 0.0

    # --- running -------------------------------------------------------------------------------

    def run(self, scenario: Callable[[Pilot], Scenario]) -> None:
        self._scenario = scenario(self)
        Clock.schedule_once(self._step, 0)

    def _step(self, _dt: float) -> None:
        assert self._scenario is not None
        if self._waiting is not None:
            try:
                ready = self._waiting()
            except Exception as error:  # a condition that raises is not ready yet
                ready = False
                self.results["last_wait_error"] = repr(error)
            if not ready:
                if time.monotonic() > self._deadline:
                    self._fail(f"timed out waiting for {getattr(self._waiting, 'what', '?')}")
                    return
                Clock.schedule_once(self._step, 0.02)
                return
            self._waiting = None
        try:
            step = next(self._scenario)
        except StopIteration:
            self.results.setdefault("ok", True)
            self.app.stop()
            return
        except Exception as error:
            self._fail(f"{type(error).__name__}: {error}")
            return
        if callable(step):
            self._waiting = step
            self._deadline = time.monotonic() + self.timeout
            Clock.schedule_once(self._step, 0)
        else:
            Clock.schedule_once(self._step, float(step))

    def _fail(self, message: str) -> None:
        self.results["ok"] = False
        self.results["error"] = message
        self.results["screen"] = self.screen_name()
        self.results["visible_keys"] = sorted(self.keys())
        self.app.stop()

    # --- looking -------------------------------------------------------------------------------

    def screen_name(self) -> str:
        screens = self.app.root
        return type(screens.current_screen).__name__ if screens and screens.current_screen else ""

    def visible_roots(self) -> list[Widget]:
        """Modal views first (they are on top), then the screen manager."""
        return list(Window.children)

    def walk_visible(self) -> Iterator[Widget]:
        for root in self.visible_roots():
            yield from _walk(root, visible_only=True)

    def keys(self) -> list[str]:
        return [w.key for w in self.walk_visible() if getattr(w, "key", "")]

    def find(self, key: str) -> Widget:
        for widget in self.walk_visible():
            if getattr(widget, "key", None) == key:
                return widget
        raise PilotError(f"no visible widget {key!r} on {self.screen_name()}")

    def has(self, key: str) -> bool:
        return any(getattr(w, "key", None) == key for w in self.walk_visible())

    # --- acting --------------------------------------------------------------------------------

    def tap(self, key: str) -> None:
        widget = self.find(key)
        if widget.disabled:
            raise PilotError(f"{key!r} is disabled")
        _scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)

    def tap_at(self, x: float, y: float) -> None:
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def when(self, check: Callable[[], bool], what: str) -> Callable[[], bool]:
        check.what = what  # type: ignore[attr-defined]
        return check

    def on_screen(self, name: str) -> Callable[[], bool]:
        return self.when(lambda: self.screen_name() == name, f"screen {name}")

    def visible(self, key: str) -> Callable[[], bool]:
        return self.when(lambda: self.has(key), f"widget {key}")

    def screenshot(self, path: Path) -> Callable[[], bool]:
        """Capture the next drawn frame (read before the buffer swap, so not black)."""
        done: list[bool] = []

        def capture(*_: Any) -> None:
            Window.unbind(on_flip=capture)
            made = Path(Window.screenshot(name=str(path)))
            made.replace(path)  # Kivy numbers its screenshots; we want the exact name
            done.append(True)

        Window.bind(on_flip=capture)
        Window.canvas.ask_update()
        return self.when(lambda: bool(done), f"screenshot {path.name}")


def visible_widgets(root: Widget) -> Iterator[Widget]:
    """`root` and every widget under it that is not hidden (opacity 0)."""
    return _walk(root, visible_only=True)


def in_scroll_view(widget: Widget) -> bool:
    """Inside a ScrollView: it may lie outside the window until scrolled to."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return True
        parent = parent.parent
    return False


def _walk(widget: Widget, *, visible_only: bool) -> Iterator[Widget]:
    if visible_only and getattr(widget, "opacity", 1) == 0:
        return
    yield widget
    for child in widget.children:
        yield from _walk(child, visible_only=visible_only)


def _scroll_into_view(widget: Widget) -> None:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            parent.scroll_to(widget, padding=0, animate=False)
            return
        parent = parent.parent


# --- the privacy check ---------------------------------------------------------------------------


def answer_traces(app: Any, words: list[str]) -> list[str]:
    """Every place in the UI that still holds an answer: selections, typed text, keypad
    digits, question screens, or any text containing one of ``words``."""
    from device_app.kiosk.widgets import ShapedLabel

    found: list[str] = []
    gc.collect()
    widgets = [obj for obj in gc.get_objects() if _is_widget(obj)]
    for widget in widgets:
        try:
            found.extend(_traces_of(widget, words))
        except ReferenceError:
            continue  # a weak proxy to a widget that is already gone
    measure = ShapedLabel._measure
    if measure is not None and any(word in key[3] for key in measure._widths for word in words):
        found.append("the text width cache holds an answer word")
    if app.respondent.flow is not None:
        found.append("the app still has a survey session")
    return found


def _is_widget(obj: object) -> bool:
    try:
        return isinstance(obj, Widget)
    except ReferenceError:
        return False  # a weak proxy whose widget is gone


def _traces_of(widget: Widget, words: list[str]) -> list[str]:
    from device_app.kiosk.screens.question import QuestionScreen
    from device_app.kiosk.widgets import NumberPad, TextBox

    found: list[str] = []
    name = type(widget).__name__
    if isinstance(widget, QuestionScreen):
        found.append(f"a live {name}")
    if getattr(widget, "selected", False) and str(getattr(widget, "key", "")).startswith("option-"):
        found.append(f"{name} {widget.key} still selected")
    if isinstance(widget, TextBox) and widget.source:
        found.append(f"{name} holds typed text")
    if isinstance(widget, NumberPad) and widget.value:
        found.append(f"{name} holds digits")
    for attribute in ("text", "source", "value"):
        value = getattr(widget, attribute, None)
        if isinstance(value, str) and any(word in value for word in words):
            found.append(f"{name}.{attribute} holds an answer word")
    return found
