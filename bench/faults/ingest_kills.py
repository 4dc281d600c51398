"""SIGKILL `mss server serve` while stations' batches pour in (each batch resent, as a
station does, until a receipt comes back), restart it, and again; then SIGKILL
`mss server process` mid-run, again and again, and let a last run finish. SQLite and
PostgreSQL, real processes, the real store.

Lost: a sent envelope without exactly one inbox row, or without a response at the end.
Duplicated: an envelope with more than one response. Got through: an inbox row no station
sent. 5xx: answers >= 500 seen by the senders, and processor runs that died by themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from random import Random

import httpx
from sqlalchemy import func, select

from bench.faults.central import BATCH_HEADERS, database_url, responses_by_envelope
from bench.faults.tally import Tally
from bench.ingest import PASSPHRASE, Server, build_batches, free_port, wait_ready
from protocol.codec import parse_signed_batch
from sync_server.store.models import InboxEnvelope


class Sender(threading.Thread):
    """Sends every batch until it gets a receipt, through kills and restarts."""

    PAUSE = 0.03  # between batches: stations in the field do not all send at once

    def __init__(self, url: str, batches: list[bytes], tally: Tally) -> None:
        super().__init__(daemon=True)
        self.url, self.batches, self.tally = url, batches, tally

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for data in self.batches:
                while True:
                    try:
                        answer = client.post("/v1/batches", content=data, headers=BATCH_HEADERS)
                    except httpx.HTTPError:
                        time.sleep(0.05)  # the server is down: retry, as a station does
                        continue
                    if answer.status_code >= 500:
                        self.tally.five_xx += 1
                        self.tally.note(f"intake answered {answer.status_code}")
                        time.sleep(0.05)
                        continue
                    if answer.status_code != 200:
                        self.tally.note(f"a genuine batch was refused: {answer.text[:120]}")
                    break
                time.sleep(self.PAUSE)


def serve(server: Server, port: int, tally: Tally) -> subprocess.Popen:
    """`mss server serve` (as bench/ingest.py starts it), ready; its log kept for the note."""
    log = server.data_dir / "serve.log"
    for _attempt in range(3):
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "mss", "server", "serve", "--data-dir",
                 str(server.data_dir), "--port", str(port)],
                env={**os.environ, "MSS_DATABASE_URL": server.database_url},
                stdout=subprocess.DEVNULL, stderr=sink,
            )  # fmt: skip
        try:
            wait_ready(f"http://127.0.0.1:{port}", process)
            return process
        except SystemExit:
            process.kill()
            process.wait(timeout=10)
            tally.note(f"serve did not start: {log.read_text()[-300:]}")
    raise RuntimeError(f"serve did not start: {log.read_text()[-300:]}")


def kill_serving(server: Server, batches: list[bytes], kills: int, rng: Random,
                 tally: Tally) -> None:  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = serve(server, port, tally)
    try:
        senders = [Sender(url, batches[part::2], tally) for part in range(2)]
        for sender in senders:
            sender.start()
        for _kill in range(kills):
            time.sleep(rng.uniform(0.1, 0.6))
            if not any(sender.is_alive() for sender in senders):
                break
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            tally.tried += 1
            process = serve(server, port, tally)
        for sender in senders:
            sender.join(timeout=300)
    finally:
        process.terminate()
        process.wait(timeout=10)


def kill_processing(server: Server, kills: int, rng: Random, tally: Tally) -> None:
    env = {**os.environ, "MSS_DATABASE_URL": server.database_url,
           "MSS_KEY_PASSPHRASE": PASSPHRASE}  # fmt: skip
    command = [sys.executable, "-m", "mss", "server", "process", "--data-dir",
               str(server.data_dir)]  # fmt: skip

    def pending() -> int:
        with server.sessions() as session:
            waiting = InboxEnvelope.state.not_in(("processed", "quarantined"))
            return session.scalar(select(func.count()).where(waiting)) or 0

    mid_run = 0
    for kill in range(kills * 2):
        before = pending()
        if before == 0 or mid_run == kills:
            break
        process = subprocess.Popen([*command, "--worker", f"killed-{kill}"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        # By the clock, not by watching the inbox: a SQLite reader can wait behind the
        # writer until its run is over. Start-up takes a second or more on a busy machine.
        time.sleep(rng.uniform(1.0, 4.0))
        if process.poll() is not None:
            if process.returncode != 0:
                tally.five_xx += 1
                tally.note(f"processor died: {process.stderr.read().decode()[-200:]}")
            continue  # it finished before the kill: no kill tried
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        tally.tried += 1
        mid_run += 0 < pending() < before
    tally.note(f"{mid_run} processor kills landed mid-run (after some envelopes, before all)")
    last = subprocess.run([*command, "--worker", "last"], env=env, capture_output=True,
                          check=False)  # fmt: skip
    if last.returncode != 0:
        tally.five_xx += 1
        tally.note(f"the last processor run failed: {last.stderr.decode()[-200:]}")


def run(database: str, quick: bool) -> Tally:
    batches_n, size, kills = (30, 5, 1) if quick else (240, 10, 6)
    rng = Random(12)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="mss-faults-") as folder:
        root = Path(folder)
        with database_url(database, root) as url:
            server = Server(root, url)
            try:
                batches = build_batches(server, batches_n, size)
                sent = [envelope.envelope_id for data in batches
                        for envelope in parse_signed_batch(data).batch.envelopes]  # fmt: skip
                kill_serving(server, batches, kills, rng, tally)
                serving_kills = tally.tried
                with server.sessions() as session:
                    rows = session.scalars(select(InboxEnvelope.envelope_id)).all()
                tally.got_through += len(set(rows) - set(sent))
                tally.lost += sum(1 for envelope_id in set(sent) if rows.count(envelope_id) != 1)
                kill_processing(server, kills, rng, tally)
                tally.note(f"serve killed {serving_kills} times mid-intake")
                held = responses_by_envelope(server.sessions)
                tally.lost += sum(1 for envelope_id in sent if not held.get(envelope_id))
                tally.duplicated += sum(max(0, count - 1) for count in held.values())
            finally:
                server.engine.dispose()
    return tally
