"""SIGKILL the station at random points while it finishes and syncs; then sync to the end.

No response may be lost or duplicated: the server's inbox holds exactly the station's
outbox, which holds every response the station reported finished (and at most the one it
was finishing when killed), and the SQLCipher file passes integrity_check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from random import Random

import pytest

from device_app.station import Station
from miniatures.station_worker import reported
from tests.contract.world import PASSPHRASE, World, inbox_count, served, wait_until

ITERATIONS = 50
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_killed_station_loses_and_duplicates_nothing(world: World, tmp_path: Path) -> None:
    world.station("tablet").close()
    rng = Random(20261129)  # noqa: S311 - reproducible kill points
    env = {**os.environ, "MSS_STATION_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT)}
    progress = tmp_path / "progress.txt"
    progress.touch()
    finished_total = 0
    with served(world.app) as url:
        for iteration in range(ITERATIONS):
            lines_before = len(progress.read_text().splitlines())
            worker = subprocess.Popen(
                [sys.executable, "-m", "miniatures.station_worker",
                 str(world.root / "tablet"), url, str(progress), str(iteration)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            wait_until(lambda b=lines_before: len(progress.read_text().splitlines()) > b, 30)
            time.sleep(rng.uniform(0.0, 0.25))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode()[-2000:]

            with Station.unlock(
                world.root / "tablet", PASSPHRASE, sleep=lambda _s: None
            ) as station:
                done, begun = reported(progress)
                last_seq = station.status().last_seq
                assert done <= last_seq <= max(begun, done)
                station.sync(server_url=url)
                status = station.status()
                assert status.pending == 0
                assert inbox_count(world) == status.acknowledged == last_seq
                assert station.integrity_problems() == []
                finished_total = last_seq
    assert finished_total >= ITERATIONS  # the loop really did work while being killed
