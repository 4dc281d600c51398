"""The next question's screen, built ahead of time while the respondent reads.

Building a question screen takes tens of milliseconds, so the one Next will most likely show
is built once the current question is drawn; Next swaps it in if it is exactly the screen
needed (else the flow builds afresh). It has never been shown, it is used once at most, and
it is dropped with the respondent.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from device_app.kiosk.answers import AnswerRefused, parse_answer
from device_app.kiosk.navigation import Navigation
from device_app.kiosk.screens.question import QuestionScreen
from device_app.kiosk.survey import HELD, QuestionView, SurveyFlow
from device_app.session import SessionClosed


class PreparedScreens:
    def __init__(
        self,
        nav: Navigation,
        *,
        clock: Any,  # Kivy's Clock: schedule_once, create_trigger
        window: Any,  # Kivy's Window: its on_flip says a frame is on screen
        enabled: bool,
        build: Callable[[QuestionView], QuestionScreen],
        current_flow: Callable[[], SurveyFlow | None],
    ) -> None:
        self._nav = nav
        self._clock = clock
        self._window = window
        self._enabled = enabled
        self._build = build
        self._current_flow = current_flow
        self.screen: QuestionScreen | None = None  # built ahead, never shown until taken
        self.taken = 0  # how often Next swapped in a screen built ahead (for bench)
        self._awaiting_draw: Callable[..., None] | None = None
        self._event: Any = None
        # the question screens call this when the respondent changes the answer
        self.answer_changed = clock.create_trigger(self._for_answer, 0.15)

    def after_draw(self) -> None:
        """Once the question now shown is drawn, build the screen Next will lead to."""
        self.forget()
        if not self._enabled:
            return
        flow = self._current_flow()

        def drawn(*_: Any) -> None:
            self._stop_awaiting_draw()
            # on the next tick: this frame is already on screen, the build delays nothing
            self._event = self._clock.schedule_once(lambda _dt: self._build_next(flow), 0)

        self._awaiting_draw = drawn
        self._window.bind(on_flip=drawn)

    def _for_answer(self, _dt: float) -> None:
        """The respondent changed the answer: the next question may be another one now."""
        flow, screen = self._current_flow(), self._nav.screens.current_screen
        if flow is None or not isinstance(screen, QuestionScreen) or not self._enabled:
            return
        try:
            answer = parse_answer(screen.view.question, screen.answer_value())
        except AnswerRefused:
            return  # not an answer Next would take; the screen built for the held one stays
        self._build_next(flow, answer)

    def _build_next(self, flow: SurveyFlow | None, answer: Any = HELD) -> None:
        self._event = None
        if flow is None or flow is not self._current_flow():
            return  # the respondent has gone (finished, timed out) since this was asked for
        try:
            view = flow.preview(answer)
        except SessionClosed:
            return
        if view is None:
            self.screen = None  # Next finishes: no question screen to build
            return
        if self.screen is not None and self.screen.shows(view):
            return
        screen = self._build(view)
        # laid out off screen at the stage's size, so that showing it costs no layout pass
        stage = self._nav.screens
        screen.size, screen.pos = stage.size, stage.pos
        self.screen = screen
        # layout, shaping and texture sizes settle before the next frame; the text itself is
        # drawn into the textures on the tick after
        self._event = self._clock.schedule_once(lambda _dt: self._render(screen), 0)

    def _render(self, screen: QuestionScreen) -> None:
        self._event = None
        if screen is not self.screen:
            return
        screen.render_text()
        # the screens dropped so far are garbage with reference cycles: collect them now,
        # while the respondent reads, rather than in the middle of the next Next
        gc.collect()

    def take(self, view: QuestionView) -> QuestionScreen | None:
        """The screen built ahead, if it is for exactly this view; it is used once at most."""
        prepared = self.screen
        self.forget()
        if prepared is None or not prepared.shows(view):
            return None
        prepared.place(view)
        self.taken += 1
        return prepared

    def forget(self) -> None:
        self._stop_awaiting_draw()
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.answer_changed.cancel()
        self.screen = None

    def _stop_awaiting_draw(self) -> None:
        if self._awaiting_draw is not None:
            self._window.unbind(on_flip=self._awaiting_draw)
            self._awaiting_draw = None
