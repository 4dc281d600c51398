"""Intake and processing throughput, each against its baseline measured in the same run.

    .venv/bin/python bench/ingest.py [--batches 100] [--batch-size 100] [--no-postgres]

1. HTTP intake: signed batches of 100 real sealed responses POSTed to `mss server serve`
   (uvicorn, a separate process) — responses per second — against a bulk insert of the same
   inbox rows straight into the same kind of database. Targets: >= 2,000 responses/s and
   within 3x of the bulk insert.
2. Processing: `process_inbox` over what was ingested, against a bare loop of HPKE opens of
   the same sealed bytes. Target: within 2x of the bare loop.
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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import insert

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


def http_intake(server: Server, batches: list[bytes], clients: int) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = server.serve(port)
    try:
        wait_ready(url, process)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}

        def send(chunk: list[bytes]) -> None:
            with httpx.Client(base_url=url, timeout=60) as client:
                for data in chunk:
                    reply = client.post("/v1/batches", content=data, headers=headers)
                    if reply.status_code != 200:
                        raise SystemExit(f"intake refused a batch: {reply.text}")

        parts = [batches[i::clients] for i in range(clients)]
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(send, parts))
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)


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
                 "batch_id": batch.batch_id, "received_at": now(), "state": "pending"}
            )  # fmt: skip
    size = len(rows) // len(batches)
    started = time.perf_counter()
    for number, batch_row in enumerate(batch_rows):
        with server.sessions() as session, session.begin():
            session.execute(insert(BatchRecord), [batch_row])
            session.execute(insert(InboxEnvelope), rows[number * size : (number + 1) * size])
    return time.perf_counter() - started


def bare_open_loop(server: Server, batches: list[bytes]) -> tuple[float, int]:
    items = []
    for data in batches:
        batch = parse_signed_batch(data).batch
        for envelope in batch.envelopes:
            info = seal_info_of(envelope.v, envelope.envelope_id, envelope.spec, batch.station_id)
            items.append((base64.b64decode(envelope.sealed), info))
    started = time.perf_counter()
    for sealed, info in items:
        open_sealed(sealed, server.private_key, info=info)
    return time.perf_counter() - started, len(items)


StoreAt = Callable[[Path], contextlib.AbstractContextManager[str]]


def sqlite_store(path: Path) -> contextlib.AbstractContextManager[str]:
    return contextlib.nullcontext(f"sqlite:///{path}")


def postgres_store(_path: Path) -> contextlib.AbstractContextManager[str]:
    return fresh_schema("bench")  # dropped after the run


def measure(label: str, store_at: StoreAt, batches_n: int, size: int) -> None:
    try:
        _measure(label, store_at, batches_n, size)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); {label} figures skipped")


def _measure(label: str, store_at: StoreAt, batches_n: int, size: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp,
        store_at(Path(tmp) / "c.db") as url,
    ):
        server = Server(Path(tmp), url)
        batches = build_batches(server, batches_n, size)
        responses = batches_n * size
        seconds = http_intake(server, batches, clients=2)
        intake_rate = responses / seconds
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
        process_inbox(baseline_server.sessions, baseline_server.private_key, clock=now)
        process_seconds = time.perf_counter() - started
        baseline_server.engine.dispose()

    bulk_rate = responses / bulk_seconds
    print(f"\n== {label}: {responses} responses in batches of {size}")
    print(f"HTTP intake           {intake_rate:10.0f} responses/s   (target >= 2000)")
    print(f"bulk insert baseline  {bulk_rate:10.0f} responses/s")
    print(f"ratio bulk/intake     {bulk_rate / intake_rate:10.2f}x          (target <= 3x)")
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
    args = parser.parse_args()
    measure("SQLite", sqlite_store, args.batches, args.batch_size)
    if not args.no_postgres:
        measure("PostgreSQL", postgres_store, args.batches, args.batch_size)


if __name__ == "__main__":
    main()
