"""The question screen showing what earlier answers decide — their text in its label and
hint (piping, fixtures/piping.yaml) or the options a choice_filter offers
(fixtures/cascading.yaml, --form cascading) — by a small real Kivy app driven by touch: the
session behind it is the real SurveySession, and the screen only shows what it says.

    python -m tests.device_app.kiosk.piping_driver --language fr --out result.json
        --kivy-home DIR [--form cascading]

One process per language (Kivy runs one App per process); test_piping.py reads the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from device_app.kiosk.launch import prepare_kivy
from device_app.kiosk.settings import KioskSettings
from tests.device_app.kiosk.picker_driver import SPEC_PATH, clock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--form", default="piping", choices=["piping", "cascading"])
    args = parser.parse_args(argv)
    settings = KioskSettings(fullscreen=False, window_size=(1024, 600))
    prepare_kivy(settings, windowed=True, kivy_home=args.kivy_home)

    from kivy.app import App

    from device_app.kiosk import fonts
    from device_app.kiosk.answers import parse_answer
    from device_app.kiosk.layouts import load_layouts
    from device_app.kiosk.screens.question import QuestionScreen
    from device_app.kiosk.stage import Stage
    from device_app.kiosk.survey import SurveyFlow
    from device_app.session import SurveySession
    from miniatures.kiosk_pilot import Pilot
    from questionnaire_specs import load_spec

    spec = load_spec(SPEC_PATH / f"{args.form}.yaml")
    flow = SurveyFlow(SurveySession(spec, args.language, "officials", clock=clock))
    results: dict[str, Any] = {}

    class PipingApp(App):
        def build(self) -> Stage:
            fonts.register(fonts.find_fonts(settings.font_dir))
            load_layouts()
            self.screens = Stage()
            return self.screens

    app = PipingApp()

    def screen_for(view: Any) -> QuestionScreen:
        return QuestionScreen(
            view, on_next=lambda: None, on_back=lambda: None, on_language=lambda: None
        )

    def show() -> QuestionScreen:
        screen = screen_for(flow.view())
        app.screens.show(screen)
        return screen

    def drawn(screen: QuestionScreen) -> list[str]:
        # What the labels drew (wrapped lines joined again): the question's, the hint's.
        labels = [screen.ids.question_label, screen.ids.help_label]
        return [label.text.replace("\n", " ") for label in labels if label.text]

    def confirm(screen: QuestionScreen) -> None:
        flow.answer(parse_answer(screen.view.question, screen.answer_value()))
        flow.advance()

    def scenario(p: Pilot) -> Any:
        yield 0.1
        screen = show()  # post
        yield 0.2
        p.tap("option-2")
        # The kiosk builds the next screen ahead of time, from the answer being given...
        results["ahead"] = screen_for(flow.preview(screen.answer_value())).question_text
        p.tap("option-1")
        yield 0.05
        confirm(screen)
        real = flow.view()
        # ...and a screen built for another answer is not used: its label is not this one.
        results["ahead_used"] = screen_for(flow.preview(2)).shows(real)
        screen = show()  # years
        yield 0.2
        results["years"] = drawn(screen)
        for key in ("digit-1", "digit-2"):
            p.tap(key)
        confirm(screen)
        screen = show()  # the note
        yield 0.2
        results["summary"] = drawn(screen)
        confirm(screen)
        screen = show()  # comment, its hint naming the calculated post name
        yield 0.2
        results["comment"] = drawn(screen)
        results["answers"] = flow.session.answers

    def options_shown(p: Pilot) -> list[str]:
        visible = p.keys()  # the pilot's visible keys (a list, not a mapping)
        return sorted(key for key in visible if key.startswith("option-"))

    def cascade(p: Pilot) -> Any:
        yield 0.1
        screen = show()  # region
        yield 0.2
        p.tap("option-2")
        ahead = screen_for(flow.preview(1))  # built ahead for North
        confirm(screen)
        results["ahead_used"] = ahead.shows(flow.view())
        screen = show()  # post: South's only
        yield 0.2
        results["south"] = options_shown(p)
        p.tap("option-21")
        confirm(screen)
        flow.retreat()
        flow.retreat()
        screen = show()  # region again: North now
        yield 0.2
        p.tap("option-1")
        confirm(screen)
        screen = show()  # post: North's, the Land border held before no longer chosen
        yield 0.2
        results["north"] = options_shown(p)
        results["held"] = screen.answer_value()
        p.tap("option-12")
        confirm(screen)
        results["answers"] = flow.session.answers

    pilot = Pilot(app, results)
    pilot.run(cascade if args.form == "cascading" else scenario)
    app.run()
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
