"""The kiosk app: screens in front, the survey session and the station services behind.

The app itself navigates: it builds the window, shows one screen at a time and at most one
overlay, unlocks the station and holds the kiosk lock (Escape, back and close requests are
refused). The respondent's way through the survey (respondent_flow.py, with the next
question's screen built ahead in prepared_screens.py) and the coordinator's side
(coordinator.py) are objects of their own, handed the app as their Navigation. Slow station
work runs in background threads (background.py); the UI thread only ever draws and hands over.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from device_app import messages as words
from device_app.errors import StationError, WrongPassphrase
from device_app.kiosk import fonts
from device_app.kiosk.background import BackgroundTask
from device_app.kiosk.coordinator import Coordinator
from device_app.kiosk.corner_taps import CornerTaps
from device_app.kiosk.idle import IdleWatchdog
from device_app.kiosk.layouts import load_layouts
from device_app.kiosk.respondent_flow import RespondentFlow
from device_app.kiosk.screens.locked import LockedScreen
from device_app.kiosk.screens.welcome import WelcomeScreen
from device_app.kiosk.settings import KioskSettings
from device_app.kiosk.stage import Stage
from device_app.station import Station
from questionnaire_specs.models import Language

ESCAPE = 27  # Escape, and Android's back key


class KioskApp(App):
    def __init__(
        self,
        *,
        station_dir: Path,
        passphrase: str | None,
        settings: KioskSettings,
        open_station: Callable[[Path, str], Station] = Station.unlock,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "Mobile Survey Station"
        self.settings = settings
        self.station_dir = station_dir
        self._open_station = open_station
        self._start_passphrase = passphrase
        self.station: Station | None = None
        self.watchdog = IdleWatchdog(
            settings.idle_seconds, settings.warning_seconds, settings.monotonic
        )
        self.tasks = {name: BackgroundTask(name) for name in ("unlock", "sync", "export", "pin")}
        self.overlay: ModalView | None = None
        self._screen_count = 0
        self.respondent = RespondentFlow(
            self, clock=Clock, window=Window, watchdog=self.watchdog, settings=settings
        )
        self.coordinator = Coordinator(
            self, self.respondent, watchdog=self.watchdog, tasks=self.tasks, settings=settings
        )

    # --- start and the kiosk lock --------------------------------------------------------------

    def build(self) -> Stage:
        fonts.register(fonts.find_fonts(self.settings.font_dir))
        load_layouts()
        self.corner = CornerTaps(
            self.settings.monotonic,
            taps=self.settings.corner_taps,
            within_seconds=self.settings.corner_seconds,
            corner_size=dp(self.settings.corner_size_dp),
        )
        Window.clearcolor = (0.96, 0.97, 0.98, 1)
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard)
        Window.bind(on_touch_down=self._on_any_touch)
        self.screens = Stage()
        Clock.schedule_interval(self.respondent.watch_idle, 0.25)
        if self.settings.sync_interval_seconds > 0:
            Clock.schedule_interval(
                self.coordinator.sync_between_respondents, self.settings.sync_interval_seconds
            )
        self.show_locked()
        if self._start_passphrase:
            passphrase, self._start_passphrase = self._start_passphrase, None
            Clock.schedule_once(lambda _dt: self.unlock(passphrase), 0)
        return self.screens

    def _refuse_close(self, *_: Any, **__: Any) -> bool:
        return not self.coordinator.exit_allowed  # True keeps the window open

    def _on_keyboard(self, _window: Any, key: int, *_: Any) -> bool:
        return key == ESCAPE  # swallowed: Escape and Android back never leave the kiosk

    def _on_any_touch(self, _window: Any, touch: Any) -> bool:
        self.watchdog.touch()
        if self.station is None or self.coordinator.present:
            return False
        if self.corner.feed(touch.x, touch.y, Window.height):
            self.coordinator.open_pin_pad()
            return True
        return False

    def on_stop(self) -> None:
        for task in self.tasks.values():
            task.join(timeout=10)
        self.respondent.abandon()
        self.close_station()

    # --- screens -----------------------------------------------------------------------------

    @property
    def ui_language(self) -> str:
        return self.respondent.language or self.settings.coordinator_language

    def show(self, screen: Screen) -> Screen:
        """Show a freshly built screen; the previous one is dropped with its widgets."""
        self._screen_count += 1
        screen.name = f"{type(screen).__name__}-{self._screen_count}"
        self.screens.show(screen)
        return screen

    def close_overlay(self) -> None:
        if self.overlay is not None:
            overlay, self.overlay = self.overlay, None
            overlay.dismiss(animation=False)
        self.respondent.dismiss_idle_warning()

    def open_overlay(self, overlay: ModalView) -> None:
        self.close_overlay()
        self.overlay = overlay
        overlay.open(animation=False)

    def show_locked(self) -> None:
        self.watchdog.disarm()
        language = self.settings.coordinator_language
        self.show(LockedScreen(language=language, rtl=language == "ar", on_unlock=self.unlock))

    def show_welcome(self) -> None:
        self.respondent.cancel_thanks_timer()
        self.close_overlay()
        self.respondent.abandon()
        self.coordinator.menu = None
        self.watchdog.disarm()
        station = self.require_station()
        spec = station.specs()[0]
        self.show(
            WelcomeScreen(
                titles=[(spec.text(spec.title, lang.code), lang.rtl) for lang in self._languages()],
                languages=self._languages(),
                on_language=self.respondent.choose_language,
            )
        )

    def _languages(self) -> list[Language]:
        station = self.require_station()
        found: dict[str, Language] = {}
        for spec in station.specs():
            for language in spec.languages:
                found.setdefault(language.code, language)
        return [found[code] for code in station.languages if code in found]

    def is_rtl(self, language: str) -> bool:
        return any(lang.code == language and lang.rtl for lang in self._languages())

    def is_rtl_safe(self, language: str) -> bool:
        return self.station is not None and self.is_rtl(language)

    def require_station(self) -> Station:
        if self.station is None:
            raise RuntimeError("the station is locked")
        return self.station

    # --- unlocking and locking ---------------------------------------------------------------

    def unlock(self, passphrase: str) -> None:
        screen = self.screens.current_screen
        if isinstance(screen, LockedScreen):
            screen.busy = True
            screen.message = words.text("unlocking", self.ui_language)
        station_dir, open_station = self.station_dir, self._open_station

        def opened() -> Station:
            station = open_station(station_dir, passphrase)
            station.abandon_interrupted_drafts()  # a respondent cut off by a crash or power cut
            return station

        self.tasks["unlock"].start(
            opened,
            done=self._unlocked,
            failed=self._unlock_failed,
        )

    def _unlocked(self, station: Station) -> None:
        self.station = station
        self.show_welcome()
        Clock.schedule_once(lambda _dt: self._freeze_long_lived(), 0)

    def _freeze_long_lived(self) -> None:
        """Kivy, the station and its questionnaires live as long as the kiosk: move them out
        of the garbage collector's sight. Otherwise every full collection walks them all, and
        building a question screen (thousands of objects) sets off several: most of its cost."""
        gc.collect()
        gc.freeze()

    def _unlock_failed(self, error: BaseException) -> None:
        screen = self.screens.current_screen
        if not isinstance(screen, LockedScreen):
            return
        if isinstance(error, WrongPassphrase):
            screen.failed(words.text("unlock_failed", self.ui_language))
        elif isinstance(error, StationError):
            screen.failed(str(error))
        else:  # only the type: an unexpected message could quote what was typed
            screen.failed(type(error).__name__)

    def close_station(self) -> None:
        if self.station is not None:
            self.station.close()
            self.station = None
            gc.unfreeze()  # the closed station may go now; the next unlock freezes again
