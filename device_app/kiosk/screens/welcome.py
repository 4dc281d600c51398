"""Welcome: the survey's title and one large button per language, in its own script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from device_app.kiosk.widgets import KioskButton
from questionnaire_specs.models import Language


class WelcomeScreen(Screen):
    title_text = StringProperty("")
    intro_text = StringProperty("")

    def __init__(
        self,
        *,
        title: str,
        languages: list[Language],
        on_language: Callable[[str], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title_text = title
        for language in languages:
            button = KioskButton(
                source=language.name, key=f"lang-{language.code}", rtl=language.rtl,
                centred=True, style="primary", fit_text=False, min_height=dp(64),
            )  # fmt: skip
            button.bind(on_release=lambda _b, code=language.code: on_language(code))
            self.ids.languages.add_widget(button)
