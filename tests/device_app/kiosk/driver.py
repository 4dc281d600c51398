"""Run the real kiosk in this process and drive it through one scenario by touch.

    python -m tests.device_app.kiosk.driver SCENARIO --station-dir D --out result.json [...]

The kiosk tests start this under their own Xvfb display, one process per scenario (Kivy
runs one App per process), and read the JSON it writes. The coordinator passphrase comes
from MSS_STATION_PASSPHRASE like in production, unless the scenario types it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from device_app.kiosk.launch import build_app, prepare_kivy
from device_app.kiosk.settings import KioskSettings

SCENARIOS: dict[str, Callable[..., Any]] = {}


def scenario(function: Callable[..., Any]) -> Callable[..., Any]:
    SCENARIOS[function.__name__] = function
    return function


# --- respondents ----------------------------------------------------------------------------


def answer_current(p: Any, *, word: str, check_messages: bool, results: dict[str, Any]) -> Any:
    """Answer the question on screen the way a respondent would, by touch."""
    from questionnaire_specs.models import QuestionType

    screen = p.app.screens.current_screen
    question = screen.view.question
    language = screen.language
    kind = question.type
    if kind is QuestionType.SINGLE_CHOICE:
        options = screen.view.spec.options_for(question)
        p.tap(f"option-{options[0].code}")
    elif kind is QuestionType.LIKERT:
        p.tap("option-4")
    elif kind is QuestionType.MULTI_CHOICE:
        for code in (1, 2, 3):
            p.tap(f"option-{code}")
        yield 0.02
        if check_messages and question.constraint:
            p.tap("next")  # three picked: the constraint allows two
            yield p.when(lambda: bool(p.app.screens.current_screen.error_text), "constraint")
            shown = p.app.screens.current_screen.error_text
            expected = screen.view.spec.text(question.constraint_message, language)
            results.setdefault("constraint_messages", {})[language] = shown == expected
        p.tap("option-3")
    elif kind is QuestionType.NUMBER:
        if check_messages and question.required:
            p.tap("next")  # nothing typed yet: the required message, in the language
            yield p.when(lambda: bool(p.app.screens.current_screen.error_text), "required")
            results.setdefault("required_messages", {})[language] = (
                p.app.screens.current_screen.error_text
            )
        p.tap("digit-1")
        p.tap("digit-2")
    elif kind is QuestionType.TEXT:
        for char in word:
            p.tap(f"key-{char}")
        p.tap("key-space")
        p.tap("key-delete")
    yield 0.02


def complete_response(p: Any, language: str, *, word: str, results: dict[str, Any],
                      switch_language_to: str | None = None) -> Any:  # fmt: skip
    """From Welcome to the thank-you screen in ``language``."""
    yield p.on_screen("WelcomeScreen")
    results["welcome_titles"] = p.app.screens.current_screen.titles_shown()
    p.tap(f"lang-{language}")
    yield 0.02
    if p.has("population-officials"):
        p.tap("population-officials")
    yield p.on_screen("QuestionScreen")
    switched = False
    seen = 0
    while p.screen_name() == "QuestionScreen":
        screen = p.app.screens.current_screen
        seen += 1
        if seen > 200:
            raise AssertionError("the survey does not end")
        # what the respondent reads on this question: the progress line and the button
        results.setdefault("screens", {}).setdefault(language, []).append(
            [screen.view.question.id, screen.progress_text, screen.next_text]
        )
        yield from answer_current(p, word=word, check_messages=True, results=results)
        question = screen.view.question
        if switch_language_to and not switched and question.type.value == "likert":
            # change language mid-question: the picked answer must survive
            p.tap("language")
            yield p.visible(f"pick-{switch_language_to}")
            results["picker_title"] = p.app.overlay.title_text
            p.tap(f"pick-{switch_language_to}")
            yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "rebuilt")
            now = p.app.screens.current_screen
            results["switched_language"] = now.language
            results["kept_answer"] = [b.key for _, b in now._choices if b.selected]
            results["switched_text"] = now.question_text
            p.tap("language")  # and back to the respondent's own language
            yield p.visible(f"pick-{language}")
            p.tap(f"pick-{language}")
            yield p.when(lambda n=now: p.app.screens.current_screen is not n, "rebuilt again")
            screen = p.app.screens.current_screen
            results["kept_after_return"] = [b.key for _, b in screen._choices if b.selected]
            switched = True
        p.tap("next")
        yield p.when(
            lambda s=screen: p.app.screens.current_screen is not s or bool(s.error_text),
            "next screen",
        )
        if p.app.screens.current_screen is screen and screen.error_text:
            raise AssertionError(f"refused: {screen.error_text}")
    yield p.on_screen("ThanksScreen")


@scenario
def complete(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    languages = args.languages.split(",")
    results["pending"] = []
    for language in languages:
        word = args.word if language != "ar" else "سلام"
        switch = "fr" if language == "en" else None
        yield from complete_response(p, language, word=word, results=results,
                                     switch_language_to=switch)  # fmt: skip
        results["pending"].append(p.app.station.status().pending)
        yield p.on_screen("WelcomeScreen")  # the thank-you screen returns on its own


# --- inactivity -----------------------------------------------------------------------------


@scenario
def inactivity(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    from kivy.core.window import Window

    from miniatures.kiosk_pilot import answer_traces

    yield p.on_screen("WelcomeScreen")
    # the kiosk lock: Escape, Android back and a close request change nothing
    Window.dispatch("on_key_down", 27, 41, None, [])
    Window.dispatch("on_keyboard", 27, 41, None, [])
    results["close_refused"] = bool(Window.dispatch("on_request_close"))
    yield 0.3
    results["after_escape"] = p.screen_name()
    p.tap("lang-en")
    yield 0.02
    if p.has("population-officials"):
        p.tap("population-officials")
    yield p.on_screen("QuestionScreen")
    answered = 0
    while answered < 8 and p.screen_name() == "QuestionScreen":
        screen = p.app.screens.current_screen
        yield from answer_current(p, word=args.word, check_messages=False, results=results)
        if screen.view.question.type.value == "text":
            break  # leave the typed word on screen, unsent
        p.tap("next")
        yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "next screen")
        answered += 1
    results["typed"] = p.app.screens.current_screen.value == args.word
    results["traces_before"] = answer_traces(p.app, [args.word])
    # first warning: Continue keeps everything
    yield p.when(lambda: p.app.respondent.idle_warning is not None, "idle warning")
    p.tap("continue")
    yield p.when(lambda: p.app.respondent.idle_warning is None, "warning gone")
    results["kept_after_continue"] = p.app.screens.current_screen.value == args.word
    # second warning: let it run out
    yield p.when(lambda: p.app.respondent.idle_warning is not None, "idle warning again")
    yield p.on_screen("WelcomeScreen")
    yield 0.2
    screen = None  # the pilot's own hold on the old screen must not count as a trace
    results["traces_after"] = answer_traces(p.app, [args.word])
    results["pending"] = p.app.station.status().pending
    # Escape on Welcome again: still here
    Window.dispatch("on_keyboard", 27, 41, None, [])
    yield 0.2
    results["final_screen"] = p.screen_name()


# --- the coordinator ------------------------------------------------------------------------


def corner_taps(p: Any) -> Any:
    from kivy.core.window import Window
    from kivy.metrics import dp

    for _ in range(5):
        p.tap_at(dp(10), Window.height - dp(10))
        yield 0.05


def enter_pin(p: Any, pin: str) -> Any:
    yield p.visible("pin-ok")
    for digit in pin:
        p.tap(f"digit-{digit}")
    p.tap("pin-ok")
    yield 0.02


def ok_is_left_of_cancel(p: Any) -> bool:
    ok, cancel = p.find("pin-ok"), p.find("pin-cancel")
    return ok.to_window(*ok.center)[0] < cancel.to_window(*cancel.center)[0]


@scenario
def coordinator(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    from pathlib import Path

    yield from complete_response(p, "en", word=args.word, results=results)
    yield p.on_screen("WelcomeScreen")
    results["pending_before"] = p.app.station.status().pending
    yield from corner_taps(p)
    yield p.visible("pin-ok")
    yield 0.05  # laid out
    results["ok_left_of_cancel"] = ok_is_left_of_cancel(p)
    yield from enter_pin(p, "0000")
    pad = p.app.overlay
    yield p.when(lambda: bool(pad.message) or p.app.coordinator.menu is not None, "PIN checked")
    results["wrong_pin_menu"] = p.app.coordinator.menu is not None
    results["wrong_pin_message"] = pad.message
    p.tap("pin-cancel")
    yield 0.05
    yield from corner_taps(p)
    yield from enter_pin(p, args.pin)
    yield p.on_screen("CoordinatorScreen")
    results["right_pin_menu"] = True
    results["status_text"] = p.app.coordinator.menu.status_text
    # Export to USB: the folder chooser opens where the kiosk was told (the Kivy home here)
    p.tap("export-usb")
    yield p.visible("export-here")
    p.tap("export-here")
    yield p.when(
        lambda: not p.app.coordinator.menu.busy and p.app.coordinator.menu.activity_text,
        "export finished",
    )
    results["export_activity"] = p.app.coordinator.menu.activity_text
    results["exported_files"] = sorted(
        str(path.relative_to(args.kivy_home)) for path in Path(args.kivy_home).rglob("*")
        if path.is_file() and path.suffix not in (".ini", ".png")
    )  # fmt: skip
    results["pending_after_export"] = p.app.station.status().pending
    p.tap("sync-now")
    yield p.when(
        lambda: not p.app.coordinator.menu.busy and p.app.coordinator.menu.activity_text,
        "sync finished",
    )
    results["sync_activity"] = p.app.coordinator.menu.activity_text
    status = p.app.station.status()
    results["after_sync"] = {"pending": status.pending, "acknowledged": status.acknowledged}
    p.tap("lock-station")
    yield p.on_screen("LockedScreen")
    results["locked_after_lock"] = p.app.station is None


@scenario
def menu_mid_survey(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    """A coordinator opens the menu while a respondent has picked an answer but not pressed
    Next, and closes it: the pick is still there."""
    yield p.on_screen("WelcomeScreen")
    p.tap("lang-en")
    yield 0.02
    if p.has("population-officials"):
        p.tap("population-officials")
    yield p.on_screen("QuestionScreen")
    while p.app.screens.current_screen.view.question.type.value != "likert":
        screen = p.app.screens.current_screen
        yield from answer_current(p, word=args.word, check_messages=False, results=results)
        p.tap("next")
        yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "next screen")
    question = p.app.screens.current_screen.view.question.id
    p.tap("option-2")  # picked, not confirmed
    yield 0.05
    yield from corner_taps(p)
    yield from enter_pin(p, args.pin)
    yield p.on_screen("CoordinatorScreen")
    p.tap("close-menu")
    yield p.on_screen("QuestionScreen")
    screen = p.app.screens.current_screen
    results["question_after_menu"] = [question, screen.view.question.id]
    results["picked_after_menu"] = [b.key for _, b in screen._choices if b.selected]


@scenario
def lockout(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    """Five wrong PINs lock the pad; the lock counts down; the right PIN is refused meanwhile."""
    yield p.on_screen("WelcomeScreen")
    yield from corner_taps(p)
    pad = p.app.overlay
    results["wrong_messages"] = []
    for _ in range(5):
        yield from enter_pin(p, "0000")
        yield p.when(lambda: not pad.busy and bool(pad.message), "PIN checked")
        results["wrong_messages"].append(pad.message)
    yield from enter_pin(p, args.pin)  # the right PIN, but the pad is locked now
    yield p.when(lambda: not pad.busy and pad.locked_seconds > 0, "locked")
    results["locked_message"] = pad.message
    results["menu_while_locked"] = p.app.coordinator.menu is not None
    yield 2.2
    results["message_later"] = pad.message
    results["menu_after_wait"] = p.app.coordinator.menu is not None
    p.tap("pin-cancel")
    yield p.when(lambda: p.app.overlay is None, "pad closed")
    results["countdown_stopped"] = pad._countdown is None


@scenario
def background_sync(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    """Idle on Welcome between respondents, the kiosk sends the outbox on its own."""
    yield from complete_response(p, "en", word=args.word, results=results)
    status = p.app.station.status()
    results["at_thanks"] = {"pending": status.pending, "acknowledged": status.acknowledged}
    yield p.on_screen("WelcomeScreen")
    yield p.when(
        lambda: getattr(p.app.coordinator.last_background_sync, "accepted", 0) >= 1,
        "background sync",
    )
    status = p.app.station.status()
    results["after_idle"] = {"pending": status.pending, "acknowledged": status.acknowledged}
    results["screen_after_sync"] = p.screen_name()


@scenario
def build_ahead(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    """The next question's screen is built while the respondent reads, follows the answer,
    is swapped in by Next, and is dropped when the respondent goes."""
    from device_app import messages as words
    from miniatures.kiosk_pilot import answer_traces

    def prepared_for() -> str | None:
        prepared = p.app.respondent.prepared.screen
        return None if prepared is None else prepared.view.question.id

    yield p.on_screen("WelcomeScreen")
    p.tap("lang-en")
    yield p.on_screen("QuestionScreen")
    p.tap("next")  # past the anonymity note
    yield p.when(lambda: p.app.screens.current_screen.view.question.id == "consent", "consent")
    yield 0.4
    results["ahead_unanswered"] = prepared_for()  # every later question needs a yes
    p.tap("option-1")
    yield 0.4
    results["ahead_after_yes"] = prepared_for()
    p.tap("option-2")
    yield 0.4
    results["ahead_after_no"] = prepared_for()  # No ends the survey: nothing to build
    p.tap("option-1")
    yield 0.4
    ready = p.app.respondent.prepared.screen
    p.tap("next")
    yield p.when(lambda r=ready: p.app.screens.current_screen is r, "the ready screen shown")
    shown = p.app.screens.current_screen
    view = p.app.respondent.flow.view()
    results["taken"] = p.app.respondent.prepared.taken
    results["progress_right"] = shown.progress_text == words.text(
        "progress", "en", n=view.number, total=view.total
    ) and shown.can_go_back  # fmt: skip
    p.tap("option-4")
    p.tap("next")  # to offered_payment
    yield p.when(lambda s=shown: p.app.screens.current_screen is not s, "next screen")
    p.tap("back")  # the screen for lead_example, built afresh, with option-4 picked
    yield p.when(lambda: p.app.screens.current_screen.view.question.id == "lead_example", "back")
    p.tap("back")
    yield p.when(lambda: p.app.screens.current_screen.view.question.id == "consent", "consent")
    yield 0.4
    # built ahead for the answer held: lead_example with option-4 picked (an answer on a
    # screen never shown)
    prepared = p.app.respondent.prepared.screen
    results["ahead_holds"] = [b.key for _, b in prepared._choices if b.selected]
    p.tap("language")
    yield p.visible("pick-fr")
    p.tap("pick-fr")
    yield p.when(lambda: p.app.screens.current_screen.language == "fr", "in French")
    yield 0.4
    results["ahead_language"] = p.app.respondent.prepared.screen.language
    # then the respondent walks away: the screen built ahead must go with everything else
    yield p.when(lambda: p.app.respondent.idle_warning is not None, "idle warning")
    yield p.on_screen("WelcomeScreen")
    yield 0.3
    prepared = ready = shown = None  # the scenario's own holds must not count as traces
    results["prepared_after_timeout"] = p.app.respondent.prepared.screen is not None
    results["traces_after"] = answer_traces(p.app, [])


# --- screenshots ----------------------------------------------------------------------------


def touch_targets(p: Any) -> list[list[Any]]:
    """[key, x, y, width, height] in window pixels of every named touch target on top: a
    modal view's only, when one is open (what lies under it cannot be touched). Answers in
    a scrolled list are left out: they may lie outside the window until scrolled to."""
    from miniatures.kiosk_pilot import in_scroll_view, visible_widgets

    top = p.visible_roots()[0]
    found = []
    for widget in visible_widgets(top):
        key = getattr(widget, "key", "")
        if key and not in_scroll_view(widget):
            x, y = widget.to_window(widget.x, widget.y)
            found.append([key, x, y, widget.width, widget.height])
    return found


def broken_words(widget: Any) -> list[str]:
    """Latin words and numbers of a label's source that no drawn line holds whole: the line
    breaker had to cut them (a column too narrow). Arabic words are drawn as shaped glyphs,
    so only their neighbours are compared."""
    import re

    shown = re.sub(r"\[/?font[^\]]*\]", "", widget.text) if widget.markup else widget.text
    lines = shown.split("\n")
    words = re.findall(r"[A-Za-z0-9_]+", getattr(widget, "source", ""))
    return [word for word in words if not any(word in line for line in lines)]


def clipped_text(p: Any) -> list[str]:
    """Every label on top whose text does not fit it: a drawn line wider than the room
    inside its padding, Kivy breaking a line our shaper laid out (a word cut in two), lines
    taller than the widget, or (outside a scrolled list) the label crossing the window."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from miniatures.kiosk_pilot import in_scroll_view, visible_widgets

    found = []
    for widget in visible_widgets(p.visible_roots()[0]):
        if not isinstance(widget, Label) or not widget.text.strip():
            continue
        if hasattr(widget, "_relayout"):
            widget._relayout()  # a ShapedLabel's lines for its source now (a countdown ticks)
        widget.texture_update()
        name = getattr(widget, "key", "") or widget.text.replace("\n", " ")[:30]
        left, _, right, _ = widget.padding
        room = widget.width - left - right
        lines = [line for line in widget._label._cached_lines if line.words]
        widest = max((line.w for line in lines), default=0)
        if widest > room + 0.5:
            found.append(f"{name!r}: a line {widest:.0f} px wide in {room:.0f} px")
        if len(lines) > widget.text.count("\n") + 1:
            found.append(f"{name!r}: broken by Kivy into {len(lines)} lines")
        found.extend(f"{name!r}: {word!r} broken across lines" for word in broken_words(widget))
        # the lines themselves, not the padding around them, must fit the height
        high = widget._label.content_height
        if high > widget.height + 0.5:
            found.append(f"{name!r}: text {high:.0f} px high in {widget.height:.0f}")
        x, y = widget.to_window(widget.x, widget.y)
        outside = (
            x < -0.5
            or y < -0.5
            or x + widget.width > Window.width + 0.5
            or (y + widget.height > Window.height + 0.5)
        )
        if outside and not in_scroll_view(widget):
            found.append(f"{name!r}: outside the window")
    return found


