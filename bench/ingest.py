"""Intake and processing throughput, each against its baseline measured in the same run.

    .venv/bin/python bench/ingest.py [--batches 100] [--batch-size 100] [--no-postgres]
                                     [--no-sqlite] [--intake-only] [--no-stand-in]

1. HTTP intake: signed batches of 100 real sealed responses POSTed to `mss server serve`
   (uvicorn, a separate process) — responses per second — against a bulk insert of the same
   inbox rows straight into the same kind of database. Targets: >= 2,000 responses/s and
   within 3x of the bulk insert. The intake rate is also printed per 10,000 stored
   responses, with the last slice's ratio to the first: a store that slows as it grows
   shows a slope there (issue 16: PostgreSQL once fell from 1,580/s to 260/s by 50,000).
   On PostgreSQL the sequential scans of `batches` and `inbox` follow (pg_stat_user_tables).
   Where PostgreSQL's autovacuum is off, a stand-in ANALYZEs as it would (revision 0012's
   thresholds); --no-stand-in shows the slope stale statistics give.
2. Processing: `process_inbox` over what was ingested, against a bare loop of HPKE opens of
   the same sealed bytes. Target: within 2x of the bare loop. bench/processing.py measures
   processing alone, per core and on several processes, against the same floor.
Run on SQLite and, when it answers, on PostgreSQL (MSS_TEST_POSTGRES_URL or the local one).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import Engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import KdfCost, StationKey, open_sealed  # noqa: E402
from miniatures.postgres_schemas import fresh_schema  # noqa: E402
from miniatures.traffic import (  # noqa: E402
    BenchStation,
    enrol_in_sierra_leone,
    officials_spec,
    random_answers,
    response_payload,
)
from protocol import seal_info_of  # noqa: E402
from protocol.codec import parse_signed_batch  # noqa: E402
from questionnaire_specs import canonical_json as spec_json  # noqa: E402
from sync_server.ingest import register_spec  # noqa: E402
from sync_server.ingest.specs import register_survey_key  # noqa: E402
from sync_server.processor import process_inbox  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402
from sync_server.store.models import BatchRecord, InboxEnvelope  # noqa: E402
from sync_server.survey_keys import SurveyKeyFiles  # noqa: E402

PASSPHRASE = "a bench survey key passphrase"  # noqa: S105 - a throwaway key in a temporary directory


def now() -> datetime:
    return datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A data dir with keys, spec and one enrolled station, served by `mss server serve`."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.engine = make_engine(database_url)
        upgrade_to_head(self.engine)
        self.sessions = make_session_factory(self.engine)
        keys = SurveyKeyFiles(data_dir)
        keys.create(PASSPHRASE, cost=KdfCost.FAST)
        self.private_key = keys.unlock(PASSPHRASE)
        spec = officials_spec()
        self.spec = spec
        self.identity = register_spec(self.sessions, spec_json(spec), clock=now)
        register_survey_key(self.sessions, "SL", keys.public_key().to_text(), clock=now)
        self.public_key = keys.public_key()

    def enrol(self) -> BenchStation:
        key = StationKey.generate()
        station_id = enrol_in_sierra_leone(self.sessions, key, now)
        return BenchStation(
            station_id, key, self.identity, self.public_key, self.spec,
            rng=random.Random(station_id),
        )  # fmt: skip

    def serve(self, port: int) -> subprocess.Popen:
        env = {**os.environ, "MSS_DATABASE_URL": self.database_url}
        return subprocess.Popen(
            [sys.executable, "-m", "mss", "server", "serve", "--data-dir", str(self.data_dir),
             "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip


def build_batches(server: Server, batches: int, size: int) -> list[bytes]:
    import random

    rng = random.Random(11)
    stations = [server.enrol() for _ in range(4)]  # several stations, as in the field
    made = []
    for number in range(batches):
        station = stations[number % len(stations)]
        envelopes = [
            station.envelope(response_payload(server.spec, random_answers(server.spec, rng)))
            for _ in range(size)
        ]
        made.append(station.batch_bytes(envelopes))
    return made


def wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server did not start")
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer")


SLICE = 10_000  # responses per printed slice of the intake rate


class IntakeClock:
    """When each further SLICE responses were stored, across the sending threads."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.stored = 0
        self.marks: list[float] = []
        self.started = 0.0
        self._lock = threading.Lock()

    def start(self) -> None:
        self.started = time.perf_counter()

    def stored_one(self) -> None:
        with self._lock:
            self.stored += self.batch_size
            if self.stored % SLICE < self.batch_size:
                self.marks.append(time.perf_counter())

    def slice_rates(self) -> list[float]:
        """Responses per second in each whole slice of SLICE responses."""
        edges = [self.started, *self.marks]
        return [SLICE / (later - earlier) for earlier, later in zip(edges, edges[1:], strict=False)]


