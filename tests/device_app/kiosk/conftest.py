"""Kiosk test fixtures: an Xvfb display, a real server over HTTP, provisioned stations, and
a runner that starts the kiosk driver in a subprocess (Kivy runs one App per process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from miniatures.kiosk_stations import PASSPHRASE, KioskWorld, make_kiosk_world
from tests.contract.world import served

REPO = Path(__file__).resolve().parents[3]


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X{number}-lock").exists()
            and not Path(f"/tmp/.X11-unix/X{number}").exists()
        ):
            return number
    raise RuntimeError("no free X display number between :90 and :199")


# square, so that a portrait window (800 x 1280) fits the screen as well as a landscape one
@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.fail(
            "Xvfb is not installed: the kiosk tests need it (`make test` installs the Debian "
            "package xvfb from deploy/system-packages.txt)",
            pytrace=False,
        )
    number = _free_display()
    process = subprocess.Popen(
        [binary, f":{number}", "-screen", "0", "1280x1280x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 15
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Xvfb did not start on :{number}", pytrace=False)
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def kiosk_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskWorld]:
    world = make_kiosk_world(tmp_path_factory.mktemp("kiosk-world"))
    with served(world.app) as url:
        world.server_url = url
        yield world


@dataclass
class KioskRun:
    results: dict[str, Any]
    stdout: str
    stderr: str
    returncode: int
    kivy_home: Path


@pytest.fixture
def run_kiosk(xvfb_display: str, tmp_path: Path):  # noqa: ANN201 - a runner function
    counter = [0]

    def run(
        scenario: str,
        station_dir: Path,
        *extra: str,
        passphrase: str | None = PASSPHRASE,
        timeout: float = 120,
    ) -> KioskRun:
        counter[0] += 1
        out = tmp_path / f"{scenario}-{counter[0]}.json"
        kivy_home = tmp_path / f"kivy-home-{counter[0]}"
        kivy_home.mkdir()
        env = {**os.environ, "DISPLAY": xvfb_display, "PYTHONPATH": str(REPO)}
        env.pop("MSS_STATION_PASSPHRASE", None)
        if passphrase is not None:
            env["MSS_STATION_PASSPHRASE"] = passphrase
        command = [
            sys.executable, "-m", "tests.device_app.kiosk.driver", scenario,
            "--station-dir", str(station_dir), "--out", str(out),
            "--kivy-home", str(kivy_home), *extra,
        ]  # fmt: skip
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
        )
        results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        if not results.get("ok"):
            raise AssertionError(
                f"kiosk scenario {scenario} failed (exit {done.returncode}): "
                f"{results.get('error')}\nscreen: {results.get('screen')}\n"
                f"keys: {results.get('visible_keys')}\nstderr tail:\n{done.stderr[-3000:]}"
            )
        return KioskRun(results, done.stdout, done.stderr, done.returncode, kivy_home)

    return run


def run_screen_driver(module: str, display: str, tmp_path: Path, *options: str) -> dict[str, Any]:
    """Run a small screen driver (picker_driver, piping_driver) under Xvfb; its results."""
    out, home = tmp_path / "result.json", tmp_path / "kivy"
    home.mkdir()
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", module, *options, "--out", str(out), "--kivy-home", str(home)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert results.get("ok"), f"{results.get('error')}\n{done.stderr[-2000:]}"
    return results
