"""The coordinator's side of the kiosk: the PIN pad behind the corner taps, the menu (status,
sync now, export to USB, lock, exit), and the quiet sync between respondents.

The PIN check, sync and export are slow station work: they run in background tasks, and the
menu shows that it is busy meanwhile. Lock and exit wait for a running sync or export.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from device_app import messages as words
from device_app.errors import PinLocked
from device_app.kiosk.background import BackgroundTask, on_ui_thread
from device_app.kiosk.idle import IdleWatchdog
from device_app.kiosk.navigation import Navigation
from device_app.kiosk.respondent_flow import RespondentFlow
from device_app.kiosk.screens.coordinator_menu import CoordinatorScreen
from device_app.kiosk.screens.export_folder import ExportFolderChooser
from device_app.kiosk.screens.pin_pad import PinPad
from device_app.kiosk.screens.welcome import WelcomeScreen
from device_app.kiosk.settings import KioskSettings
from device_app.kiosk.status_text import status_lines


class Coordinator:
    def __init__(
        self,
        nav: Navigation,
        respondent: RespondentFlow,
        *,
        watchdog: IdleWatchdog,
        tasks: Mapping[str, BackgroundTask],  # "pin", "sync" and "export"
        settings: KioskSettings,
    ) -> None:
        self._nav = nav
        self._respondent = respondent
        self._watchdog = watchdog
        self._tasks = tasks
        self._settings = settings
        self.menu: CoordinatorScreen | None = None
        self._held_answer: Any = None  # an unconfirmed answer under the open menu
        self.last_background_sync: Any = None  # SyncReport or error of the last idle sync
        self.exit_allowed = False

    @property
    def present(self) -> bool:
        """The PIN pad or the menu is open: the corner taps mean nothing then."""
        return isinstance(self._nav.overlay, PinPad) or self.menu is not None

    def _busy(self) -> bool:
        return self._tasks["sync"].running or self._tasks["export"].running

    # --- the PIN -----------------------------------------------------------------------------

    def open_pin_pad(self) -> None:
        language = self._nav.ui_language
        self._watchdog.arm()
        self._nav.open_overlay(
            PinPad(
                language=language,
                rtl=self._nav.is_rtl_safe(language),
                on_pin=self._check_pin,
                on_cancel=self._pin_cancelled,
            )  # fmt: skip
        )

    def _pin_cancelled(self) -> None:
        self._nav.close_overlay()
        if self._respondent.flow is None:
            self._watchdog.disarm()

    def _check_pin(self, pin: str) -> None:
        station = self._nav.require_station()
        pad = self._nav.overlay

        def failed(error: BaseException) -> None:
            if isinstance(pad, PinPad):
                if isinstance(error, PinLocked):
                    pad.locked(error.seconds)
                else:
                    pad.wrong()

        def done(right: bool) -> None:
            if not right:
                failed(ValueError("wrong PIN"))
            elif pad is self._nav.overlay:
                self._nav.close_overlay()
                self.open_menu()

        self._tasks["pin"].start(lambda: station.verify_pin(pin), done=done, failed=failed)

    # --- the menu ----------------------------------------------------------------------------

    def open_menu(self) -> None:
        language = self._nav.ui_language
        # The question the menu covers comes back as it was, with an answer picked but not
        # yet confirmed with Next (it was lost).
        self._held_answer = self._respondent.unconfirmed_answer()
        self._watchdog.arm()  # a menu left open closes itself like an abandoned survey
        self.menu = CoordinatorScreen(
            language=language,
            rtl=self._nav.is_rtl_safe(language),
            actions={
                "sync": self.sync_now,
                "export": self.choose_export_folder,
                "lock": self.lock_station,
                "exit": self.exit_kiosk,
                "close": self.close_menu,
            },
        )
        self._nav.show(self.menu)
        self.menu.busy = self._busy()
        self.refresh_status()

    def refresh_status(self) -> None:
        station = self._nav.station
        if self.menu is not None and station is not None:
            self.menu.status_text = "\n".join(status_lines(station.status(), self.menu.language))

    def close_menu(self) -> None:
        self.menu = None
        held, self._held_answer = self._held_answer, None
        if self._respondent.flow is not None:
            self._respondent.show_question(carry=held)
        else:
            self._nav.show_welcome()

    def sync_now(self) -> None:
        station = self._nav.require_station()
        menu = self.menu
        if menu is None:
            return
        language = menu.language
        progress = on_ui_thread(self._sync_progress)

        def done(_report: Any) -> None:
            self._menu_activity(words.text("sync_done", language))

        def failed(error: BaseException) -> None:
            self._menu_activity(words.text("sync_failed", language, reason=str(error)))

        started = self._tasks["sync"].start(
            lambda: station.sync(progress=progress), done=done, failed=failed
        )
        if started:
            menu.busy = True
            menu.activity_text = words.text("syncing", language)

    def _sync_progress(self, sent: int, total: int) -> None:
        if self.menu is not None:
            self.menu.activity_text = f"{words.text('syncing', self.menu.language)} {sent}/{total}"

    def _menu_activity(self, text: str) -> None:
        if self.menu is not None:
            self.menu.busy = False
            self.menu.activity_text = text
            self.refresh_status()

    def choose_export_folder(self) -> None:
        menu = self.menu
        if menu is None:
            return
        self._nav.open_overlay(
            ExportFolderChooser(
                language=menu.language,
                rtl=menu.rtl,
                start=self._settings.export_start_dir,
                on_folder=self.export_to,
            )  # fmt: skip
        )

    def export_to(self, folder: Path) -> None:
        self._nav.overlay = None
        station = self._nav.require_station()
        menu = self.menu
        if menu is None:
            return
        language = menu.language

        def done(report: Any) -> None:
            self._menu_activity(words.text("export_done", language, path=report.directory))

        def failed(error: BaseException) -> None:
            self._menu_activity(words.text("export_failed", language, reason=str(error)))

        export = self._tasks["export"]
        if export.start(lambda: station.export_usb(folder), done=done, failed=failed):
            menu.busy = True

    def lock_station(self) -> None:
        if self._busy():
            return
        self._respondent.abandon()
        self.menu = None
        self._nav.close_station()
        self._nav.show_locked()

    def exit_kiosk(self) -> None:
        if self._busy():
            return
        self.exit_allowed = True
        self._nav.stop()

    # --- between respondents -----------------------------------------------------------------

    def sync_between_respondents(self, _dt: float) -> None:
        """Idle on Welcome: send what is waiting, quietly (skipped if a sync is running)."""
        station = self._nav.station
        if station is None or self._nav.overlay is not None:
            return
        if not isinstance(self._nav.screens.current_screen, WelcomeScreen):
            return

        def noted(result: Any) -> None:
            self.last_background_sync = result

        self._tasks["sync"].start(station.sync, done=noted, failed=noted)
