"""Regenerate docs/screenshots/*.png: the real kiosk, driven by touch under Xvfb.

.venv/bin/python -m tests.device_app.kiosk.make_screenshots [--out docs/screenshots]

English and Arabic, each in landscape (1024 x 600: NAME_LANG.png) and portrait
(600 x 1024: NAME_LANG_portrait.png).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from miniatures.kiosk_stations import PASSPHRASE, PIN, make_kiosk_world
from tests.contract.world import served

REPO = Path(__file__).resolve().parents[3]
ORIENTATIONS = {"": "1024x600", "_portrait": "600x1024"}  # file name suffix: window size
POPULATIONS = ("officials", "private_sector")


def run_driver(station_dir: Path, language: str, suffix: str, size: str, root: Path,
               out: Path) -> int:  # fmt: skip
    """One driver run under its own Xvfb screen, square so that either orientation fits."""
    home = root / f"kivy-{language}{suffix}"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("MSS_STATION_PASSPHRASE", None)
    command = [
        "xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, "-m",
        "tests.device_app.kiosk.driver", "screenshots",
        "--station-dir", str(station_dir), "--out", str(root / f"{language}{suffix}.json"),
        "--kivy-home", str(home), "--languages", language,
        "--coordinator-language", language, "--passphrase", PASSPHRASE,
        "--pin", PIN, "--shots", str(out), "--idle", "3", "--size", size,
        "--shot-suffix", suffix,
    ]  # fmt: skip
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def run_pickers(language: str, suffix: str, size: str, root: Path, out: Path) -> int:
    home = root / f"kivy-pickers-{language}{suffix}"
    home.mkdir()
    command = [
        "xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, "-m",
        "tests.device_app.kiosk.picker_driver", "--language", language,
        "--out", str(root / f"pickers-{language}{suffix}.json"), "--kivy-home", str(home),
        "--shots", str(out), "--size", size, "--shot-suffix", suffix,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mss-shots-") as scratch:
        root = Path(scratch)
        world = make_kiosk_world(root / "world")
        with served(world.app) as url:
            world.server_url = url
            for language in ("en", "ar"):
                for suffix, size in ORIENTATIONS.items():
                    name = f"{language}{suffix}"
                    if run_driver(world.provision(f"st-{name}", POPULATIONS), language,
                                  suffix, size, root, args.out) != 0:  # fmt: skip
                        print(f"screenshots {name} failed", file=sys.stderr)
                        return 1
        for language in ("en", "ar"):  # the date and range pickers: their own small app
            for suffix, size in ORIENTATIONS.items():
                if run_pickers(language, suffix, size, root, args.out) != 0:
                    print(f"picker screenshots {language}{suffix} failed", file=sys.stderr)
                    return 1
    for path in sorted(args.out.glob("*.png")):
        print(f"{path.name}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
