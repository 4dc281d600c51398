"""Several of each on PostgreSQL: two intake workers (`mss server serve`, two processes on
two ports) and two processors (`mss server process`, run again and again, as the timer
does; one of them with --workers 2) on one database, while 20 real SQLCipher stations
sync concurrently through both workers in turn.

At the end every finished response is in the central store exactly once, each station's
receipts name exactly its outbox, no request got a 5xx, no process logged an error, and
nothing waited on anything for ever: a processor skips rows another transaction holds
(SELECT … FOR UPDATE SKIP LOCKED) instead of waiting for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from crypto import KdfCost
from device_app.station import Station
from miniatures.postgres_schemas import libpq_dsn
from protocol import Receipt
from sync_server.app import create_app
from sync_server.ingest import register_spec, register_survey_key
from sync_server.settings import Settings
from sync_server.store.models import InboxEnvelope, ReceiptRecord, ResponseRecord
from sync_server.survey_keys import SurveyKeyFiles
from tests.contract.world import (
    COUNTRY,
    AsgiBridge,
    World,
    free_port,
    seal_records,
    spec_bodies,
    wait_until,
)
from tests.deploy.postgres_databases import own_database

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
STATIONS = 20
ROUNDS = 3
PER_ROUND = 10  # responses each station finishes before each of its syncs
KEY_PASSPHRASE = "the processor's long survey key passphrase"
HELD = 10  # pending rows a stalled transaction keeps locked while the processors run
PROCESSORS = ("processor-a", "processor-b")
# processor-b runs with --workers 2: two forked processors, claiming as processor-b-1 and -2
CLAIMERS = {"processor-a", "processor-b-1", "processor-b-2"}


class StatusLog(httpx.BaseTransport):
    """Real HTTP; every status the workers answered, so a 5xx cannot hide behind a retry."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        with self._lock:
            self.statuses[response.status_code] += 1
        return response


