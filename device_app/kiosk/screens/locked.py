"""The locked screen: nothing but a passphrase prompt until the coordinator unlocks.

The passphrase is typed on the on-screen keys or a physical keyboard; it lives only in
this screen's buffer until it is handed to the station and is cleared right after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_app import messages as words


class LockedScreen(Screen):
    title_text = StringProperty("")
    prompt_text = StringProperty("")
    unlock_text = StringProperty("")
    message = StringProperty("")
    masked = StringProperty("")
    busy = BooleanProperty(False)
    rtl = BooleanProperty(False)

    def __init__(
        self, *, language: str, rtl: bool, on_unlock: Callable[[str], None], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.language = language
        self.rtl = rtl
        self.title_text = words.text("locked_title", language)
        self.prompt_text = words.text("passphrase", language)
        self.unlock_text = words.text("unlock", language)
        self._on_unlock = on_unlock
        self._typed: list[str] = []
        keys = self.ids.key_grid
        keys.language = "en"  # passphrases are typed in Latin letters, digits and symbols
        keys.on_key = self._key
        keys.build_keys()

    def on_enter(self, *_: object) -> None:
        Window.bind(on_textinput=self._physical_text, on_key_down=self._physical_key)

    def on_leave(self, *_: object) -> None:
        Window.unbind(on_textinput=self._physical_text, on_key_down=self._physical_key)
        self.clear()

    def _physical_text(self, _window: Any, text: str) -> None:
        self._key("char", text)

    def _physical_key(self, _window: Any, key: int, *_: Any) -> bool:
        if key == 8:  # backspace
            self._key("delete", "")
            return True
        if key in (13, 271):  # return, keypad enter
            self.press_unlock()
            return True
        return False

    def _key(self, kind: str, char: str) -> None:
        if self.busy:
            return
        if kind == "delete":
            if self._typed:
                self._typed.pop()
        else:
            self._typed.append(char)
        self.masked = "\u2022" * len(self._typed)
        self.message = ""

    def press_unlock(self) -> None:
        if self.busy or not self._typed:
            return
        passphrase = "".join(self._typed)
        self.clear()
        self.busy = True
        self.message = words.text("unlocking", self.language)
        self._on_unlock(passphrase)

    def failed(self, message: str) -> None:
        self.busy = False
        self.message = message

    def clear(self) -> None:
        self._typed.clear()
        self.masked = ""
