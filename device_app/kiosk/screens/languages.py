"""Change the language in the middle of the questionnaire; the answers stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.modalview import ModalView

from device_app.kiosk.widgets import KioskButton
from questionnaire_specs.models import Language


class LanguagePicker(ModalView):
    def __init__(
        self,
        *,
        languages: list[Language],
        current: str,
        on_language: Callable[[str], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for language in languages:
            button = KioskButton(
                source=language.name, key=f"pick-{language.code}", rtl=language.rtl,
                centred=True, selected=language.code == current,
            )  # fmt: skip
            button.bind(on_release=lambda _b, code=language.code: on_language(code))
            self.ids.choices.add_widget(button)
