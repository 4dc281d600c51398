"""The coordinator's PIN pad. The station checks the PIN and owns the lockout rule; the
pad only collects digits, shows "wrong" or the remaining lock time, and never keeps the
PIN after a try."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from device_app.kiosk import strings as words

MAX_PIN_DIGITS = 12


class PinPad(ModalView):
    title_text = StringProperty("")
    message = StringProperty("")
    masked = StringProperty("")
    ok_text = StringProperty("")
    cancel_text = StringProperty("")
    busy = BooleanProperty(False)
    rtl = BooleanProperty(False)

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

    def _changed(self, value: str) -> None:
        self._digits = value
        self.masked = "\u2022" * len(value)
        self.message = ""

    def press_ok(self) -> None:
        if self.busy or not self._digits:
            return
        pin = self._digits
        self._reset_digits()
        self.busy = True
        self._on_pin(pin)

    def press_cancel(self) -> None:
        self._reset_digits()
        self._on_cancel()

    def wrong(self) -> None:
        self.busy = False
        self.message = words.text("pin_wrong", self.language)

    def locked(self, seconds: int) -> None:
        self.busy = False
        self.message = words.text("pin_locked", self.language, seconds=seconds)

    def _reset_digits(self) -> None:
        self._digits = ""
        self.ids.pad.value = ""
        self.masked = ""
