"""The question screen's rank list, date and range pickers, shown by a small real Kivy app
and driven by touch: the session behind them is the real SurveySession on fixtures/every_type.yaml.

    python -m tests.device_app.kiosk.picker_driver --language en --out result.json
        --kivy-home DIR [--shots docs/screenshots] [--size 1024x600] [--shot-suffix _portrait]

One process per language (Kivy runs one App per process); tests/device_app/kiosk reads the
JSON it writes, make_screenshots.py keeps its screenshots.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from device_app.kiosk.launch import prepare_kivy
from device_app.kiosk.settings import KioskSettings

SPEC_PATH = Path(__file__).resolve().parents[2] / "questionnaire_specs" / "fixtures"


def clock() -> datetime:
    return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--shots", default="")
    parser.add_argument("--size", default="1024x600")
    parser.add_argument("--shot-suffix", default="")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))
    settings = KioskSettings(fullscreen=False, window_size=(width, height))
    prepare_kivy(settings, windowed=True, kivy_home=args.kivy_home)

    from device_app.kiosk.answers import parse_answer
    from device_app.kiosk.screens.question import QuestionScreen
    from device_app.kiosk.survey import SurveyFlow
    from device_app.session import SurveySession
    from miniatures.kiosk_pilot import Pilot
    from questionnaire_specs import load_spec
    from tests.device_app.kiosk.question_app import question_app, tap

    spec = load_spec(SPEC_PATH / "every_type.yaml")
    flow = SurveyFlow(SurveySession(spec, args.language, "officials", clock=clock))
    results: dict[str, Any] = {}

    app, show = question_app(settings, flow)

    def confirm(screen: QuestionScreen) -> Any:
        value = parse_answer(screen.view.question, screen.answer_value())
        try:
            flow.answer(value)
            flow.advance()
        except Exception as error:  # AnswerRefused: the message the screen would show
            results.setdefault("refusals", []).append(error.message(spec, args.language))
            return False
        return True

    def shot(p: Pilot, name: str) -> Any:
        if args.shots:
            yield p.screenshot(Path(args.shots) / f"{name}_{args.language}{args.shot_suffix}.png")

    def scenario(p: Pilot) -> Any:
        yield 0.1
        while flow.session.current is not None and flow.session.current.id != "priorities":
            flow.answer(1 if flow.session.current.id == "post" else None)
            flow.advance()
        screen = show()  # the rank question
        yield 0.2
        results["rank_keys"] = sorted(k for k in p.keys() if k.startswith("rank-"))  # noqa: SIM118
        results["rank_blank"] = screen.answer_value()
        tap(p, "rank-keep")  # the order shown, as it is
        yield 0.05
        results["rank_kept"] = screen.answer_value()
        for _ in range(3):  # the third: already first, its Up key is off
            tap(p, "rank-up-3")
            yield 0.05  # the rows are laid out again
        results["rank"] = screen.answer_value()
        option, up = p.find("rank-option-3"), p.find("rank-up-3")
        results["rank_up_key_after_option"] = up.x > option.x
        yield from shot(p, "rank")
        results["rank_taken"] = confirm(screen)
        while flow.session.current is not None and flow.session.current.id != "joined":
            flow.answer(1 if flow.session.current.id == "post" else None)
            flow.advance()
        screen = show()
        yield 0.2
        shown_keys = p.keys()  # the pilot's visible keys (a list, not a mapping)
        results["date_keys"] = sorted(k for k in shown_keys if k.startswith("date-"))
        results["blank_at_start"] = screen.answer_value()
        tap(p, "date-year-up10")  # first tap: the middle of the bounds, then +10
        tap(p, "date-year-up10")
        tap(p, "date-month-down1")  # from nothing: January
        yield 0.05
        results["partial"] = screen.answer_value()
        results["partial_taken"] = confirm(screen)
        for _ in range(3):
            tap(p, "date-month-up1")  # April
        tap(p, "date-day-down1")  # from nothing: the 1st
        yield 0.05
        results["date"] = screen.answer_value()
        yield from shot(p, "date")
        results["date_taken"] = confirm(screen)

        screen = show()  # the range question
        yield 0.2
        results["range_question"] = screen.view.question.id
        results["range_blank"] = screen.answer_value()
        tap(p, "range-up")  # from nothing: the end
        tap(p, "range-down")
        tap(p, "range-down")
        yield 0.05
        results["range"] = screen.answer_value()
        yield from shot(p, "range")
        results["range_taken"] = confirm(screen)
        results["answers"] = flow.session.answers

    pilot = Pilot(app, results)
    pilot.run(scenario)
    app.run()
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
