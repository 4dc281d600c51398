"""Where screens are shown: exactly one at a time, the old one dropped at once.

Kivy's ScreenManager keeps screens for transitions and animates between them; the kiosk
wants neither (an old screen would hold a respondent's answers, and an animation costs
frames), so this is a plain layout that swaps its only child.
"""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import Screen


class Stage(FloatLayout):
    current_screen = ObjectProperty(None, allownone=True)

    @property
    def screens(self) -> list[Screen]:
        return [child for child in self.children if isinstance(child, Screen)]

    def show(self, screen: Screen) -> None:
        old = self.current_screen
        if old is not None:
            old.dispatch("on_pre_leave")
            self.remove_widget(old)
            old.dispatch("on_leave")
        screen.dispatch("on_pre_enter")
        self.add_widget(screen)
        self.current_screen = screen
        screen.dispatch("on_enter")
