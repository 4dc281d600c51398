"""Which population the respondent belongs to, when the station surveys more than one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_app import messages as words
from device_app.kiosk.widgets import KioskButton


class PopulationScreen(Screen):
    prompt_text = StringProperty("")
    back_text = StringProperty("")
    rtl = BooleanProperty(False)

    def __init__(
        self,
        *,
        language: str,
        rtl: bool,
        choices: list[tuple[str, str]],  # (population id, label in the language)
        on_population: Callable[[str], None],
        on_back: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rtl = rtl
        self.prompt_text = words.text("choose_population", language)
        self.back_text = words.text("back", language)
        self._on_back = on_back
        for population, label in choices:
            button = KioskButton(
                source=label, key=f"population-{population}", rtl=rtl, marker="radio"
            )
            button.bind(on_release=lambda _b, p=population: on_population(p))
            self.ids.choices.add_widget(button)

    def press_back(self) -> None:
        self._on_back()