def record_layout(p: Any, name: str, results: dict[str, Any]) -> None:
    """The touch targets and clipped texts on screen now, and the window size (for the
    layout checks)."""
    from kivy.core.window import Window

    results.setdefault("targets", {})[name] = touch_targets(p)
    results.setdefault("clipped", {})[name] = clipped_text(p)
    results.setdefault("windows", {})[name] = list(Window.size)
    results["window"] = list(Window.size)


def shoot(p: Any, path: Path, results: dict[str, Any]) -> Any:
    """A screenshot, and the layout it shows."""
    record_layout(p, path.stem, results)
    return p.screenshot(path)


def turn(p: Any, size: tuple[int, int]) -> Any:
    """Turn the tablet: the window takes the other orientation, as Android resizes it."""
    from kivy.core.window import Window

    Window.size = size
    yield p.when(lambda: tuple(Window.size) == size, f"window {size}")
    yield 0.3  # laid out again (and any keyboard refitted)


def key_rows(p: Any) -> int:
    screen = p.app.screens.current_screen
    return len(screen.key_grid.children) if hasattr(screen, "key_grid") else 0


@scenario
def rotation(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    """A respondent turns the tablet mid-answer, on a picked choice and on typed text: the
    screen is laid out for the new orientation, and the answer not yet confirmed stays."""
    from kivy.core.window import Window

    landscape = tuple(Window.size)
    portrait = (landscape[1], landscape[0])
    yield p.on_screen("WelcomeScreen")
    p.tap(f"lang-{args.languages}")
    yield 0.02
    if p.has("population-officials"):
        p.tap("population-officials")
    yield p.on_screen("QuestionScreen")
    word = "سلام" if args.languages == "ar" else "merci"
    while p.screen_name() == "QuestionScreen":
        screen = p.app.screens.current_screen
        kind = screen.view.question.type.value
        if kind == "likert" and "likert" not in results.setdefault("turned", {}):
            p.tap("option-2")  # picked, not confirmed
            yield 0.05
            yield from turn(p, portrait)
            record_layout(p, "likert_portrait", results)
            now = p.app.screens.current_screen
            results["turned"]["likert"] = {
                "same_screen": now is screen,
                "picked": [b.key for _, b in now._choices if b.selected],
            }
            yield from turn(p, landscape)
            results["turned"]["likert"]["picked_back"] = [
                b.key for _, b in now._choices if b.selected
            ]
        if kind == "text":
            for char in word:
                p.tap(f"key-{char}")
            rows_before = key_rows(p)
            yield from turn(p, portrait)
            record_layout(p, "text_portrait", results)
            now = p.app.screens.current_screen
            p.tap(f"key-{word[0]}")  # the refitted keys still type
            yield 0.05
            results["turned"]["text"] = {
                "same_screen": now is screen,
                "value": now.value,
                "shown": now.text_display.source,
                "rows": [rows_before, key_rows(p)],
            }
            yield from turn(p, landscape)
            record_layout(p, "text_landscape_again", results)
            results["turned"]["text"]["value_back"] = now.value
            results["turned"]["text"]["rows_back"] = key_rows(p)
            break
        yield from answer_current(p, word=word, check_messages=False, results=results)
        p.tap("next")
        yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "next screen")


