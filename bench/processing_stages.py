"""Where one-process processing's CPU goes, per response: the chunk's database statements
against the opening, timed apart in the same run.

    .venv/bin/python bench/processing_stages.py [--responses 5000] [--db sqlite|postgres]
                                                [--runs 3]

An inbox of real sealed CIPS officials responses (bench/ingest.py's) is bulk-inserted and
processed `--runs` times (set back to pending between runs), chunks of 500. Each stage of
sync_server/processor/run.py (the claim, the copies lookup, the insert, the marking, the
commit) and loading.py's whole opening of one envelope are wrapped with
time.process_time, so each figure is this process's CPU per response (on PostgreSQL the
server's own CPU is not in it). The wrapping itself costs about a microsecond a call.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import SessionTransaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import (  # noqa: E402
    Server,
    build_batches,
    bulk_insert,
    now,
    postgres_store,
    sqlite_store,
)
from bench.processing import back_to_pending  # noqa: E402
from sync_server.processor import loading, run  # noqa: E402

STAGES = {run: ("_claim", "_Copies", "_insert_many", "_mark"), loading: ("load_envelope",)}


def timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - started

    return wrapper


def instrument(spent: dict[str, float]) -> None:
    for module, names in STAGES.items():
        for name in names:
            setattr(module, name, timed(spent, name, getattr(module, name)))
    # run.py calls load_envelope by the name it imported.
    run.load_envelope = loading.load_envelope
    SessionTransaction.commit = timed(spent, "commit", SessionTransaction.commit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=5_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spent: dict[str, float] = {}
    instrument(spent)
    store_at = sqlite_store if args.db == "sqlite" else postgres_store
    total = -(-args.responses // 100) * 100
    with (
        tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp,
        store_at(Path(tmp) / "c.db") as url,
    ):
        server = Server(Path(tmp), url)
        bulk_insert(url, server, build_batches(server, total // 100, 100))
        print(f"{args.db}, {total} responses, chunks of 500: us of this process's CPU per response")
        for number in range(args.runs):
            back_to_pending(server)
            spent.clear()
            started = time.process_time()
            report = run.process_inbox(server.sessions, server.private_key, clock=now,
                                       chunk_size=500)  # fmt: skip
            whole = time.process_time() - started
            assert report.processed == total, report
            stages = ", ".join(f"{name} {seconds / total * 1e6:.1f}"
                               for name, seconds in spent.items())  # fmt: skip
            print(f"run {number + 1}: all {whole / total * 1e6:.1f}; {stages}")
        server.engine.dispose()


if __name__ == "__main__":
    main()
