"""Change the language in the middle of the questionnaire; the answers stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from device_app import messages as words
from device_app.kiosk.widgets import KioskButton
from questionnaire_specs.models import Language


class LanguagePicker(ModalView):
    # "Language" in the language now in use: the band above the choices was left empty
    title_text = StringProperty("")
    rtl = BooleanProperty(False)

    def __init__(
        self,
        *,
        languages: list[Language],
        current: str,
        on_language: Callable[[str], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title_text = words.text("language", current)
        self.rtl = any(language.rtl for language in languages if language.code == current)
        for language in languages:
            button = KioskButton(
                source=language.name, key=f"pick-{language.code}", rtl=language.rtl,
                centred=True, selected=language.code == current,
            )  # fmt: skip
            button.bind(on_release=lambda _b, code=language.code: on_language(code))
            self.ids.choices.add_widget(button)
