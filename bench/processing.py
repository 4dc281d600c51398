"""Processing against its floor, the bare HPKE-open loop, measured in the same run.

    .venv/bin/python bench/processing.py [--responses 20000] [--workers 2] [--no-postgres]
                                         [--no-sqlite] [--profile]

An inbox of real sealed CIPS responses (the officials questionnaire, several stations) is
bulk-inserted, then `mss server process`'s work (processor.openers.process_with_workers)
takes it to the central store, once on one process and once on `--workers`; between runs
the inbox is set back to pending. Printed, per store:
- the bare loop of HPKE opens of the same envelopes, per second on one core;
- processing per second per core used, and its share of the bare loop
  (target, issue 16: >= 50 %);
- the whole inbox, inbox to central store, on `--workers` processes: seconds
  (target: ~20,000 responses in < 5 s on 2 cores) and the ratio to 5 s.
Each rate is given twice: per wall-clock second, and per CPU second (this process and the
processes it forked; os.times), which other work on the machine leaves nearly unchanged. On
PostgreSQL the CPU seconds leave out the database server's own.
`--profile` prints where a one-process run spends its time (cProfile, top 25).
The CLI's fixed start (imports, key unlock, migration check) is not in these figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy import delete, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import (  # noqa: E402
    Server,
    StoreAt,
    bare_open_loop,
    build_batches,
    bulk_insert,
    now,
    postgres_store,
    sqlite_store,
)
from sync_server.processor.openers import process_with_workers  # noqa: E402
from sync_server.store import make_engine, make_session_factory  # noqa: E402
from sync_server.store.models import InboxEnvelope, ResponseRecord  # noqa: E402

BATCH = 100
TARGET_SHARE = 0.5
TARGET_SECONDS = 5.0


def back_to_pending(server: Server) -> None:
    with server.sessions() as session, session.begin():
        session.execute(delete(ResponseRecord))
        session.execute(
            update(InboxEnvelope).values(state="pending", claimed_by=None, claimed_at=None)
        )


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed_run(server: Server, url: str, workers: int, expected: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of processing the whole inbox."""
    back_to_pending(server)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    report = process_with_workers(
        server.sessions, server.private_key, workers=workers, clock=now, chunk_size=500,
        fresh_sessions=lambda: make_session_factory(make_engine(url)),
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    assert (report.processed, report.quarantined) == (expected, 0), report
    return seconds, cpu


def profiled_run(server: Server, url: str, expected: int) -> None:
    profile = cProfile.Profile()
    profile.enable()
    timed_run(server, url, 1, expected)
    profile.disable()
    print("\nwhere one process spends its time (cProfile, by own time):")
    pstats.Stats(profile).sort_stats("tottime").print_stats(25)


def measure(label: str, store_at: StoreAt, responses: int, workers: int, profile: bool) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp,
        store_at(Path(tmp) / "c.db") as url,
    ):
        server = Server(Path(tmp), url)
        batches = build_batches(server, -(-responses // BATCH), BATCH)
        total = len(batches) * BATCH
        bulk_insert(url, server, batches)
        bare_seconds, opened = bare_open_loop(server, batches)
        bare_cpu, _ = bare_open_loop(server, batches, clock=time.process_time)
        one, one_cpu = timed_run(server, url, 1, total)
        many, many_cpu = timed_run(server, url, workers, total)
        if profile:
            profiled_run(server, url, total)
        server.engine.dispose()
    cores = min(workers, os.cpu_count() or 1)
    bare_rate = opened / bare_seconds
    one_rate = total / one
    many_rate = total / many / cores
    print(f"\n== {label}: {total} responses, {os.cpu_count()} cores here")
    print(f"bare HPKE open loop      {bare_rate:10.0f} opens/s on one core")
    target = f"(target >= {TARGET_SHARE:.0%})"
    print(f"processing, 1 process    {one_rate:10.0f} responses/s per core  "
          f"{one_rate / bare_rate:6.0%} of the bare loop {target}")  # fmt: skip
    print(f"processing, {workers} processes  {many_rate:10.0f} responses/s per core  "
          f"{many_rate / bare_rate:6.0%} of the bare loop ({cores} cores used)")  # fmt: skip
    print("per CPU second (load on the machine barely moves these):")
    bare_cpu_rate = opened / bare_cpu
    print(f"bare HPKE open loop      {bare_cpu_rate:10.0f} opens per CPU s")
    for name, cpu in (("1 process", one_cpu), (f"{workers} processes", many_cpu)):
        rate = total / cpu
        print(f"processing, {name:11s}  {rate:10.0f} responses per CPU s  "
              f"{rate / bare_cpu_rate:6.0%} of the bare loop {target}")  # fmt: skip
    print(f"inbox to central store   {many:10.2f} s for {total} on {workers} processes "
          f"({one:.2f} s on one)")  # fmt: skip
    print(f"ratio to {TARGET_SECONDS:.0f} s             {many / TARGET_SECONDS:10.2f}x"
          "          (target < 1 for ~20,000)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile a one-process run")
    args = parser.parse_args()
    if not args.no_sqlite:
        measure("SQLite", sqlite_store, args.responses, args.workers, args.profile)
    if not args.no_postgres:
        try:
            measure("PostgreSQL", postgres_store, args.responses, args.workers, args.profile)
        except psycopg.OperationalError as error:
            print(f"PostgreSQL not reachable ({error}); its figures skipped")


if __name__ == "__main__":
    main()