def _start_worker(data_dir: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "mss", "server", "serve", "--data-dir", str(data_dir),
             "--port", str(port), "--no-migrate"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class ProcessorLoop:
    """`mss server process` run again and again until told the stations are done, then
    once more (it drains what is pending and exits, as under deploy/mss-processor.timer)."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.command = [sys.executable, "-m", "mss", "server", "process", "--data-dir",
                        str(data_dir), "--worker", name]  # fmt: skip
        if name == "processor-b":
            self.command += ["--workers", "2"]
        self.env = env
        self.log = log
        self.runs = 0
        self.failures: list[str] = []
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self.name} did not finish: stuck on a lock?"

    def _loop(self) -> None:
        while True:
            last = self.done.is_set()
            run = subprocess.run(
                self.command, cwd=ROOT, env=self.env, capture_output=True, text=True,
                timeout=60, check=False,
            )  # fmt: skip
            with self.log.open("a") as sink:
                sink.write(run.stdout + run.stderr)
            if run.returncode != 0:
                self.failures.append(run.stderr[-2000:])
            self.runs += 1
            if last:
                return


def test_two_workers_and_two_processors_count_every_response_once(tmp_path: Path) -> None:
    with own_database("mss_h7_workers") as database_url:
        data_dir = tmp_path / "server"
        data_dir.mkdir(mode=0o700)
        settings = Settings(data_dir=data_dir, database_url=database_url)
        app = create_app(settings)  # migrates once; the workers start with --no-migrate
        keys = SurveyKeyFiles(data_dir)
        keys.create(KEY_PASSPHRASE, cost=KdfCost.FAST)
        world = World(root=tmp_path, settings=settings, app=app,
                      survey_key=keys.unlock(KEY_PASSPHRASE))  # fmt: skip
        world.transport = AsgiBridge(app)
        register_survey_key(world.session_factory, COUNTRY, keys.public_key().to_text(),
                            clock=world.clock)  # fmt: skip
        for body in spec_bodies():
            register_spec(world.session_factory, body, clock=world.clock)

        env = {**os.environ, "MSS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
               "MSS_KEY_PASSPHRASE": KEY_PASSPHRASE}  # fmt: skip
        ports = (free_port(), free_port())
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        logs = [tmp_path / f"worker-{port}.log" for port in ports]
        workers = [_start_worker(data_dir, env, p, log) for p, log in zip(ports, logs, strict=True)]
        processors = [ProcessorLoop(name, data_dir, env, tmp_path / f"{name}.log")
                      for name in PROCESSORS]  # fmt: skip
        try:
            for url, worker in zip(urls, workers, strict=True):
                wait_until(lambda u=url, w=worker: _ready(u) or w.poll() is not None, 30)
                assert worker.poll() is None, f"the worker at {url} exited"
            _run_the_field(world, urls, processors, database_url)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=10)
            for processor in processors:
                processor.done.set()
            app.state.server.engine.dispose()  # type: ignore[attr-defined]

        for log in [*logs, *(tmp_path / f"{name}.log" for name in PROCESSORS)]:
            text = log.read_text(errors="replace")
            for sign in ("Traceback", "ERROR", "Exception", "deadlock"):
                assert sign not in text, f"{log.name}:\n{text[-3000:]}"


def _run_the_field(
    world: World, urls: list[str], processors: list[ProcessorLoop], database_url: str
) -> None:
    http = StatusLog()
    world.transport = http
    names = [f"station-{number:02d}" for number in range(STATIONS)]
    for number, name in enumerate(names):  # enrolment over HTTP too, through both workers
        world.server_url = urls[number % 2]
        world.station(name).close()
    stations = [world.unlock(name) for name in names]

    def one_round(round_number: int) -> None:
        def sync_one(number: int) -> None:
            station = stations[number]
            seal_records(station, PER_ROUND)
            report = station.sync(server_url=urls[(number + round_number) % 2])
            assert report.problems == [] and report.pending_after == 0, report

        with ThreadPoolExecutor(STATIONS) as pool:
            list(pool.map(sync_one, range(STATIONS)))

    try:
        one_round(0)
        # A stalled processor: a transaction that holds some pending rows and does not let go.
        stalled = psycopg.connect(libpq_dsn(database_url))
        held = [
            row[0]
            for row in stalled.execute(
                "SELECT envelope_id FROM inbox WHERE state = 'pending' "
                "ORDER BY received_at, envelope_id LIMIT %s FOR UPDATE",
                (HELD,),
            )
        ]
        assert len(held) == HELD
        for processor in processors:
            processor.start()
        for round_number in range(1, ROUNDS):
            one_round(round_number)
        # Both processors finish runs while the rows are held: they skipped them, not waited.
        runs_before = [processor.runs for processor in processors]
        wait_until(lambda: all(p.runs > r for p, r in zip(processors, runs_before, strict=True)),
                   60)  # fmt: skip
        with world.session_factory() as session:
            states = session.scalars(
                select(InboxEnvelope.state).where(InboxEnvelope.envelope_id.in_(held))
            ).all()
        assert states == ["pending"] * HELD
        stalled.rollback()
        stalled.close()
        for processor in processors:
            processor.done.set()
        for processor in processors:
            processor.join(90)
        for processor in processors:
            assert processor.failures == [], processor.failures
        _check_exactly_once(world, stations, http)
    finally:
        for station in stations:
            station.close()


def _check_exactly_once(world: World, stations: list[Station], http: StatusLog) -> None:
    assert [status for status in http.statuses if status >= 500] == [], http.statuses
    total = STATIONS * ROUNDS * PER_ROUND
    outboxes = {
        station.station_id: {entry.envelope_id: entry for entry in station._store.entries()}
        for station in stations
    }
    for station in stations:
        status = station.status()
        sent = ROUNDS * PER_ROUND
        assert (status.pending, status.acknowledged, status.last_seq) == (0, sent, sent)
    with world.session_factory() as session:
        stored = Counter(
            (sid, eid)
            for sid, eid in session.execute(
                select(ResponseRecord.station_id, ResponseRecord.envelope_id)
            )
        )
        inbox = Counter(
            (state, by)
            for state, by in session.execute(select(InboxEnvelope.state, InboxEnvelope.claimed_by))
        )
        receipts = {
            batch_id: Receipt.model_validate_json(text)
            for batch_id, text in session.execute(
                select(ReceiptRecord.batch_id, ReceiptRecord.receipt)
            )
        }
        responses = session.scalar(select(func.count()).select_from(ResponseRecord))
    # Exactly once: every finished response stored, none twice, nothing else.
    assert responses == total
    assert max(stored.values()) == 1
    finished = {(sid, eid) for sid, entries in outboxes.items() for eid in entries}
    assert set(stored) == finished
    assert sum(inbox.values()) == total
    assert {state for state, _by in inbox} == {"processed"}
    claimed = Counter({by: count for (_state, by), count in inbox.items()})
    assert set(claimed) <= CLAIMERS, claimed
    # Receipts agree: the batch that acknowledged each envelope names it accepted.
    named: dict[str, set[str]] = {}
    for station_id, entries in outboxes.items():
        for envelope_id, entry in entries.items():
            assert entry.state == "acknowledged" and entry.batch_id in receipts
            results = {r.envelope_id: r.status for r in receipts[entry.batch_id].results}
            assert results.get(envelope_id) == "accepted"
            named.setdefault(station_id, set()).update(results)
        assert named[station_id] == set(entries)
    print(f"claimed per processor: {dict(claimed)}; statuses: {dict(http.statuses)}")
