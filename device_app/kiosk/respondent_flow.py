"""The respondent at the screen: from a language on Welcome to the thank-you screen.

Screens are thrown away and built anew for every question and every respondent, so no widget
can carry an answer to the next person; the question Next will most likely show is built
ahead (prepared_screens.py). A respondent who walks away is warned, then abandoned.
"""

from __future__ import annotations

import contextlib
from typing import Any

from device_app.errors import StationError
from device_app.kiosk.answers import AnswerRefused, parse_answer
from device_app.kiosk.idle import IdlePhase, IdleWatchdog
from device_app.kiosk.navigation import Navigation
from device_app.kiosk.prepared_screens import PreparedScreens
from device_app.kiosk.screens.idle_warning import IdleWarning
from device_app.kiosk.screens.languages import LanguagePicker
from device_app.kiosk.screens.population import PopulationScreen
from device_app.kiosk.screens.question import QuestionScreen
from device_app.kiosk.screens.thanks import ThanksScreen
from device_app.kiosk.settings import KioskSettings
from device_app.kiosk.survey import QuestionView, SurveyFlow
from device_app.kiosk.widgets import ShapedLabel


class RespondentFlow:
    def __init__(
        self,
        nav: Navigation,
        *,
        clock: Any,  # Kivy's Clock
        window: Any,  # Kivy's Window
        watchdog: IdleWatchdog,
        settings: KioskSettings,
    ) -> None:
        self._nav = nav
        self._clock = clock
        self._watchdog = watchdog
        self._settings = settings
        self.flow: SurveyFlow | None = None  # the respondent at the screen, if any
        self.language: str | None = None  # the respondent's language
        self.draft_problem: str | None = None
        self.idle_warning: IdleWarning | None = None
        self._thanks_timer: Any = None
        self.prepared = PreparedScreens(
            nav, clock=clock, window=window, enabled=settings.build_ahead,
            build=self._question_screen, current_flow=lambda: self.flow,
        )  # fmt: skip

    # --- from Welcome to the questions -------------------------------------------------------

    def choose_language(self, language: str) -> None:
        station = self._nav.require_station()
        self.language = language
        self._watchdog.arm()
        populations = station.populations
        if len(populations) == 1:
            self.start_session(populations[0])
            return
        choices = []
        for population in populations:
            spec = station.spec_for(population)
            label = spec.population(population).label
            choices.append((population, spec.text(label, language)))
        self._nav.show(
            PopulationScreen(
                language=language,
                rtl=self._nav.is_rtl(language),
                choices=choices,
                on_population=self.start_session,
                on_back=self._nav.show_welcome,
            )  # fmt: skip
        )

    def start_session(self, population: str) -> None:
        station = self._nav.require_station()
        spec = station.spec_for(population)
        language = self.language if self.language in spec.language_codes else None
        self.language = language or spec.default_language
        self.flow = SurveyFlow(station.new_session(population, self.language))
        self._watchdog.arm()
        self.show_question()

    # --- one question after another ----------------------------------------------------------

    def show_question(self, *, carry: Any = None, error: str = "") -> None:
        assert self.flow is not None
        view = self.flow.view(carry=carry, error=error)
        self._nav.show(self.prepared.take(view) or self._question_screen(view))
        self.prepared.after_draw()

    def _question_screen(self, view: QuestionView) -> QuestionScreen:
        return QuestionScreen(
            view,
            on_next=self.next_pressed,
            on_back=self.back_pressed,
            on_language=self.open_language_picker,
            on_answer=self.prepared.answer_changed,
        )  # fmt: skip

    def next_pressed(self) -> None:
        screen = self._nav.screens.current_screen
        if self.flow is None or not isinstance(screen, QuestionScreen):
            return
        question = screen.view.question
        try:
            self.flow.answer(parse_answer(question, screen.answer_value()))
            more = self.flow.advance()
        except AnswerRefused as problem:
            screen.error_text = problem.message(self.flow.spec, self.flow.language)
            return
        if more:
            self.show_question()
            self._save_draft_soon()
        else:
            self.finish_session()

    def back_pressed(self) -> None:
        screen = self._nav.screens.current_screen
        if self.flow is None or not isinstance(screen, QuestionScreen):
            return
        if self.flow.retreat():
            self.show_question()

    def _save_draft_soon(self) -> None:
        # after the next frame is drawn: the respondent sees the question without waiting
        # for the store's fsync
        flow = self.flow

        def save(_dt: float) -> None:
            station = self._nav.station
            if self.flow is flow and flow is not None and station is not None:
                try:
                    station.save_draft(flow.session)
                except Exception as error:  # the draft is a safety net; the survey goes on
                    self.draft_problem = type(error).__name__  # the name only: no answers

        self._clock.schedule_once(save, 0.05)

    def finish_session(self) -> None:
        station = self._nav.station
        assert self.flow is not None and station is not None
        flow, self.flow = self.flow, None
        self.prepared.forget()
        language = flow.language
        try:
            station.finish(flow.session)
        except StationError as error:
            self.flow = flow
            self.show_question(error=str(error))
            return
        self._watchdog.disarm()
        self._nav.show(ThanksScreen(language=language, rtl=self._nav.is_rtl(language)))
        self._thanks_timer = self._clock.schedule_once(
            lambda _dt: self._nav.show_welcome(), self._settings.thanks_seconds
        )

    def cancel_thanks_timer(self) -> None:
        if self._thanks_timer is not None:
            self._thanks_timer.cancel()
            self._thanks_timer = None

    # --- another language, mid-question ------------------------------------------------------

    def open_language_picker(self) -> None:
        if self.flow is None:
            return
        self._nav.open_overlay(
            LanguagePicker(
                languages=self.flow.spec.languages,
                current=self.flow.language,
                on_language=self.change_language,
            )  # fmt: skip
        )

    def unconfirmed_answer(self) -> Any:
        """The answer on the question screen, picked but not yet confirmed with Next (None
        when no question is on screen): the coordinator menu keeps it while it is open."""
        screen = self._nav.screens.current_screen
        return (
            screen.value if self.flow is not None and isinstance(screen, QuestionScreen) else None
        )

    def change_language(self, language: str) -> None:
        self._nav.close_overlay()
        if self.flow is None:
            return
        carry = self.unconfirmed_answer()
        self.flow.set_language(language)
        self.language = language
        self.show_question(carry=carry)

    # --- the respondent goes -----------------------------------------------------------------

    def abandon(self) -> None:
        """Abandon the session as the spec says, and forget every trace of it in the UI,
        the respondent's language included."""
        flow, self.flow = self.flow, None
        self.prepared.forget()
        station = self._nav.station
        if flow is not None and station is not None:
            # a failure here is nothing the next respondent could act on; the store is sealed
            with contextlib.suppress(StationError):
                station.abandon(flow.session)
        ShapedLabel.forget_measurements()  # the width cache has seen the typed text
        self.language = None

    def watch_idle(self, _dt: float) -> None:
        """Polled on the clock: warn after a while without a touch, then time out."""
        state = self._watchdog.poll()
        if state.phase is IdlePhase.WARNING:
            if self.idle_warning is None:
                language = self._nav.ui_language
                self.idle_warning = IdleWarning(
                    language=language, rtl=self._nav.is_rtl_safe(language),
                    on_continue=self._continue_after_warning,
                )  # fmt: skip
                self.idle_warning.open(animation=False)
            self.idle_warning.show_remaining(state.remaining)
        elif state.phase is IdlePhase.EXPIRED:
            self.idle_timeout()
        else:
            self.dismiss_idle_warning()

    def dismiss_idle_warning(self) -> None:
        if self.idle_warning is not None:
            warning, self.idle_warning = self.idle_warning, None
            warning.dismiss(animation=False)

    def _continue_after_warning(self) -> None:
        self._watchdog.touch()
        self.dismiss_idle_warning()

    def idle_timeout(self) -> None:
        """Nobody is there: abandon the session, back to a fresh Welcome."""
        self._nav.close_overlay()
        if self._nav.station is None:
            self._nav.show_locked()
        else:
            self._nav.show_welcome()