class AutovacuumStandIn:
    """What autovacuum's analyse would do, for a PostgreSQL whose autovacuum is off (as on
    the shared bench machine; deploy/README.md requires it on): once a second, ANALYZE each
    of the store's tables that changed more than its own threshold (the reloptions of
    revision 0012, else PostgreSQL's defaults: 50 rows + 10 %)."""

    INTERVAL_S = 1.0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.analysed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> AutovacuumStandIn:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            while not self._stop.wait(self.INTERVAL_S):
                db.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
                rows = db.exec_driver_sql(
                    "SELECT s.relname, s.n_mod_since_analyze, c.reltuples, c.reloptions"
                    " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                    " WHERE s.schemaname = current_schema()"
                ).all()
                for name, changed, tuples, options in rows:
                    settings = dict(option.split("=", 1) for option in options or [])
                    threshold = float(settings.get("autovacuum_analyze_threshold", 50))
                    scale = float(settings.get("autovacuum_analyze_scale_factor", 0.1))
                    if changed > threshold + scale * max(tuples, 0):
                        db.exec_driver_sql(f'ANALYZE "{name}"')
                        self.analysed += 1


def stand_in_for(engine: Engine, wanted: bool) -> AutovacuumStandIn | None:
    """A stand-in when PostgreSQL's autovacuum is off and the run wants one."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        off = connection.exec_driver_sql("SHOW autovacuum").scalar_one() != "on"
    if off:
        print("PostgreSQL's autovacuum is off: "
              + ("ANALYZE by a stand-in" if wanted else "no ANALYZE (--no-stand-in)"))  # fmt: skip
    return AutovacuumStandIn(engine) if off and wanted else None


@contextlib.contextmanager
def serving(server: Server) -> Iterator[tuple[str, subprocess.Popen]]:
    """`mss server serve` on a free port, answering: (its URL, its process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = server.serve(port)
    try:
        wait_ready(url, process)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def send_batches(url: str, batches: list[bytes], clients: int, clock: IntakeClock) -> float:
    """POST every batch from `clients` threads; the seconds it took."""
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}

    def send(chunk: list[bytes]) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for data in chunk:
                reply = client.post("/v1/batches", content=data, headers=headers)
                if reply.status_code != 200:
                    raise SystemExit(f"intake refused a batch: {reply.text}")
                clock.stored_one()

    parts = [batches[i::clients] for i in range(clients)]
    clock.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, parts))
    return time.perf_counter() - started


def http_intake(server: Server, batches: list[bytes], clients: int, clock: IntakeClock) -> float:
    with serving(server) as (url, _process):
        return send_batches(url, batches, clients, clock)


def bulk_insert(database_url: str, server: Server, batches: list[bytes]) -> float:
    """The same inbox rows, inserted directly: no HTTP, no verification, no dedup."""
    rows, batch_rows = [], []
    for data in batches:
        signed = parse_signed_batch(data)
        batch = signed.batch
        batch_rows.append(
            {"batch_id": batch.batch_id, "station_id": batch.station_id,
             "batch_seq": batch.batch_seq, "content_sha256": "0" * 64, "received_at": now(),
             "envelope_count": len(batch.envelopes), "via": "http", "signature": ""}
        )  # fmt: skip
        for envelope in batch.envelopes:
            rows.append(
                {"envelope_id": envelope.envelope_id, "station_id": batch.station_id,
                 "seq": envelope.seq, "prev_hash": envelope.prev, "spec_id": envelope.spec.id,
                 "spec_version": envelope.spec.version, "spec_sha256": envelope.spec.sha256,
                 "sealed": base64.b64decode(envelope.sealed), "envelope_hash": "0" * 64,
                 "batch_id": batch.batch_id, "received_at": now(), "state": "pending",
                 "envelope_v": envelope.v, "key_id": envelope.key_id}
            )  # fmt: skip
    size = len(rows) // len(batches)
    started = time.perf_counter()
    for number, batch_row in enumerate(batch_rows):
        with server.sessions() as session, session.begin():
            session.execute(insert(BatchRecord), [batch_row])
            session.execute(insert(InboxEnvelope), rows[number * size : (number + 1) * size])
    return time.perf_counter() - started


def table_scans(server: Server) -> dict[str, tuple[int, int]]:
    """(seq_scan, seq_tup_read) of the intake tables on PostgreSQL; {} on SQLite."""
    if server.engine.dialect.name != "postgresql":
        return {}
    with server.engine.connect() as connection:
        connection.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        rows = connection.exec_driver_sql(
            "SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables"
            " WHERE schemaname = current_schema()"
            " AND relname IN ('batches', 'inbox', 'quarantine', 'receipts', 'stations')"
        )
        return {name: (scans, read) for name, scans, read in rows}


