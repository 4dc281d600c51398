"""The question screen with defaults and read_only questions, shown by a small real Kivy app
and driven by touch: the session behind it is the real SurveySession on fixtures/defaults.yaml.

    python -m tests.device_app.kiosk.defaults_driver --language en --out result.json
        --kivy-home DIR [--shots docs/screenshots]

One process per language (Kivy runs one App per process); test_defaults.py reads the JSON.
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
    args = parser.parse_args(argv)
    settings = KioskSettings(fullscreen=False, window_size=(1024, 600))
    prepare_kivy(settings, windowed=True, kivy_home=args.kivy_home)

    from device_app.kiosk.answers import parse_answer
    from device_app.kiosk.survey import SurveyFlow
    from device_app.session import SurveySession
    from miniatures.kiosk_pilot import Pilot
    from questionnaire_specs import load_spec
    from tests.device_app.kiosk.question_app import question_app, tap

    spec = load_spec(SPEC_PATH / "defaults.yaml")
    flow = SurveyFlow(SurveySession(spec, args.language, "officials", clock=clock))
    results: dict[str, Any] = {"screens": {}}

    app, show = question_app(settings, flow)

    def scenario(p: Pilot) -> Any:
        yield 0.1
        while flow.session.current is not None:
            screen = show()
            yield 0.2
            question = screen.view.question.id
            keys = [key for key in p.keys() if key.startswith("option-")]  # noqa: SIM118 - a list
            seen: dict[str, Any] = {
                "value": screen.answer_value(),
                "selected": sorted(key for key in keys if p.find(key).selected),
                "options": sorted(keys),
            }
            if hasattr(screen, "read_only_value"):
                seen["read_only"] = screen.read_only_value.source
            if hasattr(screen, "number_pad"):
                seen["pad"] = screen.number_pad.value
            if hasattr(screen, "text_display"):
                seen["typed"] = screen.text_display.source
            if args.shots and question == "office":
                yield p.screenshot(Path(args.shots) / f"read_only_{args.language}.png")
            if question == "post":
                tap(p, "option-1")  # the respondent changes the default: a border post
                yield 0.05
                seen["changed_to"] = screen.answer_value()
            results["screens"][question] = seen
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
