"""The kiosk's responsiveness under Xvfb, against a baseline measured in the same run.

    .venv/bin/python bench/kiosk.py [--passes 2] [--read-ms 300]

1. Next -> next question drawn: from the moment the kiosk handles a tap on Next (answer
   checked, session advanced, the question screen swapped in) to the end of the frame that
   shows it, over the real CIPS officials questionnaire (70 questions). Target: median
   <= 16 ms. Baseline: swapping in a screen that holds one bare Label, drawn the same way.
   The simulated respondent reads each question for --read-ms before picking an answer and
   pressing Next at once (no person taps within a frame of a screen appearing); that is
   when the kiosk builds the next screen ahead. Measured twice: as shipped (built ahead),
   and with every screen built on Next (build_ahead off: the cost Back, a language change
   or an answer that changes the way still pay).
2. Cold start: from launching the kiosk process to the first frame of Welcome (with the
   station unlocked from MSS_STATION_PASSPHRASE). Target: <= 2 s. Baseline: a process that
   imports Kivy and draws one empty window.

The station is provisioned against a real server (create_app, uvicorn on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_NEXT_MS = 16.0
TARGET_COLD_S = 2.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# --- the child: runs inside the kiosk process ------------------------------------------------


def child(args: argparse.Namespace) -> int:
    from device_app.kiosk.launch import build_app, prepare_kivy
    from device_app.kiosk.settings import KioskSettings

    settings = KioskSettings(
        idle_seconds=600, warning_seconds=60, thanks_seconds=0.2, sync_interval_seconds=0,
        fullscreen=False, build_ahead=args.build_ahead == "on",
    )  # fmt: skip
    prepare_kivy(settings, windowed=True, kivy_home=Path(args.kivy_home))
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import Screen

    from miniatures.kiosk_pilot import Pilot

    results: dict[str, Any] = {"next_ms": [], "baseline_ms": []}
    passphrase = os.environ.pop("MSS_STATION_PASSPHRASE", None)
    app = build_app(Path(args.station_dir), passphrase, settings)
    pressed: list[float] = []
    drawn: list[float] = []

    def on_flip(*_: Any) -> None:
        if pressed and len(drawn) < len(pressed):
            drawn.append(time.perf_counter())
            if profile is not None:
                profile.disable()

    original_next = app.respondent.next_pressed

    profile = None
    if os.environ.get("MSS_BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()

    def timed_next() -> None:
        pressed.append(time.perf_counter())
        if profile is not None:
            profile.enable()
        original_next()

    app.respondent.next_pressed = timed_next  # screens take the method when they are built

    # the UI thread's idle work: building the next screen, then rendering its text (and a
    # garbage collection); a tap that comes meanwhile waits for it
    results["idle_ms"] = []

    def timed(work: Any) -> Any:
        def run(*args: Any) -> None:
            started = time.perf_counter()
            work(*args)
            results["idle_ms"].append((time.perf_counter() - started) * 1000)

        return run

    prepared = app.respondent.prepared
    prepared._build_next = timed(prepared._build_next)
    prepared._render = timed(prepared._render)

    def scenario(p: Pilot) -> Any:
        yield p.on_screen("WelcomeScreen")
        yield p.screenshot(Path(args.kivy_home) / "first-welcome.png")
        results["welcome_drawn_at"] = time.time()
        Window.bind(on_flip=on_flip)
        for _ in range(args.passes):
            p.tap("lang-en")
            yield p.on_screen("QuestionScreen")
            while p.screen_name() == "QuestionScreen":
                yield args.read_ms / 1000
                screen = p.app.screens.current_screen
                kind = screen.view.question.type.value
                if kind in ("single_choice", "likert", "multi_choice"):
                    options = screen.view.spec.options_for(screen.view.question)
                    p.tap(f"option-{options[0].code}")
                elif kind == "number":
                    p.tap("digit-1")
                elif kind == "rank":
                    p.tap("rank-keep")  # the order shown
                count = len(pressed)
                p.tap("next")
                yield p.when(
                    lambda s=screen, c=count: (
                        len(drawn) > c and p.app.screens.current_screen is not s
                    ),
                    "drawn",
                )
                if isinstance(p.app.screens.current_screen, type(screen)):
                    results["next_ms"].append((drawn[count] - pressed[count]) * 1000)
            yield p.on_screen("WelcomeScreen")
        results["taken_ready"] = p.app.respondent.prepared.taken
        # baseline: one bare Label screen swapped in and drawn, the same way
        for number in range(40):
            count = len(pressed)
            pressed.append(time.perf_counter())
            screen = Screen(name=f"bare-{number}")
            screen.add_widget(Label(text=f"Question {number}"))
            app.screens.show(screen)
            yield p.when(lambda c=count: len(drawn) > c, "bare drawn")
            results["baseline_ms"].append((drawn[count] - pressed[count]) * 1000)

    pilot = Pilot(app, results, timeout=60)
    pilot.run(scenario)
    app.run()
    if profile is not None:
        # one file per run: MSS_BENCH_PROFILE.on (built ahead) and .off (built on Next)
        profile.dump_stats(f"{os.environ['MSS_BENCH_PROFILE']}.{args.build_ahead}")
    Path(args.out).write_text(json.dumps(results), encoding="utf-8")
    return 0 if results.get("ok") else 1


def bare_window_child(args: argparse.Namespace) -> int:
    os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1",
                      KIVY_HOME=args.kivy_home)  # fmt: skip
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.widget import Widget

    class Bare(App):
        def build(self) -> Widget:
            def drawn(*_: Any) -> None:
                Window.unbind(on_flip=drawn)
                Path(args.out).write_text(json.dumps({"drawn_at": time.time()}))
                Clock.schedule_once(lambda _dt: self.stop(), 0)

            Window.bind(on_flip=drawn)
            return Widget()

    Bare().run()
    return 0


# --- the parent: a server, a station, the measurements ---------------------------------------


def provision_cips_station(world: Any) -> Path:
    from datetime import UTC, datetime

    from questionnaire_specs import canonical_json, load_spec
    from sync_server.ingest import register_spec

    body = canonical_json(load_spec(REPO / "questionnaire_specs" / "cips" / "officials.yaml"))
    register_spec(world.session_factory, body, clock=lambda: datetime.now(UTC))
    return world.provision("bench", ("officials",))


def run_child(
    mode: str, out: Path, home: Path, station_dir: Path | None, *extra: str
) -> tuple[float, dict]:
    home.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    from miniatures.kiosk_stations import PASSPHRASE

    env["MSS_STATION_PASSPHRASE"] = PASSPHRASE
    command = [sys.executable, str(Path(__file__).resolve()), mode, "--out", str(out),
               "--kivy-home", str(home), *extra]  # fmt: skip
    if station_dir is not None:
        command += ["--station-dir", str(station_dir)]
    display = os.environ.get("DISPLAY")
    if not display:
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
    started = time.time()
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
    return started, json.loads(out.read_text(encoding="utf-8"))


def parent(args: argparse.Namespace) -> int:
    from miniatures.kiosk_stations import make_kiosk_world
    from miniatures.served_app import served

    with tempfile.TemporaryDirectory(prefix="mss-bench-kiosk-") as scratch:
        root = Path(scratch)
        world = make_kiosk_world(root / "world", populations=())
        with served(world.app) as url:
            world.server_url = url
            station_dir = provision_cips_station(world)
            passes = ["--passes", str(args.passes), "--read-ms", str(args.read_ms)]
            started, results = run_child("--child", root / "kiosk.json", root / "home",
                                         station_dir, *passes, "--build-ahead", "on")  # fmt: skip
            _, fresh = run_child("--child", root / "fresh.json", root / "fresh-home",
                                 station_dir, *passes, "--build-ahead", "off")  # fmt: skip
            bare_started, bare = run_child("--bare", root / "bare.json", root / "bare-home", None)
    cold = results["welcome_drawn_at"] - started
    bare_cold = bare["drawn_at"] - bare_started
    nexts, base = results["next_ms"], results["baseline_ms"]
    median, p95 = statistics.median(nexts), percentile(nexts, 0.95)
    base_median = statistics.median(base)
    print(f"Next -> next question drawn: median {median:.1f} ms, p95 {p95:.1f} ms "
          f"over {len(nexts)} questions (target: median <= {TARGET_NEXT_MS:.0f} ms); "
          f"{results['taken_ready']} screens were ready, built ahead "
          f"(respondent reads {args.read_ms} ms)")  # fmt: skip
    idle = results["idle_ms"]
    print(f"  idle work per step while the respondent reads: median "
          f"{statistics.median(idle):.1f} ms, max {max(idle):.1f} ms")  # fmt: skip
    slow = fresh["next_ms"]
    print(f"  every screen built on Next (build-ahead off): median "
          f"{statistics.median(slow):.1f} ms, p95 {percentile(slow, 0.95):.1f} ms")  # fmt: skip
    print(f"  baseline (bare Label screen swap): median {base_median:.1f} ms, "
          f"p95 {percentile(base, 0.95):.1f} ms; ratio {median / base_median:.1f}x")  # fmt: skip
    print(f"Cold start to Welcome: {cold:.2f} s (target: <= {TARGET_COLD_S:.0f} s)")
    print(f"  baseline (Kivy, one empty window): {bare_cold:.2f} s; "
          f"ratio {cold / bare_cold:.1f}x")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument(
        "--read-ms",
        type=int,
        default=300,
        help="how long the respondent reads a question before answering",
    )
    parser.add_argument(
        "--build-ahead", choices=["on", "off"], default="on", help=argparse.SUPPRESS
    )
    parser.add_argument("--out", default="")
    parser.add_argument("--kivy-home", default="")
    parser.add_argument("--station-dir", default="")
    args, _ = parser.parse_known_args()
    if args.child:
        return child(args)
    if args.bare:
        return bare_window_child(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
