"""The central server for the fault cases: a real store on SQLite or PostgreSQL, the real
survey key and CIPS spec (bench/ingest.py's `Server`), the real app under uvicorn on
127.0.0.1, watched by a 5xx counter."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.faults.tally import CountFiveXx, Tally
from bench.ingest import Server
from crypto import SurveyPrivateKey
from miniatures.postgres_schemas import fresh_schema, postgres_url, reachable
from miniatures.served_app import served
from sync_server.app import create_app
from sync_server.processor import process_inbox
from sync_server.settings import Settings
from sync_server.store.models import InboxEnvelope, ResponseRecord

DATABASES = ("sqlite", "postgresql")
BATCH_HEADERS = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


class DatabaseMissing(RuntimeError):
    pass


@contextlib.contextmanager
def database_url(database: str, root: Path) -> Iterator[str]:
    """A fresh central store: a SQLite file in `root`, or a PostgreSQL schema dropped after."""
    if database == "sqlite":
        yield f"sqlite:///{root / 'central.db'}"
        return
    if reachable(postgres_url()) is not None:
        raise DatabaseMissing("PostgreSQL does not answer")
    with fresh_schema("faults") as url:
        yield url


@dataclass
class Central:
    server: Server  # store, survey key files, CIPS spec; `enrol()` gives a sealing station
    app: CountFiveXx
    url: str  # the real app under uvicorn
    database_url: str

    @property
    def sessions(self):  # noqa: ANN201 - the store's sessionmaker
        return self.server.sessions

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=options.pop("timeout", 30), **options)  # type: ignore[arg-type]

    def inbox_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(InboxEnvelope)) or 0


@contextlib.contextmanager
def central(database: str, root: Path | None = None) -> Iterator[Central]:
    with contextlib.ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mss-faults-")))
        url = stack.enter_context(database_url(database, root))
        server = Server(root, url)
        stack.callback(server.engine.dispose)
        inner = create_app(Settings(data_dir=root, database_url=url))
        stack.callback(inner.state.server.engine.dispose)
        app = CountFiveXx(inner)
        base = stack.enter_context(served(app))
        yield Central(server=server, app=app, url=base, database_url=url)


def now() -> datetime:
    return datetime.now(UTC)


def process(sessions: sessionmaker[Session], private_key: SurveyPrivateKey, tally: Tally) -> None:
    """Run the real processor in this process; a run that dies counts as a 5xx."""
    try:
        process_inbox(sessions, private_key, clock=now)
    except Exception as error:  # noqa: BLE001 - what the harness measures
        tally.five_xx += 1
        tally.note(f"processor died: {type(error).__name__}: {str(error)[:160]}")


def responses_by_envelope(sessions: sessionmaker[Session]) -> dict[str, int]:
    """How many central-store responses each envelope id produced."""
    with sessions() as session:
        rows = session.execute(
            select(ResponseRecord.envelope_id, func.count()).group_by(ResponseRecord.envelope_id)
        ).all()
    return dict(rows)  # type: ignore[arg-type]


def stations_of_responses(sessions: sessionmaker[Session]) -> dict[str, list[str]]:
    """envelope id -> the stations whose inbox rows produced a central-store response."""
    join = ResponseRecord.envelope_id == InboxEnvelope.envelope_id
    if hasattr(ResponseRecord, "station_id"):  # dedup scoped to the station: join on both
        join = join & (ResponseRecord.station_id == InboxEnvelope.station_id)
    found: dict[str, list[str]] = {}
    with sessions() as session:
        for envelope_id, station_id in session.execute(
            select(ResponseRecord.envelope_id, InboxEnvelope.station_id).join(InboxEnvelope, join)
        ):
            found.setdefault(envelope_id, []).append(station_id)
    return found


def post_batch(client: httpx.Client, data: bytes) -> httpx.Response:
    return client.post("/v1/batches", content=data, headers=BATCH_HEADERS)


def receipt_statuses(response: httpx.Response) -> dict[str, str]:
    if response.status_code != 200:
        return {}
    return {item["envelope_id"]: item["status"] for item in response.json()["results"]}
