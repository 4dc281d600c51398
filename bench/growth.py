"""How intake and processing cost grows with the store: time and peak memory at 1k, 10k, 100k.

    .venv/bin/python bench/growth.py [--sizes 1000 10000 100000] [--db sqlite|postgres]

For each size, a fresh store. Intake: signed batches of 100 real sealed responses POSTed by
two clients to `mss server serve` (a separate process; its peak resident memory, VmHWM, read
from /proc before it stops). Processing: `process_inbox` (chunks of 200) in a fresh process
of its own, so its peak memory is its own, printed beside what it held once its imports and
key were loaded. Then the fitted exponent b of time = a * n^b (least squares on log-log;
1.0 is linear; the target is <= 1.1), the same between the two largest sizes (the smallest
is mostly fixed cost), and the memory growth from the smallest size to the
largest (the target: bounded by the chunk, not the inbox: under 1.5x).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import (  # noqa: E402
    PASSPHRASE,
    IntakeClock,
    Server,
    build_batches,
    now,
    send_batches,
    serving,
)
from miniatures.postgres_schemas import fresh_schema  # noqa: E402

BATCH = 100


def memory_kib(pid: int | str, field: str) -> int:
    """A VmRSS / VmHWM figure of a live process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _process_in_child(database_url: str, data_dir: str, answer: multiprocessing.Queue) -> None:
    from sync_server.processor import process_inbox
    from sync_server.store import make_engine, make_session_factory
    from sync_server.survey_keys import SurveyKeyFiles

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    private_key = SurveyKeyFiles(Path(data_dir)).unlock(PASSPHRASE)
    before = memory_kib("self", "VmRSS")
    started = time.perf_counter()
    report = process_inbox(sessions, private_key, clock=now)
    seconds = time.perf_counter() - started
    answer.put((report.processed, seconds, before, memory_kib("self", "VmHWM")))
    engine.dispose()


def process_apart(database_url: str, data_dir: Path) -> tuple[int, float, int, int]:
    """(processed, seconds, KiB before, peak KiB) of a processing run in its own process."""
    spawn = multiprocessing.get_context("spawn")
    answer: multiprocessing.Queue = spawn.Queue()
    child = spawn.Process(target=_process_in_child, args=(database_url, str(data_dir), answer))
    child.start()
    result = answer.get(timeout=3600)
    child.join()
    return result


@contextlib.contextmanager
def store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "postgres":
        with fresh_schema("growth") as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'central.db'}"


def fitted_exponent(sizes: list[int], seconds: list[float]) -> float:
    xs = [math.log(n) for n in sizes]
    ys = [math.log(s) for s in seconds]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return covariance / sum((x - mean_x) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    rows = []
    print(f"== {args.db}: responses through intake (HTTP, 2 clients) and processing")
    print(f"{'responses':>10} {'intake s':>9} {'/s':>7} {'serve peak MiB':>15} "
          f"{'process s':>10} {'/s':>7} {'process MiB before/peak':>24}")  # fmt: skip
    for size in sizes:
        with (
            tempfile.TemporaryDirectory(prefix="mss-growth-") as tmp,
            store(args.db, Path(tmp)) as url,
        ):
            server = Server(Path(tmp), url)
            batches = build_batches(server, size // BATCH, BATCH)
            with serving(server) as (address, process):
                intake_s = send_batches(address, batches, 2, IntakeClock(BATCH))
                serve_peak = memory_kib(process.pid, "VmHWM")
            del batches
            server.engine.dispose()
            processed, process_s, before, peak = process_apart(url, Path(tmp))
            assert processed == size, (processed, size)
        rows.append((size, intake_s, serve_peak, process_s, before, peak))
        print(f"{size:>10} {intake_s:9.2f} {size / intake_s:7.0f} {serve_peak / 1024:15.0f} "
              f"{process_s:10.2f} {size / process_s:7.0f} "
              f"{before / 1024:14.0f} / {peak / 1024:.0f}")  # fmt: skip

    if len(rows) < 2:
        return
    ns = [row[0] for row in rows]
    intake_b = fitted_exponent(ns, [row[1] for row in rows])
    process_b = fitted_exponent(ns, [row[3] for row in rows])
    serve_growth = rows[-1][2] / rows[0][2]
    process_growth = (rows[-1][5] - rows[-1][4]) / max(rows[0][5] - rows[0][4], 1)
    print(f"fitted exponent, intake       {intake_b:6.2f}   (1.0 = linear; target <= 1.1: "
          f"{'met' if intake_b <= 1.1 else 'NOT met'})")  # fmt: skip
    print(f"fitted exponent, processing   {process_b:6.2f}   (target <= 1.1: "
          f"{'met' if process_b <= 1.1 else 'NOT met'})")  # fmt: skip
    if len(rows) > 2:
        # The smallest size is mostly fixed cost: the largest two show the slope alone.
        top_intake = fitted_exponent(ns[-2:], [row[1] for row in rows[-2:]])
        top_process = fitted_exponent(ns[-2:], [row[3] for row in rows[-2:]])
        print(f"exponent {ns[-2]} -> {ns[-1]}: intake {top_intake:.2f}, "
              f"processing {top_process:.2f}")  # fmt: skip
    print(f"serve peak memory, {ns[-1]} vs {ns[0]}: {serve_growth:5.2f}x  (target < 1.5x: "
          f"{'met' if serve_growth < 1.5 else 'NOT met'})")  # fmt: skip
    print(f"processing memory above its start, {ns[-1]} vs {ns[0]}: {process_growth:5.2f}x "
          f"(peak - start: {(rows[0][5] - rows[0][4]) / 1024:.0f} -> "
          f"{(rows[-1][5] - rows[-1][4]) / 1024:.0f} MiB; target < 1.5x: "
          f"{'met' if process_growth < 1.5 else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()
