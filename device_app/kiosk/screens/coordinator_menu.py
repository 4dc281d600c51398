"""The coordinator menu: the station's status and the few things a coordinator does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_app import messages as words


class CoordinatorScreen(Screen):
    title_text = StringProperty("")
    status_text = StringProperty("")
    activity_text = StringProperty("")
    busy = BooleanProperty(False)  # a sync or an export is running
    rtl = BooleanProperty(False)
    sync_text = StringProperty("")
    export_text = StringProperty("")
    lock_text = StringProperty("")
    exit_text = StringProperty("")
    close_text = StringProperty("")

    def __init__(
        self,
        *,
        language: str,
        rtl: bool,
        actions: dict[str, Callable[[], None]],  # sync, export, lock, exit, close
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.language = language
        self.rtl = rtl
        self._actions = actions
        self.title_text = words.text("menu_title", language)
        self.sync_text = words.text("sync_now", language)
        self.export_text = words.text("export_usb", language)
        self.lock_text = words.text("lock_station", language)
        self.exit_text = words.text("exit_kiosk", language)
        self.close_text = words.text("close_menu", language)

    def act(self, name: str) -> None:
        self._actions[name]()
