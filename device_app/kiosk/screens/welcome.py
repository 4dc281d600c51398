"""Welcome: the survey's title in every language the station offers (the respondent has
not chosen yet), and one large button per language, in its own script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.metrics import dp, sp
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from device_app.kiosk.widgets import KioskButton, ShapedLabel
from questionnaire_specs.models import Language


class WelcomeScreen(Screen):
    title_text = StringProperty("")  # the first language's, the largest
    intro_text = StringProperty("")

    def __init__(
        self,
        *,
        titles: list[tuple[str, bool]],  # (title, right to left) per language, in order
        languages: list[Language],
        on_language: Callable[[str], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title_text = titles[0][0] if titles else ""
        shown: set[str] = {self.title_text}
        for title, rtl in titles[1:]:
            if title in shown:
                continue
            shown.add(title)
            label = ShapedLabel(source=title, rtl=rtl, centred=True, font_size=sp(17),
                                size_hint_y=None)  # fmt: skip
            label.bind(texture_size=lambda widget, size: setattr(widget, "height", size[1]))
            self.ids.titles.add_widget(label)
        for language in languages:
            button = KioskButton(
                source=language.name, key=f"lang-{language.code}", rtl=language.rtl,
                centred=True, style="primary", fit_text=False, min_height=dp(64),
            )  # fmt: skip
            button.bind(on_release=lambda _b, code=language.code: on_language(code))
            self.ids.languages.add_widget(button)

    def titles_shown(self) -> list[str]:
        """Every title on the screen, the first language's first (for the tests)."""
        return [self.title_text, *(label.source for label in reversed(self.ids.titles.children))]
