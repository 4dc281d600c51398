"""The console's fleet page against `mss server status` on the same store: the page must not
be the slow path (issue 13).

    .venv/bin/python bench/console.py [--stations 2000] [--responses 1000000]
                                      [--db sqlite|postgresql|both] [--repeat 5] [--quick]

The store is filled directly with bulk inserts (executemany on SQLite, COPY on PostgreSQL):
stations in ten countries, each with its batches, received envelopes (one station in ten
with envelopes withheld, so gaps show), a beacon and a last sync from minutes to weeks ago.
Then, per database:

1. Fleet page: GET /console/fleet as an administrator (every station on one page) over
   uvicorn on 127.0.0.1, warm; the median of --repeat requests, and the first one.
2. `mss server status` on the same data dir and database, in process (the same work
   without Python's start-up), as a coordinator reads it and with --json.

Prints each figure and the page's ratio to the CLI's table (target: <= 1, the page is not
the slow path). --quick: 200 stations and 20,000 responses (tests/bench runs it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import KdfCost  # noqa: E402
from miniatures.postgres_schemas import fresh_schema, libpq_dsn, reachable  # noqa: E402
from miniatures.served_app import served  # noqa: E402
from sync_server.access.users import add_user  # noqa: E402
from sync_server.app import create_app  # noqa: E402
from sync_server.ingest.fleet import fleet_status  # noqa: E402
from sync_server.settings import Settings  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402
from sync_server.survey_keys import SurveyKeyFiles  # noqa: E402

PASSPHRASE = "a bench survey key passphrase"  # noqa: S105 - a throwaway key
PASSWORD = "a bench administrator password 7"  # noqa: S105 - a throwaway user
COUNTRIES = ("SL", "GH", "NG", "KE", "TZ", "UG", "SN", "CI", "CM", "ZM")
SPEC = ("cips-officials", "1.0.0", "0" * 64)
PER_BATCH = 100
NOW = datetime.now(UTC).replace(microsecond=0)
SEALED_BYTES = 256  # the inbox's sealed column; queries that read it would show the cost


@dataclass(frozen=True)
class Sizes:
    stations: int
    responses: int


QUICK = Sizes(200, 20_000)


@dataclass
class Figures:
    database: str
    fill_s: float
    page_first_s: float
    page_s: float
    page_bytes: int
    gaps_shown: int
    status_core_s: float
    cli_table_s: float
    cli_json_s: float


# --- the store, filled directly ----------------------------------------------------------


def station_rows(sizes: Sizes, rng: random.Random) -> Iterator[tuple[dict, list[int]]]:
    """Per station: its row and the seqs the server holds (some withheld: the gaps)."""
    silent = {number for number in range(sizes.stations) if number % 97 == 5}  # never synced
    per_station, extra = divmod(sizes.responses, sizes.stations - len(silent))
    syncing = 0
    for number in range(sizes.stations):
        never = number in silent
        held = 0 if never else per_station + (1 if syncing < extra else 0)
        syncing += not never
        withheld = rng.sample(range(2, held + 2), 3) if number % 10 == 3 and held > 5 else []
        seqs = [seq for seq in range(1, held + len(withheld) + 1) if seq not in withheld]
        synced = NOW - timedelta(minutes=rng.randint(5, 60 * 24 * 14))
        beacon = {
            "sent_at": (synced + timedelta(seconds=rng.randint(-90, 90))).isoformat(),
            "app_version": "0.1.0", "outbox_depth": rng.randint(0, 40),
            "last_seq": seqs[-1] if seqs else 0,
            "specs": [{"id": SPEC[0], "version": SPEC[1], "sha256": SPEC[2]}],
        }  # fmt: skip
        row = {
            "station_id": f"st_{number:06d}{uuid.UUID(int=rng.getrandbits(128)).hex[:20]}",
            "public_key": rng.randbytes(32),
            "country": COUNTRIES[number % len(COUNTRIES)],
            "region": f"Region {number % 37}",
            "populations": json.dumps(["officials", "private_sector"]),
            "status": "revoked" if number % 53 == 7 else "active",
            "app_version": "0.1.0",
            "enrolled_at": NOW - timedelta(days=30),
            "revoked_at": None,
            "last_batch_seq": -(-len(seqs) // PER_BATCH),
            "last_envelope_seq": seqs[-1] if seqs else 0,
            "envelopes_received": len(seqs),
            "duplicates": rng.randint(0, 3),
            "conflicts": 0,
            "last_sync_at": None if never else synced,
            "last_beacon": None if never else json.dumps(beacon),
            "last_beacon_at": None if never else synced,
        }
        yield row, seqs


def fill(engine: Engine, sizes: Sizes, rng: random.Random) -> float:
    """Bulk-insert the fleet; seconds taken."""
    began = time.perf_counter()
    sealed = rng.randbytes(SEALED_BYTES)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO specs (spec_id, version, sha256, body, registered_at) "
                 "VALUES (:i, :v, :s, '{}', :t)"),
            {"i": SPEC[0], "v": SPEC[1], "s": SPEC[2], "t": NOW - timedelta(days=40)},
        )  # fmt: skip
    stations, batches, inbox = [], [], []
    for row, seqs in station_rows(sizes, rng):
        stations.append(row)
        sid = row["station_id"]
        for start in range(0, len(seqs), PER_BATCH):
            batch_id = str(uuid.UUID(int=rng.getrandbits(128)))
            part = seqs[start : start + PER_BATCH]
            received = row["last_sync_at"] - timedelta(minutes=len(seqs) - start)
            batches.append((batch_id, sid, start // PER_BATCH + 1, "0" * 64, received,
                            len(part), "http", "sig"))  # fmt: skip
            for seq in part:
                state = "processed" if seq % 4 else "pending"
                inbox.append((sid, str(uuid.UUID(int=rng.getrandbits(128))), 2, seq, "0" * 64,
                              *SPEC, sealed, "0" * 64, batch_id, received, state))  # fmt: skip
    columns = {
        "stations": list(stations[0]),
        "batches": ["batch_id", "station_id", "batch_seq", "content_sha256", "received_at",
                    "envelope_count", "via", "signature"],
        "inbox": ["station_id", "envelope_id", "envelope_v", "seq", "prev_hash", "spec_id",
                  "spec_version", "spec_sha256", "sealed", "envelope_hash", "batch_id",
                  "received_at", "state"],
    }  # fmt: skip
    tables = {"stations": [tuple(r.values()) for r in stations], "batches": batches,
              "inbox": inbox}  # fmt: skip
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            copy_rows(raw, columns, tables)
        else:
            insert_rows(raw, columns, tables)
        raw.commit()
    finally:
        raw.close()
    with engine.connect() as connection:  # what autovacuum would have done by then
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    return time.perf_counter() - began


def sqlite_value(value: object) -> object:
    # The store's UtcDateTime keeps naive UTC text on SQLite.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def insert_rows(raw: object, columns: dict[str, list[str]], tables: dict[str, list]) -> None:
    cursor = raw.cursor()  # type: ignore[attr-defined]
    cursor.execute("BEGIN")  # one transaction: the store's driver commits each statement
    for table, rows in tables.items():
        names = columns[table]
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608 - our names
        cursor.executemany(sql, ([sqlite_value(v) for v in row] for row in rows))


def copy_rows(raw: object, columns: dict[str, list[str]], tables: dict[str, list]) -> None:
    cursor = raw.cursor()  # type: ignore[attr-defined]
    for table, rows in tables.items():
        with cursor.copy(f"COPY {table} ({', '.join(columns[table])}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


# --- the two readers ---------------------------------------------------------------------


def signed_in(client: httpx.Client) -> None:
    form = client.get("/console/login").text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/console/login", data={"csrf": csrf, "name": "ada",
                                                 "password": PASSWORD})  # fmt: skip
    if answer.status_code != 303:
        raise RuntimeError(f"signing in answered {answer.status_code}")


def page_times(settings: Settings, repeat: int) -> tuple[float, float, str]:
    app = create_app(settings)
    try:
        with served(app) as url, httpx.Client(base_url=url, timeout=600) as client:
            signed_in(client)
            times, html = [], ""
            for _ in range(repeat + 1):
                began = time.perf_counter()
                answer = client.get("/console/fleet")
                times.append(time.perf_counter() - began)
                if answer.status_code != 200:
                    raise RuntimeError(f"the fleet page answered {answer.status_code}")
                html = answer.text
    finally:
        app.state.server.engine.dispose()
    return times[0], statistics.median(times[1:]), html


def cli_time(data_dir: Path, url: str, repeat: int, *extra: str) -> float:
    from typer.testing import CliRunner

    from mss.cli import app

    env = {"MSS_DATABASE_URL": url, "COLUMNS": "200"}
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = CliRunner().invoke(app, ["server", "status", "--data-dir", str(data_dir),
                                          *extra], env=env)  # fmt: skip
        times.append(time.perf_counter() - began)
        if result.exit_code != 0:
            raise RuntimeError(f"mss server status failed: {result.output[-500:]}")
    return statistics.median(times)


def core_time(sessions: sessionmaker[Session], repeat: int) -> float:
    """fleet_status alone: the queries both readers share."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fleet_status(sessions)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(database: str, url: str, data_dir: Path, sizes: Sizes, repeat: int) -> Figures:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        fill_s = fill(engine, sizes, random.Random(13))
        sessions = make_session_factory(engine)
        add_user(sessions, name="ada", role="administrator", countries=[], password=PASSWORD,
                 clock=lambda: NOW, cost=KdfCost.FAST)  # fmt: skip
        core_s = core_time(sessions, max(1, repeat // 2))
    finally:
        engine.dispose()
    settings = Settings(data_dir=data_dir, database_url=url)
    first, page, html = page_times(settings, repeat)
    # The page must show what it is for: every station with envelopes withheld, marked.
    shown = len(re.findall(r'data-gaps="[^"]+"', html))
    expected = sum(1 for _row, seqs in station_rows(sizes, random.Random(13))
                   if seqs and len(seqs) < seqs[-1])  # fmt: skip
    if shown != expected:
        raise RuntimeError(f"the fleet page shows gaps at {shown} stations, not {expected}")
    return Figures(
        database=database, fill_s=fill_s, page_first_s=first, page_s=page,
        page_bytes=len(html.encode()), gaps_shown=shown, status_core_s=core_s,
        cli_table_s=cli_time(data_dir, url, max(1, repeat // 2)),
        cli_json_s=cli_time(data_dir, url, max(1, repeat // 2), "--json"),
    )  # fmt: skip


@contextlib.contextmanager
def database(kind: str, tmp: Path) -> Iterator[str | None]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'central.db'}"
        return
    from miniatures.postgres_schemas import postgres_url

    if (why := reachable(postgres_url())) is not None:
        print(f"postgresql: not reachable at {libpq_dsn(postgres_url())} ({why}); skipped")
        yield None
        return
    with fresh_schema("bench_console") as url:
        yield url


def report(figures: Figures, sizes: Sizes) -> None:
    f = figures
    print(f"{f.database}: {sizes.stations:,} stations, {sizes.responses:,} received responses "
          f"(filled in {f.fill_s:.1f} s)")  # fmt: skip
    print(f"  fleet page: {f.page_s * 1000:.0f} ms (median; first {f.page_first_s * 1000:.0f} "
          f"ms), {f.page_bytes / 1024:.0f} KB of HTML, gaps shown at {f.gaps_shown} "
          "stations")  # fmt: skip
    print(f"  shared queries (ingest.fleet.fleet_status): {f.status_core_s * 1000:.0f} ms")
    print(f"  mss server status: {f.cli_table_s * 1000:.0f} ms as a table, "
          f"{f.cli_json_s * 1000:.0f} ms as --json (in process)")  # fmt: skip
    print(f"  ratio page / status table: {f.page_s / f.cli_table_s:.2f} (target <= 1); "
          f"page / --json: {f.page_s / f.cli_json_s:.2f}")  # fmt: skip


def run(sizes: Sizes, kinds: list[str], repeat: int) -> list[Figures]:
    os.environ.pop("MSS_DATABASE_URL", None)
    found = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="mss-bench-console-") as tmp:
            data_dir = Path(tmp) / "server"
            data_dir.mkdir(mode=0o700)
            SurveyKeyFiles(data_dir).create(PASSPHRASE, cost=KdfCost.FAST)
            with database(kind, Path(tmp)) as url:
                if url is None:
                    continue
                figures = measure(kind, url, data_dir, sizes, repeat)
                report(figures, sizes)
                found.append(figures)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 stations, 20,000 responses")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes(args.stations, args.responses)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    run(sizes, kinds, 3 if args.quick else args.repeat)


if __name__ == "__main__":
    main()
