"""Thank-you: shown after a response is sealed, then back to Welcome on its own."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_app import messages as words


class ThanksScreen(Screen):
    title_text = StringProperty("")
    body_text = StringProperty("")
    rtl = BooleanProperty(False)

    def __init__(self, *, language: str, rtl: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rtl = rtl
        self.title_text = words.text("thanks_title", language)
        self.body_text = words.text("thanks_body", language)
