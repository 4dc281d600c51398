"""Fixtures for the server tests: every store and ingest test runs on SQLite and PostgreSQL.

PostgreSQL: MSS_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test gets its own schema (search_path set through the URL), dropped afterwards. When
PostgreSQL does not answer, its tests are skipped loudly, or fail with MSS_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from miniatures.postgres_schemas import fresh_schema, postgres_url, reachable
from sync_server.store import make_engine, make_session_factory, upgrade_to_head
from tests.sync_server.builders import FakeClock, World, make_world


def _postgres_or_skip(url: str) -> None:
    error = reachable(url)
    if error is None:
        return
    message = (
        f"PostgreSQL not reachable at {make_url(url).render_as_string()} ({error}); "
        "set MSS_REQUIRE_POSTGRES=1 to make this an error"
    )
    if os.environ.get("MSS_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, uniquely named schema."""
    base = postgres_url()
    _postgres_or_skip(base)
    with fresh_schema("t", base) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(session_factory: sessionmaker[Session], clock: FakeClock) -> World:
    """A server with a survey key and a spec, and one enrolled station."""
    return make_world(session_factory, clock)
