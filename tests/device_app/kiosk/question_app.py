"""The small real Kivy app the screen drivers (picker_driver.py, defaults_driver.py) show
question screens in: one QuestionScreen at a time for the flow's current question, and a
fingertip on a key where it is. Kivy is imported only once prepare_kivy has run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from device_app.kiosk.settings import KioskSettings


def question_app(settings: KioskSettings, flow: Any) -> tuple[Any, Callable[[], Any]]:
    """The app, and `show()`: a new screen for the flow's current question, shown."""
    from kivy.app import App
    from kivy.core.window import Window

    from device_app.kiosk import fonts
    from device_app.kiosk.layouts import load_layouts
    from device_app.kiosk.screens.question import QuestionScreen
    from device_app.kiosk.stage import Stage

    class QuestionApp(App):
        def build(self) -> Stage:
            fonts.register(fonts.find_fonts(settings.font_dir))
            load_layouts()
            Window.clearcolor = (0.96, 0.97, 0.98, 1)
            self.screens = Stage()
            return self.screens

    app = QuestionApp()

    def show() -> QuestionScreen:
        screen = QuestionScreen(
            flow.view(), on_next=lambda: None, on_back=lambda: None, on_language=lambda: None
        )
        app.screens.show(screen)
        return screen

    return app, show


def tap(pilot: Any, key: str) -> None:
    # a fingertip on the key where it is: the pilot's tap would scroll it into view,
    # moving the short answer area to the bottom of the screen
    widget = pilot.find(key)
    pilot.tap_at(*widget.to_window(*widget.center))
