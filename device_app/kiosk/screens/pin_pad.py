"""The coordinator's PIN pad. The station checks the PIN and owns the lockout rule; the
pad only collects digits, shows "wrong" or the remaining lock time (counting down), and
never keeps the PIN after a try."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.modalview import ModalView

from device_app import messages as words

MAX_PIN_DIGITS = 12


class PinPad(ModalView):
    title_text = StringProperty("")
    message = StringProperty("")
    masked = StringProperty("")
    ok_text = StringProperty("")
    cancel_text = StringProperty("")
    busy = BooleanProperty(False)
    rtl = BooleanProperty(False)
    locked_seconds = NumericProperty(0)  # the lock's countdown, as the station last said

    def __init__(
        self,
        *,
        language: str,
        rtl: bool,
        on_pin: Callable[[str], None],
        on_cancel: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self.language = language
        self.rtl = rtl
        self.title_text = words.text("pin_title", language)
        self.ok_text = words.text("ok", language)
        self.cancel_text = words.text("cancel", language)
        self._on_pin, self._on_cancel = on_pin, on_cancel
        self._digits = ""
        pad = self.ids.pad
        pad.language, pad.rtl = language, rtl
        pad.max_digits = MAX_PIN_DIGITS
        pad.on_change = self._changed
        pad.build_keys()
        self._countdown: Any = None
        if rtl:  # OK on the left, Cancel on the right, as Next and Back on the questions
            actions = self.ids.actions
            children = list(actions.children)
            actions.clear_widgets()
            for child in children:  # children are stored last-first: re-adding reverses
                actions.add_widget(child)
        self.bind(on_dismiss=lambda *_: self._stop_countdown())

    def _changed(self, value: str) -> None:
        self._digits = value
        self.masked = "\u2022" * len(value)
        if self._countdown is None:
            self.message = ""  # a running lock countdown stays in view

    def press_ok(self) -> None:
        if self.busy or not self._digits:
            return
        pin = self._digits
        self._reset_digits()
        self.busy = True
        self._on_pin(pin)

    def press_cancel(self) -> None:
        self._reset_digits()
        self._stop_countdown()
        self._on_cancel()

    def wrong(self) -> None:
        self.busy = False
        self.message = words.text("pin_wrong", self.language)

    def locked(self, seconds: int) -> None:
        """The station refuses PINs for ``seconds``: count down, once a second, to zero."""
        self.busy = False
        self._stop_countdown()
        self.locked_seconds = max(0, int(seconds))
        self._show_lock()
        if self.locked_seconds > 0:
            self._countdown = Clock.schedule_interval(self._tick, 1.0)

    def _tick(self, _dt: float) -> bool:
        self.locked_seconds = max(0, self.locked_seconds - 1)
        self._show_lock()
        if self.locked_seconds == 0:
            self._countdown = None
            return False  # stops the interval
        return True

    def _show_lock(self) -> None:
        if self.locked_seconds > 0:
            self.message = words.text("pin_locked", self.language, seconds=self.locked_seconds)
        else:
            self.message = ""  # the pad takes a PIN again

    def _stop_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def _reset_digits(self) -> None:
        self._digits = ""
        self.ids.pad.value = ""
        self.masked = ""
