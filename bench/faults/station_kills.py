"""SIGKILL a working station (scripted respondents finishing, syncs in between) at random
moments, N times; after each kill the coordinator unlocks it and syncs to the end.

Lost: a response the station reported finished that is missing from its outbox, or from
the server's central store at the end. Duplicated: more responses than the outbox holds.
Got through: a station file failing integrity_check, or a draft left behind uncounted.
5xx: answers >= 500 and processor runs that died.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from random import Random

from bench.faults.central import process, responses_by_envelope
from bench.faults.field import field
from bench.faults.tally import Tally
from miniatures.kiosk_stations import PASSPHRASE
from miniatures.station_worker import reported

ROOT = Path(__file__).resolve().parents[2]


def wait_for_more_lines(progress: Path, count: int, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(progress.read_text().splitlines()) <= count:
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("the station worker did not start")
        time.sleep(0.02)


def run(database: str, quick: bool) -> Tally:
    del database  # the station side: its server is the SQLite miniature
    kills = 3 if quick else 30
    rng = Random(20261129)
    tally = Tally()
    env = {**os.environ, "MSS_STATION_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT)}
    with field() as place:
        place.station("tablet").close()
        folder = place.world.root / "tablet"
        progress = place.world.root / "progress.txt"
        progress.touch()
        last_seq = 0
        for kill in range(kills):
            lines = len(progress.read_text().splitlines())
            worker = subprocess.Popen(
                [sys.executable, "-m", "miniatures.station_worker", str(folder), place.url,
                 str(progress), str(kill)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            wait_for_more_lines(progress, lines, worker)
            time.sleep(rng.uniform(0.0, 0.3))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            tally.tried += 1
            station = place.unlock("tablet")
            try:
                done, begun = reported(progress)
                last_seq = station.status().last_seq
                tally.lost += max(0, done - last_seq)  # reported finished, not in the outbox
                tally.duplicated += max(0, last_seq - max(begun, done))
                station.abandon_interrupted_drafts()
                station.sync()
                status = station.status()
                tally.lost += status.pending
                problems = station.integrity_problems()
                if problems:
                    tally.got_through += 1
                    tally.note(f"kill {kill}: integrity_check: {problems[:2]}")
            except Exception as error:  # noqa: BLE001 - a failure is what is counted
                tally.lost += 1
                tally.note(f"kill {kill}: {type(error).__name__}: {str(error)[:120]}")
            finally:
                station.close()
        process(place.sessions, place.world.survey_key, tally)
        held = responses_by_envelope(place.sessions)
        tally.lost += max(0, last_seq - len(held))
        tally.duplicated += sum(count - 1 for count in held.values())
        tally.duplicated += max(0, len(held) - last_seq)
        tally.five_xx += place.app.count
    return tally
