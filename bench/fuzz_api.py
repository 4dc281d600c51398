"""Fuzzing the API: schemathesis against the real app's OpenAPI document, on SQLite and
PostgreSQL, --cases per operation (default 1,000; half positive, half negative; every other
case with a real bearer token of one of four users, administrator to analyst).

    .venv/bin/python bench/fuzz_api.py [--cases 1000] [--db sqlite|postgresql|both] [--seed 0]
        [--jobs 2]

The server is seeded as a real one is: a survey key, the CIPS officials spec, one enrolled
station, four users with tokens. Prints per operation and database: cases tried, 2xx (the
documented success), 4xx (catalogued problems), 5xx, tracebacks logged, answers off the
document, seconds (all, and in the app), and how often each status and problem code came;
then the target (0 5xx, 0 tracebacks) and whether it is met (exit 1 if not). The two
databases run in two processes side by side (--jobs 1: one after the other). An operation
with fewer distinct inputs than --cases (GET /v1/health has one) stops when they run out.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import KdfCost, StationKey, generate_survey_key  # noqa: E402
from miniatures.api_fuzzing import Tally, fuzz_app  # noqa: E402
from miniatures.postgres_schemas import fresh_schema, postgres_url, reachable  # noqa: E402
from miniatures.traffic import enrol_in_sierra_leone, officials_spec  # noqa: E402
from questionnaire_specs import canonical_json as spec_json  # noqa: E402
from sync_server.access.tokens import issue_token  # noqa: E402
from sync_server.access.users import add_user  # noqa: E402
from sync_server.app import create_app  # noqa: E402
from sync_server.ingest import register_spec  # noqa: E402
from sync_server.ingest.specs import register_survey_key  # noqa: E402
from sync_server.settings import Settings, utc_now  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402

USERS = (
    ("ada", "administrator", []),
    ("cole", "coordinator", ["SL"]),
    ("ana", "analyst", ["SL"]),
    ("gus", "global_analyst", []),
)
PASSWORD = "a bench user password"  # noqa: S105 - a throwaway user in a temporary store


def seed_server(database_url: str) -> list[str]:
    """A survey key, a spec, one enrolled station and four users; their tokens."""
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    register_survey_key(sessions, "SL", generate_survey_key().public_key().to_text(), clock=utc_now)
    register_spec(sessions, spec_json(officials_spec()), clock=utc_now)
    enrol_in_sierra_leone(sessions, StationKey.generate(), utc_now)
    tokens = []
    for name, role, countries in USERS:
        add_user(
            sessions, name=name, role=role, countries=countries, password=PASSWORD,
            clock=utc_now, cost=KdfCost.FAST,
        )  # fmt: skip
        tokens.append(
            issue_token(sessions, user_name=name, clock=utc_now, random_bytes=os.urandom).token
        )
    engine.dispose()
    return tokens


def fuzz_database(kind: str, cases: int, seed: int) -> list[Tally] | None:
    if kind != "sqlite" and (error := reachable(postgres_url())) is not None:
        print(f"PostgreSQL not reachable ({error}); its figures are missing")
        return None
    with tempfile.TemporaryDirectory(prefix="mss-fuzz-") as work:
        data_dir = Path(work)
        store = (
            contextlib.nullcontext(f"sqlite:///{data_dir / 'central.db'}")
            if kind == "sqlite"
            else fresh_schema("fuzz")
        )
        with store as url:
            tokens = seed_server(url)
            app = create_app(Settings(data_dir=data_dir, database_url=url))
            try:
                return fuzz_app(app, cases=cases, tokens=tokens, seed=seed)
            finally:
                app.state.server.engine.dispose()


def timed_fuzz(kind: str, cases: int, seed: int) -> tuple[list[Tally] | None, float]:
    started = time.perf_counter()
    tallies = fuzz_database(kind, cases, seed)
    return tallies, time.perf_counter() - started


def print_tallies(kind: str, tallies: list[Tally], seconds: float) -> None:
    print(f"\n== {kind}: {sum(t.cases for t in tallies)} cases in {seconds:.0f} s")
    print(
        f"{'operation':<46} {'cases':>6} {'2xx':>6} {'4xx':>6} {'5xx':>5} {'tb':>4} {'off':>4} "
        f"{'s':>6} {'app s':>6}"
    )
    for t in tallies:
        print(
            f"{t.operation:<46} {t.cases:>6} {t.success:>6} {t.refused:>6} "
            f"{t.server_errors:>5} {t.tracebacks:>4} {t.off_document:>4} "
            f"{t.seconds:>6.1f} {t.sending:>6.1f}"
        )
        print("    " + ", ".join(f"{answer}: {n}" for answer, n in t.answers.most_common()))
        for fault in t.faults:
            print(f"    {fault}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases per operation")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="databases fuzzed at once")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    errors = tracebacks = off = 0
    missing = []
    # One process per database, side by side: generating cases is CPU work in each.
    with ProcessPoolExecutor(max_workers=min(args.jobs, len(kinds))) as pool:
        runs = [pool.submit(timed_fuzz, kind, args.cases, args.seed) for kind in kinds]
        results = [run.result() for run in runs]
    for kind, (tallies, seconds) in zip(kinds, results, strict=True):
        if tallies is None:
            missing.append(kind)
            continue
        print_tallies(kind, tallies, seconds)
        errors += sum(t.server_errors for t in tallies)
        tracebacks += sum(t.tracebacks for t in tallies)
        off += sum(t.off_document for t in tallies)
    met = errors == 0 and tracebacks == 0 and not missing
    print(
        f"\ntarget: 0 5xx and 0 tracebacks on {' and '.join(kinds)} with {args.cases} cases "
        f"per operation; measured: {errors} 5xx, {tracebacks} tracebacks, {off} off the "
        f"document{', missing ' + ', '.join(missing) if missing else ''}; "
        f"target {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