@scenario
def screenshots(p: Any, args: argparse.Namespace, results: dict[str, Any]) -> Any:
    shots = Path(args.shots)
    language = args.languages
    suffix = f"_{language}{args.shot_suffix}.png"
    yield p.on_screen("LockedScreen")
    if args.passphrase:  # typed on the locked screen's keys
        yield 0.2
        yield shoot(p, shots / f"locked{suffix}", results)
        for char in args.passphrase:
            p.tap("key-space" if char == " " else f"key-{char}")
        p.tap("unlock")
    yield p.on_screen("WelcomeScreen")
    yield 0.2
    yield shoot(p, shots / f"welcome{suffix}", results)
    p.tap(f"lang-{language}")
    yield 0.05
    if p.has("population-officials"):
        yield shoot(p, shots / f"population{suffix}", results)
        p.tap("population-officials")
    yield p.on_screen("QuestionScreen")
    names = {"note": "note", "single_choice": "question", "likert": "likert",
             "multi_choice": "multiple_choice", "number": "number_keypad",
             "text": "text_keyboard"}  # fmt: skip
    taken: set[str] = set()
    word = "سلام" if language == "ar" else "merci"
    while p.screen_name() == "QuestionScreen":
        screen = p.app.screens.current_screen
        kind = screen.view.question.type.value
        yield from answer_current(p, word=word, check_messages=False, results=results)
        if kind == "multi_choice":
            # show the constraint message in the picture: pick a third, press Next
            p.tap("option-3")
            p.tap("next")
            yield 0.1
        if names[kind] not in taken:
            taken.add(names[kind])
            if kind == "text":
                p.tap("key-space")
                for char in word if language == "ar" else "ok":
                    p.tap(f"key-{char}")
            yield 0.1
            yield shoot(p, shots / f"{names[kind]}{suffix}", results)
        if kind == "multi_choice":
            p.tap("option-3")
        if kind == "likert" and "idle_warning" not in taken:
            taken.add("idle_warning")
            yield p.when(lambda: p.app.respondent.idle_warning is not None, "idle warning")
            yield 0.3
            yield shoot(p, shots / f"idle_warning{suffix}", results)
            p.tap("continue")
            yield p.when(lambda: p.app.respondent.idle_warning is None, "warning gone")
        if kind == "single_choice" and "language_picker" not in taken:
            taken.add("language_picker")
            p.tap("language")
            yield p.visible("pick-en")
            yield 0.1
            yield shoot(p, shots / f"language_picker{suffix}", results)
            p.tap(f"pick-{language}")
            yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "rebuilt")
            screen = p.app.screens.current_screen
            yield from answer_current(p, word=word, check_messages=False, results=results)
        p.tap("next")
        yield p.when(lambda s=screen: p.app.screens.current_screen is not s, "next screen")
    yield p.on_screen("ThanksScreen")
    yield 0.1
    yield shoot(p, shots / f"thank_you{suffix}", results)
    # the coordinator's side, in the respondent's language while it is still set
    p.app.respondent.language = language
    yield from corner_taps(p)
    yield p.visible("pin-ok")
    yield 0.05
    results["ok_left_of_cancel"] = ok_is_left_of_cancel(p)
    for digit in args.pin[:2]:
        p.tap(f"digit-{digit}")
    yield 0.1
    yield shoot(p, shots / f"pin_pad{suffix}", results)
    for digit in args.pin[2:]:
        p.tap(f"digit-{digit}")
    p.tap("pin-ok")
    yield p.on_screen("CoordinatorScreen")
    yield 0.2
    yield shoot(p, shots / f"coordinator_menu{suffix}", results)
    results["shots"] = sorted(path.name for path in shots.glob(f"*{suffix}"))


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--station-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--languages", default="en")
    parser.add_argument("--word", default="marmalade")
    parser.add_argument("--pin", default="1357")
    parser.add_argument("--passphrase", default="")
    parser.add_argument("--shots", default="")
    parser.add_argument("--shot-suffix", default="", help="after the language: _portrait")
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--warning", type=float, default=20.0)
    parser.add_argument("--thanks", type=float, default=0.3)
    parser.add_argument("--sync-interval", type=float, default=0.0)
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--console-log", action="store_true")
    parser.add_argument("--size", default="1024x600")
    parser.add_argument("--coordinator-language", default="en")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))
    settings = KioskSettings(
        idle_seconds=args.idle, warning_seconds=args.warning, thanks_seconds=args.thanks,
        sync_interval_seconds=args.sync_interval, fullscreen=False,
        window_size=(width, height), export_start_dir=args.kivy_home,
        coordinator_language=args.coordinator_language,
    )  # fmt: skip
    prepare_kivy(settings, windowed=True, console_log=args.console_log,
                 kivy_home=args.kivy_home)  # fmt: skip
    from miniatures.kiosk_pilot import Pilot

    passphrase = os.environ.pop("MSS_STATION_PASSPHRASE", None)
    app = build_app(args.station_dir, passphrase, settings)
    results: dict[str, Any] = {}
    pilot = Pilot(app, results)
    pilot.run(lambda pl: SCENARIOS[args.scenario](pl, args, results))
    app.run()
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
