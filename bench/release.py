"""Release throughput: 1,000,000 responses to Parquet and to SPSS, against a baseline measured
in the same run.

    .venv/bin/python bench/release.py [--rows 1000000] [--answers 60] [--countries 4]

Synthetic processed responses (the CIPS officials spec, ~60 coded answers each) are written
straight into a SQLite store in a temporary directory; generation is not timed. Then:

1. baseline: read the store into the untreated frame and write it straight to Parquet;
2. a pooled release to Parquet, cold (no treated file cached yet): reading, treating,
   writing, each timed;
3. the same pooled release to SPSS (.sav), warm (the treated file is reused, as every
   release of the wave after the first one does);
4. a national release to SPSS from the cache.

Prints seconds per phase and the ratio of the cold Parquet release to the baseline.
Target: the cold Parquet release under 20 s on the reference machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questionnaire_specs import Spec, canonical_json, load_spec  # noqa: E402
from questionnaire_specs.question_types import kind_of  # noqa: E402
from sync_server.ingest import register_spec  # noqa: E402
from sync_server.releases.build import ReleaseOrder, build_release  # noqa: E402
from sync_server.releases.frame import read_frame, read_responses  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402

OFFICIALS = Path(__file__).resolve().parent.parent / "questionnaire_specs/cips/officials.yaml"
COUNTRIES = ("SL", "GH", "KE", "NP", "PE", "SN", "JO", "MZ")
SEED = bytes(range(32))  # a throwaway release seed
CHUNK = 20_000
RESPONSE_FIELDS = (
    "response_id", "station_id", "envelope_id", "spec_id", "spec_version", "spec_sha256",
    "country", "region", "population", "language", "completed_on", "duration_s", "complete",
    "processed_at", "answers",
)  # fmt: skip
INSERT_RESPONSE = (  # our own column names only
    f"INSERT INTO responses ({', '.join(RESPONSE_FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(RESPONSE_FIELDS))})"
)


def coded_questions(spec: Spec, count: int) -> list[tuple[str, list[int], bool]]:
    """(id, codes, is_quasi_identifier) for up to `count` always-asked coded questions."""
    chosen = []
    for question in spec.questions_for("officials"):
        if kind_of(question).release(question) != "code":  # one coded answer
            continue
        conditional = question.relevant or ""
        if "offered" in conditional or "asked_internal" in conditional:
            continue  # asked only after a yes: not every response has them
        codes = [o.code for o in spec.options_for(question) if isinstance(o.code, int)]
        quasi = question.disclosure is not None and question.disclosure.value == "quasi_identifier"
        chosen.append((question.id, codes, quasi))
    # Every quasi-identifier (a release is treated on them), then the others up to `count`.
    chosen.sort(key=lambda question: not question[2])
    return chosen[:count]


def generate(path: Path, spec: Spec, rows: int, answers: int, countries: int) -> None:
    """Insert `rows` responses, each with its answers document (the inbox rows they
    reference are left out: foreign keys are off for this bulk load only)."""
    questions = coded_questions(spec, answers)
    # The answers document as the processor writes it (canonical JSON: keys sorted, compact),
    # formatted from a template: json.dumps per response would dominate generation.
    order = sorted(range(len(questions)), key=lambda j: questions[j][0])
    document = "{" + ",".join(f"{json.dumps(questions[j][0])}:%d" for j in order) + "}"
    rng = random.Random(11)
    nrng = np.random.default_rng(11)
    identity = spec.identity
    processed = datetime(2026, 11, 29, 10, 0, tzinfo=UTC).replace(tzinfo=None).isoformat(" ")
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA synchronous=OFF")
    done = 0
    while done < rows:
        size = min(CHUNK, rows - done)
        ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(size)]
        days = nrng.integers(0, 330, size)
        responses = [
            (rid, "st_bench", rid, identity.id, identity.version, identity.sha256,
             COUNTRIES[i % countries], "Region", "officials", "en" if i % 3 else "fr",
             (date(2026, 1, 5) + timedelta(days=int(days[i]))).isoformat(),
             int(300 + days[i]), 1, processed)
            for i, rid in enumerate(ids)
        ]  # fmt: skip
        codes = np.empty((size, len(questions)), dtype=np.int64)
        for j, (_qid, options, quasi) in enumerate(questions):
            weights = np.ones(len(options))
            if quasi:  # real rosters are skewed: most staff share a few values
                weights[:2] = 6
            codes[:, j] = nrng.choice(options, size=size, p=weights / weights.sum())
        documents = [document % tuple(row) for row in codes[:, order].tolist()]
        db.executemany(
            INSERT_RESPONSE,
            [(*response, documents[i]) for i, response in enumerate(responses)],
        )
        db.commit()
        done += size
        print(f"\rgenerating: {done:,}/{rows:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    db.close()


class Phases:
    """Wall time per phase, from the release's progress callback."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.current = "start"
        self.seconds: dict[str, float] = {}

    def __call__(self, phase: str, _done: int, _total: int) -> None:
        if phase != self.current:
            self._close()
            self.current = phase

    def _close(self) -> None:
        now = time.perf_counter()
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.started
        self.started = now

    def finish(self) -> dict[str, float]:
        self._close()
        self.seconds.pop("start", None)
        return self.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=60)
    parser.add_argument("--countries", type=int, default=4, choices=range(2, 9))
    args = parser.parse_args()
    spec = load_spec(OFFICIALS)
    with tempfile.TemporaryDirectory(prefix="mss-bench-release-") as folder:
        data_dir = Path(folder) / "data"
        database = data_dir / "central.db"
        engine = make_engine(f"sqlite:///{database}")
        upgrade_to_head(engine)
        sessions = make_session_factory(engine)
        register_spec(sessions, canonical_json(spec), clock=lambda: datetime.now(UTC))
        generate(database, spec, args.rows, args.answers, args.countries)
        print(f"store: {args.rows:,} responses x {len(coded_questions(spec, args.answers))} "
              f"answers, {database.stat().st_size / 1e9:.2f} GB")  # fmt: skip

        started = time.perf_counter()
        store = read_frame(sessions, read_responses(sessions, spec.id, None))
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        table = pa.Table.from_pandas(store.frame, preserve_index=False)
        pq.write_table(table, Path(folder) / "untreated.parquet", compression="zstd")
        write_s = time.perf_counter() - started
        del store, table
        base = read_s + write_s
        print(f"baseline: read the store {read_s:.1f} s + untreated frame to Parquet "
              f"{write_s:.1f} s = {base:.1f} s")  # fmt: skip

        cache = data_dir / "releases" / "treated"
        runs = [
            ("pooled parquet (cold)", "pooled", None, "parquet"),
            ("pooled sav (treated file cached)", "pooled", None, "sav"),
            ("national sav (treated file cached)", "national", "SL", "sav"),
        ]
        cold = 0.0
        for n, (label, scope, country, fmt) in enumerate(runs):
            phases = Phases()
            started = time.perf_counter()
            out_dir = Path(folder) / f"release-{n}"
            order = ReleaseOrder(
                scope, country, spec.id, wave=None, fmt=fmt, lang="en", out_dir=out_dir
            )
            result = build_release(
                sessions, order, release_seed=SEED, cache_dir=cache, progress=phases
            )
            total = time.perf_counter() - started
            cold = cold or total
            split = ", ".join(f"{name} {s:.1f} s" for name, s in phases.finish().items())
            print(f"{label}: {result.rows:,} rows in {total:.1f} s ({split}); "
                  f"ratio to baseline {total / base:.2f}")  # fmt: skip
        verdict = "met" if cold < 20 else "missed"
        print(f"target: cold Parquet release < 20 s: {verdict} ({cold:.1f} s)")
        engine.dispose()


if __name__ == "__main__":
    main()
