"""The kiosk app: screens in front, the survey session and the station services behind.

Screens are thrown away and built anew for every question and every respondent, so no
widget can carry an answer to the next person. Building a question screen takes tens of
milliseconds, so the one Next will most likely show is built ahead of time, once the current
question is drawn, while the respondent reads; Next swaps it in if it is exactly the screen
needed (else builds afresh). It has never been shown, and it is dropped with the respondent.
Slow station work runs in background threads (background.py); the UI thread only ever draws
and hands over.
"""

from __future__ import annotations

import contextlib
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

from device_app.errors import PinLocked, StationError, WrongPassphrase
from device_app.kiosk import fonts
from device_app.kiosk import strings as words
from device_app.kiosk.answers import AnswerProblem, parse_answer
from device_app.kiosk.background import BackgroundTask, on_ui_thread
from device_app.kiosk.corner_taps import CornerTaps
from device_app.kiosk.idle import IdlePhase, IdleWatchdog
from device_app.kiosk.layouts import load_layouts
from device_app.kiosk.screens.coordinator import CoordinatorScreen
from device_app.kiosk.screens.export_folder import ExportFolderChooser
from device_app.kiosk.screens.idle_warning import IdleWarning
from device_app.kiosk.screens.languages import LanguagePicker
from device_app.kiosk.screens.locked import LockedScreen
from device_app.kiosk.screens.pin_pad import PinPad
from device_app.kiosk.screens.population import PopulationScreen
from device_app.kiosk.screens.question import QuestionScreen, QuestionView
from device_app.kiosk.screens.thanks import ThanksScreen
from device_app.kiosk.screens.welcome import WelcomeScreen
from device_app.kiosk.settings import KioskSettings
from device_app.kiosk.stage import Stage
from device_app.kiosk.status_text import status_lines
from device_app.kiosk.survey import HELD, SurveyFlow
from device_app.kiosk.widgets import ShapedLabel
from device_app.session import SessionClosed
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
        self.flow: SurveyFlow | None = None  # the respondent at the screen, if any
        self.language: str | None = None  # the respondent's language
        self.watchdog = IdleWatchdog(
            settings.idle_seconds, settings.warning_seconds, settings.monotonic
        )
        self.tasks = {name: BackgroundTask(name) for name in ("unlock", "sync", "export", "pin")}
        self.overlay: ModalView | None = None
        self.idle_warning: IdleWarning | None = None
        self.menu: CoordinatorScreen | None = None
        self.last_background_sync: Any = None  # SyncReport or error of the last idle sync
        self._exit_allowed = False
        self._screen_count = 0
        self._thanks_timer: Any = None
        self.draft_problem: str | None = None
        # the next question's screen, built ahead of time (never shown until Next takes it)
        self.prepared: QuestionScreen | None = None
        self.prepared_taken = 0  # how often Next swapped in a screen built ahead (for bench)
        self._awaiting_draw: Callable[..., None] | None = None
        self._prepare_event: Any = None
        self._answer_trigger = Clock.create_trigger(self._prepare_for_answer, 0.15)

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
        Clock.schedule_interval(self._poll_idle, 0.25)
        if self.settings.sync_interval_seconds > 0:
            Clock.schedule_interval(self._background_sync, self.settings.sync_interval_seconds)
        self.show_locked()
        if self._start_passphrase:
            passphrase, self._start_passphrase = self._start_passphrase, None
            Clock.schedule_once(lambda _dt: self.unlock(passphrase), 0)
        return self.screens

    def _refuse_close(self, *_: Any, **__: Any) -> bool:
        return not self._exit_allowed  # True keeps the window open

    def _on_keyboard(self, _window: Any, key: int, *_: Any) -> bool:
        return key == ESCAPE  # swallowed: Escape and Android back never leave the kiosk

    def _on_any_touch(self, _window: Any, touch: Any) -> bool:
        self.watchdog.touch()
        if self.station is None or isinstance(self.overlay, PinPad) or self.menu is not None:
            return False
        if self.corner.feed(touch.x, touch.y, Window.height):
            self.open_pin_pad()
            return True
        return False

    def on_stop(self) -> None:
        for task in self.tasks.values():
            task.join(timeout=10)
        self._abandon_respondent()
        if self.station is not None:
            self.station.close()
            self.station = None

    # --- screens -----------------------------------------------------------------------------

    @property
    def ui_language(self) -> str:
        return self.language or self.settings.coordinator_language

    def _show(self, screen: Screen) -> Screen:
        """Show a freshly built screen; the previous one is dropped with its widgets."""
        self._screen_count += 1
        screen.name = f"{type(screen).__name__}-{self._screen_count}"
        self.screens.show(screen)
        return screen

    def _close_overlay(self) -> None:
        if self.overlay is not None:
            overlay, self.overlay = self.overlay, None
            overlay.dismiss(animation=False)
        if self.idle_warning is not None:
            warning, self.idle_warning = self.idle_warning, None
            warning.dismiss(animation=False)

    def _open_overlay(self, overlay: ModalView) -> None:
        self._close_overlay()
        self.overlay = overlay
        overlay.open(animation=False)

    def show_locked(self) -> None:
        self.watchdog.disarm()
        language = self.settings.coordinator_language
        self._show(LockedScreen(language=language, rtl=language == "ar", on_unlock=self.unlock))

    def show_welcome(self) -> None:
        self._cancel_thanks_timer()
        self._close_overlay()
        self._abandon_respondent()
        self.menu = None
        self.language = None
        self.watchdog.disarm()
        station = self._require_station()
        default = station.languages[0]
        spec = station.specs()[0]
        self._show(
            WelcomeScreen(
                title=spec.text(spec.title, default),
                languages=self._languages(),
                on_language=self.choose_language,
            )
        )

    def _languages(self) -> list[Language]:
        station = self._require_station()
        found: dict[str, Language] = {}
        for spec in station.specs():
            for language in spec.languages:
                found.setdefault(language.code, language)
        return [found[code] for code in station.languages if code in found]

    def _require_station(self) -> Station:
        if self.station is None:
            raise RuntimeError("the station is locked")
        return self.station

    # --- unlocking ---------------------------------------------------------------------------

    def unlock(self, passphrase: str) -> None:
        screen = self.screens.current_screen
        if isinstance(screen, LockedScreen):
            screen.busy = True
            screen.message = words.text("unlocking", self.ui_language)
        station_dir, open_station = self.station_dir, self._open_station
        self.tasks["unlock"].start(
            lambda: open_station(station_dir, passphrase),
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

    # --- the respondent ----------------------------------------------------------------------

    def choose_language(self, language: str) -> None:
        station = self._require_station()
        self.language = language
        self.watchdog.arm()
        populations = station.populations
        if len(populations) == 1:
            self.start_session(populations[0])
            return
        choices = []
        for population in populations:
            spec = station.spec_for(population)
            label = spec.population(population).label
            choices.append((population, spec.text(label, language)))
        self._show(
            PopulationScreen(
                language=language,
                rtl=self._is_rtl(language),
                choices=choices,
                on_population=self.start_session,
                on_back=self.show_welcome,
            )  # fmt: skip
        )

    def _is_rtl(self, language: str) -> bool:
        return any(lang.code == language and lang.rtl for lang in self._languages())

    def start_session(self, population: str) -> None:
        station = self._require_station()
        spec = station.spec_for(population)
        language = self.language if self.language in spec.language_codes else None
        self.language = language or spec.default_language
        self.flow = SurveyFlow(station.new_session(population, self.language))
        self.watchdog.arm()
        self.show_question()

    def show_question(self, *, carry: Any = None, error: str = "") -> None:
        assert self.flow is not None
        view = self.flow.view(carry=carry, error=error)
        self._show(self._take_prepared(view) or self._question_screen(view))
        self._prepare_after_draw()

    def _question_screen(self, view: QuestionView) -> QuestionScreen:
        return QuestionScreen(
            view,
            on_next=self.next_pressed,
            on_back=self.back_pressed,
            on_language=self.open_language_picker,
            on_answer=self._answer_trigger,
        )  # fmt: skip

    def next_pressed(self) -> None:
        screen = self.screens.current_screen
        if self.flow is None or not isinstance(screen, QuestionScreen):
            return
        question = screen.view.question
        try:
            self.flow.answer(parse_answer(question, screen.answer_value()))
            more = self.flow.advance()
        except AnswerProblem as problem:
            screen.error_text = problem.message(self.flow.spec, self.flow.language)
            return
        if more:
            self.show_question()
            self._save_draft_soon()
        else:
            self.finish_session()

    def back_pressed(self) -> None:
        screen = self.screens.current_screen
        if self.flow is None or not isinstance(screen, QuestionScreen):
            return
        if self.flow.retreat():
            self.show_question()

    def _save_draft_soon(self) -> None:
        # after the next frame is drawn: the respondent sees the question without waiting
        # for the store's fsync
        flow = self.flow

        def save(_dt: float) -> None:
            if self.flow is flow and flow is not None and self.station is not None:
                try:
                    self.station.save_draft(flow.session)
                except Exception as error:  # the draft is a safety net; the survey goes on
                    self.draft_problem = type(error).__name__  # the name only: no answers

        Clock.schedule_once(save, 0.05)

    def finish_session(self) -> None:
        assert self.flow is not None and self.station is not None
        flow, self.flow = self.flow, None
        self._forget_prepared()
        language = flow.language
        try:
            self.station.finish(flow.session)
        except StationError as error:
            self.flow = flow
            self.show_question(error=str(error))
            return
        self.watchdog.disarm()
        self._show(ThanksScreen(language=language, rtl=self._is_rtl(language)))
        self._thanks_timer = Clock.schedule_once(
            lambda _dt: self.show_welcome(), self.settings.thanks_seconds
        )

    def _cancel_thanks_timer(self) -> None:
        if self._thanks_timer is not None:
            self._thanks_timer.cancel()
            self._thanks_timer = None

    def open_language_picker(self) -> None:
        if self.flow is None:
            return
        self._open_overlay(
            LanguagePicker(
                languages=self.flow.spec.languages,
                current=self.flow.language,
                on_language=self.change_language,
            )  # fmt: skip
        )

    def change_language(self, language: str) -> None:
        self._close_overlay()
        screen = self.screens.current_screen
        if self.flow is None:
            return
        carry = screen.value if isinstance(screen, QuestionScreen) else None
        self.flow.set_language(language)
        self.language = language
        self.show_question(carry=carry)

    def _abandon_respondent(self) -> None:
        """Abandon the session as the spec says, and forget every trace of it in the UI."""
        flow, self.flow = self.flow, None
        self._forget_prepared()
        if flow is not None and self.station is not None:
            # a failure here is nothing the next respondent could act on; the store is sealed
            with contextlib.suppress(StationError):
                self.station.abandon(flow.session)
        ShapedLabel.forget_measurements()  # the width cache has seen the typed text

    # --- the next question, built ahead of time ---------------------------------------------

    def _prepare_after_draw(self) -> None:
        """Once the question now shown is drawn, build the screen Next will lead to."""
        self._forget_prepared()
        if not self.settings.build_ahead:
            return
        flow = self.flow

        def drawn(*_: Any) -> None:
            self._stop_awaiting_draw()
            # on the next tick: this frame is already on screen, the build delays nothing
            self._prepare_event = Clock.schedule_once(lambda _dt: self._prepare_next(flow), 0)

        self._awaiting_draw = drawn
        Window.bind(on_flip=drawn)

    def _prepare_for_answer(self, _dt: float) -> None:
        """The respondent changed the answer: the next question may be another one now."""
        flow, screen = self.flow, self.screens.current_screen
        if flow is None or not isinstance(screen, QuestionScreen) or not self.settings.build_ahead:
            return
        try:
            answer = parse_answer(screen.view.question, screen.answer_value())
        except AnswerProblem:
            return  # not an answer Next would take; the screen built for the held one stays
        self._prepare_next(flow, answer)

    def _prepare_next(self, flow: SurveyFlow | None, answer: Any = HELD) -> None:
        self._prepare_event = None
        if flow is None or flow is not self.flow:
            return  # the respondent has gone (finished, timed out) since this was asked for
        try:
            view = flow.preview(answer)
        except SessionClosed:
            return
        if view is None:
            self.prepared = None  # Next finishes: no question screen to build
            return
        if self.prepared is not None and self.prepared.shows(view):
            return
        screen = self._question_screen(view)
        # laid out off screen at the stage's size, so that showing it costs no layout pass
        screen.size, screen.pos = self.screens.size, self.screens.pos
        self.prepared = screen
        # layout, shaping and texture sizes settle before the next frame; the text itself is
        # drawn into the textures on the tick after
        self._prepare_event = Clock.schedule_once(lambda _dt: self._finish_prepared(screen), 0)

    def _finish_prepared(self, screen: QuestionScreen) -> None:
        self._prepare_event = None
        if screen is not self.prepared:
            return
        screen.render_text()
        # the screens dropped so far are garbage with reference cycles: collect them now,
        # while the respondent reads, rather than in the middle of the next Next
        gc.collect()

    def _take_prepared(self, view: QuestionView) -> QuestionScreen | None:
        """The screen built ahead, if it is for exactly this view; it is used once at most."""
        prepared = self.prepared
        self._forget_prepared()
        if prepared is None or not prepared.shows(view):
            return None
        prepared.place(view)
        self.prepared_taken += 1
        return prepared

    def _forget_prepared(self) -> None:
        self._stop_awaiting_draw()
        if self._prepare_event is not None:
            self._prepare_event.cancel()
            self._prepare_event = None
        self._answer_trigger.cancel()
        self.prepared = None

    def _stop_awaiting_draw(self) -> None:
        if self._awaiting_draw is not None:
            Window.unbind(on_flip=self._awaiting_draw)
            self._awaiting_draw = None

    # --- inactivity --------------------------------------------------------------------------

    def _poll_idle(self, _dt: float) -> None:
        state = self.watchdog.poll()
        if state.phase is IdlePhase.WARNING:
            if self.idle_warning is None:
                language = self.ui_language
                self.idle_warning = IdleWarning(
                    language=language, rtl=self._is_rtl_safe(language),
                    on_continue=self._continue_after_warning,
                )  # fmt: skip
                self.idle_warning.open(animation=False)
            self.idle_warning.show_remaining(state.remaining)
        elif state.phase is IdlePhase.EXPIRED:
            self.idle_timeout()
        elif self.idle_warning is not None:
            warning, self.idle_warning = self.idle_warning, None
            warning.dismiss(animation=False)

    def _is_rtl_safe(self, language: str) -> bool:
        return self.station is not None and self._is_rtl(language)

    def _continue_after_warning(self) -> None:
        self.watchdog.touch()
        if self.idle_warning is not None:
            warning, self.idle_warning = self.idle_warning, None
            warning.dismiss(animation=False)

    def idle_timeout(self) -> None:
        """Nobody is there: abandon the session, back to a fresh Welcome."""
        self._close_overlay()
        if self.station is None:
            self.show_locked()
        else:
            self.show_welcome()

    # --- the coordinator ---------------------------------------------------------------------

    def open_pin_pad(self) -> None:
        language = self.ui_language
        self.watchdog.arm()
        self._open_overlay(
            PinPad(
                language=language,
                rtl=self._is_rtl_safe(language),
                on_pin=self._check_pin,
                on_cancel=self._pin_cancelled,
            )  # fmt: skip
        )

    def _pin_cancelled(self) -> None:
        self._close_overlay()
        if self.flow is None:
            self.watchdog.disarm()

    def _check_pin(self, pin: str) -> None:
        station = self._require_station()
        pad = self.overlay

        def failed(error: BaseException) -> None:
            if isinstance(pad, PinPad):
                if isinstance(error, PinLocked):
                    pad.locked(error.seconds)
                else:
                    pad.wrong()

        def done(right: bool) -> None:
            if not right:
                failed(ValueError("wrong PIN"))
            elif pad is self.overlay:
                self._close_overlay()
                self.open_menu()

        self.tasks["pin"].start(lambda: station.verify_pin(pin), done=done, failed=failed)

    def open_menu(self) -> None:
        language = self.ui_language
        self.watchdog.arm()  # a menu left open closes itself like an abandoned survey
        self.menu = CoordinatorScreen(
            language=language,
            rtl=self._is_rtl_safe(language),
            actions={
                "sync": self.sync_now,
                "export": self.choose_export_folder,
                "lock": self.lock_station,
                "exit": self.exit_kiosk,
                "close": self.close_menu,
            },
        )
        self._show(self.menu)
        self.menu.busy = self.tasks["sync"].running or self.tasks["export"].running
        self.refresh_status()

    def refresh_status(self) -> None:
        if self.menu is not None and self.station is not None:
            self.menu.status_text = "\n".join(
                status_lines(self.station.status(), self.menu.language)
            )

    def close_menu(self) -> None:
        self.menu = None
        if self.flow is not None:
            self.show_question()
        else:
            self.show_welcome()

    def sync_now(self) -> None:
        station = self._require_station()
        menu = self.menu
        if menu is None:
            return
        language = menu.language
        progress = on_ui_thread(self._sync_progress)

        def done(_report: Any) -> None:
            self._menu_activity(words.text("sync_done", language))

        def failed(error: BaseException) -> None:
            self._menu_activity(words.text("sync_failed", language, reason=str(error)))

        started = self.tasks["sync"].start(
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
        self._open_overlay(
            ExportFolderChooser(
                language=menu.language,
                rtl=menu.rtl,
                start=self.settings.export_start_dir,
                on_folder=self.export_to,
            )  # fmt: skip
        )

    def export_to(self, folder: Path) -> None:
        self.overlay = None
        station = self._require_station()
        menu = self.menu
        if menu is None:
            return
        language = menu.language

        def done(report: Any) -> None:
            self._menu_activity(words.text("export_done", language, path=report.directory))

        def failed(error: BaseException) -> None:
            self._menu_activity(words.text("export_failed", language, reason=str(error)))

        if self.tasks["export"].start(lambda: station.export_usb(folder), done=done, failed=failed):
            menu.busy = True

    def lock_station(self) -> None:
        if self.tasks["sync"].running or self.tasks["export"].running:
            return
        self._abandon_respondent()
        self.menu = None
        if self.station is not None:
            self.station.close()
            self.station = None
            gc.unfreeze()  # the closed station may go now; the next unlock freezes again
        self.language = None
        self.show_locked()

    def exit_kiosk(self) -> None:
        if self.tasks["sync"].running or self.tasks["export"].running:
            return
        self._exit_allowed = True
        self.stop()

    # --- between respondents -----------------------------------------------------------------

    def _background_sync(self, _dt: float) -> None:
        """Idle on Welcome: send what is waiting, quietly (skipped if a sync is running)."""
        if self.station is None or self.overlay is not None:
            return
        if not isinstance(self.screens.current_screen, WelcomeScreen):
            return
        station = self.station

        def noted(result: Any) -> None:
            self.last_background_sync = result

        self.tasks["sync"].start(station.sync, done=noted, failed=noted)
