"""The question screen's "an answer is required" note, shown by a small real Kivy app driven
by touch: the session behind it is the real SurveySession on fixtures/required_when.yaml, so
whether the note shows follows each question's required_when over the answers before it.

    python -m tests.device_app.kiosk.required_driver --years 30 --out result.json
        --kivy-home DIR [--shots DIR]

test_required_note.py reads the JSON.
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
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kivy-home", type=Path, required=True)
    parser.add_argument("--shots", default="")
    args = parser.parse_args(argv)
    settings = KioskSettings(fullscreen=False, window_size=(1024, 600))
    prepare_kivy(settings, windowed=True, kivy_home=args.kivy_home)

    from device_app.kiosk.answers import parse_answer
    from device_app.kiosk.survey import SurveyFlow
    from device_app.session import SurveySession
    from miniatures.kiosk_pilot import Pilot
    from questionnaire_specs import load_spec
    from tests.device_app.kiosk.question_app import question_app, tap

    spec = load_spec(SPEC_PATH / "required_when.yaml")
    flow = SurveyFlow(SurveySession(spec, "en", "officials", clock=clock))
    results: dict[str, Any] = {"screens": {}}
    app, show = question_app(settings, flow)

    def scenario(p: Pilot) -> Any:
        yield 0.1
        while flow.session.current is not None:
            screen = show()
            yield 0.2
            question = screen.view.question.id
            note = screen.ids.required_label
            results["screens"][question] = {
                "note": note.source,
                "note_shown": note.opacity == 1 and note.height > 0,
            }
            if args.shots and question == "years":
                yield p.screenshot(Path(args.shots) / "required_note_en.png")
            if question == "post":
                tap(p, "option-1")  # a border post: years becomes required
                yield 0.05
                flow.answer(parse_answer(screen.view.question, screen.answer_value()))
            elif question == "years":
                # the screen built ahead for the next question, with either answer
                results["ahead"] = {
                    str(years): flow.preview(years).required for years in (3, 30)
                }  # fmt: skip
                flow.answer(args.years)
            elif question == "offered" and screen.view.required:
                tap(p, "option-1")
                yield 0.05
                flow.answer(parse_answer(screen.view.question, screen.answer_value()))
            flow.advance()
        results["answers"] = flow.session.finish().answers

    pilot = Pilot(app, results)
    pilot.run(scenario)
    app.run()
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
