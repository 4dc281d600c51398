"""Regenerate docs/screenshots/*.png: the real kiosk, driven by touch under Xvfb.

.venv/bin/python -m tests.device_app.kiosk.make_screenshots [--out docs/screenshots]
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
                station_dir = world.provision(f"st-{language}", ("officials", "private_sector"))
                home = root / f"kivy-{language}"
                home.mkdir()
                env = {**os.environ, "PYTHONPATH": str(REPO)}
                env.pop("MSS_STATION_PASSPHRASE", None)
                command = [
                    "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m",
                    "tests.device_app.kiosk.driver", "screenshots",
                    "--station-dir", str(station_dir), "--out", str(root / f"{language}.json"),
                    "--kivy-home", str(home), "--languages", language,
                    "--coordinator-language", language, "--passphrase", PASSPHRASE,
                    "--pin", PIN, "--shots", str(args.out), "--idle", "3",
                ]  # fmt: skip
                done = subprocess.run(command, cwd=REPO, env=env, check=False)
                if done.returncode != 0:
                    print(f"screenshots in {language} failed", file=sys.stderr)
                    return 1
    for path in sorted(args.out.glob("*.png")):
        print(f"{path.name}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
