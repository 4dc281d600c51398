"""The inactivity warning: a countdown and one big Continue button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from device_app import messages as words


class IdleWarning(ModalView):
    title_text = StringProperty("")
    body_text = StringProperty("")
    continue_text = StringProperty("")
    rtl = BooleanProperty(False)

    def __init__(
        self, *, language: str, rtl: bool, on_continue: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self.language = language
        self.rtl = rtl
        self.title_text = words.text("still_there", language)
        self.continue_text = words.text("continue", language)
        self._on_continue = on_continue

    def show_remaining(self, seconds: float) -> None:
        self.body_text = words.text("idle_countdown", self.language, seconds=max(0, round(seconds)))

    def press_continue(self) -> None:
        self._on_continue()