def print_slices(clock: IntakeClock) -> None:
    rates = clock.slice_rates()
    if len(rates) < 2:
        return
    for number, rate in enumerate(rates, start=1):
        print(f"  intake at {number * SLICE:7d} stored {rate:10.0f} responses/s")
    print(f"  last slice / first   {rates[-1] / rates[0]:10.2f}x          (flat: ~1.0)")


def bare_open_loop(
    server: Server, batches: list[bytes], clock: Callable[[], float] = time.perf_counter
) -> tuple[float, int]:
    """(seconds on `clock`, opens) of opening every envelope of `batches`, nothing else."""
    items = []
    for data in batches:
        batch = parse_signed_batch(data).batch
        for envelope in batch.envelopes:
            info = seal_info_of(
                envelope.v, envelope.envelope_id, envelope.spec, batch.station_id, envelope.key_id
            )
            items.append((base64.b64decode(envelope.sealed), info))
    started = clock()
    for sealed, info in items:
        open_sealed(sealed, server.private_key, info=info)
    return clock() - started, len(items)


StoreAt = Callable[[Path], contextlib.AbstractContextManager[str]]


def sqlite_store(path: Path) -> contextlib.AbstractContextManager[str]:
    return contextlib.nullcontext(f"sqlite:///{path}")


def postgres_store(_path: Path) -> contextlib.AbstractContextManager[str]:
    return fresh_schema("bench")  # dropped after the run


@dataclass(frozen=True)
class Run:
    batches: int
    size: int
    intake_only: bool = False
    stand_in: bool = True  # ANALYZE as autovacuum would, where it is off


def measure(label: str, store_at: StoreAt, run: Run) -> None:
    try:
        _measure(label, store_at, run)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); {label} figures skipped")


def _measure(label: str, store_at: StoreAt, run: Run) -> None:
    batches_n, size, intake_only = run.batches, run.size, run.intake_only
    with (
        tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp,
        store_at(Path(tmp) / "c.db") as url,
    ):
        server = Server(Path(tmp), url)
        batches = build_batches(server, batches_n, size)
        responses = batches_n * size
        clock = IntakeClock(size)
        scans_before = table_scans(server)
        stand_in = stand_in_for(server.engine, run.stand_in)
        with stand_in or contextlib.nullcontext():
            seconds = http_intake(server, batches, clients=2, clock=clock)
        scans = {
            name: (count - scans_before[name][0], read - scans_before[name][1])
            for name, (count, read) in table_scans(server).items()
        }
        intake_rate = responses / seconds
        bare_seconds, opened = 0.0, 0
        if not intake_only:
            processing = process_inbox(server.sessions, server.private_key, clock=now)
            assert processing.processed == responses, processing
            bare_seconds, opened = bare_open_loop(server, batches)
        server.engine.dispose()

    with (
        tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp,
        store_at(Path(tmp) / "c.db") as url,
    ):
        baseline_server = Server(Path(tmp), url)
        baseline_batches = build_batches(baseline_server, batches_n, size)
        bulk_seconds = bulk_insert(url, baseline_server, baseline_batches)
        started = time.perf_counter()
        if not intake_only:
            process_inbox(baseline_server.sessions, baseline_server.private_key, clock=now)
        process_seconds = time.perf_counter() - started
        baseline_server.engine.dispose()

    bulk_rate = responses / bulk_seconds
    print(f"\n== {label}: {responses} responses in batches of {size}")
    print(f"HTTP intake           {intake_rate:10.0f} responses/s   (target >= 2000)")
    print(f"bulk insert baseline  {bulk_rate:10.0f} responses/s")
    print(f"ratio bulk/intake     {bulk_rate / intake_rate:10.2f}x          (target <= 3x)")
    print_slices(clock)
    for name, (count, read) in sorted(scans.items()):
        print(f"  seq scans of {name:10} {count:8d} scans {read:10d} rows read during intake")
    if intake_only:
        return
    process_rate = responses / process_seconds
    open_rate = opened / bare_seconds
    print(f"processing            {process_rate:10.0f} responses/s")
    print(f"bare HPKE open loop   {open_rate:10.0f} opens/s")
    print(f"ratio open/process    {open_rate / process_rate:10.2f}x          (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--no-stand-in", action="store_true", help="no ANALYZE where autovacuum is off"
    )
    parser.add_argument(
        "--intake-only", action="store_true", help="skip processing (the intake slope alone)"
    )
    args = parser.parse_args()
    run = Run(args.batches, args.batch_size, args.intake_only, not args.no_stand_in)
    if not args.no_sqlite:
        measure("SQLite", sqlite_store, run)
    if not args.no_postgres:
        measure("PostgreSQL", postgres_store, run)


if __name__ == "__main__":
    main()
