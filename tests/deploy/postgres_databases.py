"""A PostgreSQL database (and login roles) of a test's own, created and dropped by it.

The deploy tests need what a schema per test cannot give: a whole database to dump and
restore, roles that connect to it, processes that each open their own connections. Where
PostgreSQL does not answer, the test is skipped, or fails with MSS_REQUIRE_POSTGRES=1
(tests/sync_server/conftest.py's rule).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url

from miniatures.postgres_schemas import libpq_dsn, postgres_url
from tests.sync_server.conftest import _postgres_or_skip


def reachable_base() -> str:
    """The suite's PostgreSQL URL (a superuser's): skip or fail when it does not answer."""
    base = postgres_url()
    _postgres_or_skip(base)
    return base


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def database_url(base: str, database: str, *, user: str | None = None) -> str:
    url = make_url(base).set(database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


def admin(base: str) -> psycopg.Connection:
    return psycopg.connect(libpq_dsn(base), autocommit=True, connect_timeout=5)


@contextlib.contextmanager
def own_database(prefix: str, base: str | None = None) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database; dropped (connections and all) after."""
    base = base or reachable_base()
    name = unique_name(prefix)
    with admin(base) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(base, name)
    finally:
        with admin(base) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_roles(base: str, roles: list[str]) -> None:
    """Drop login roles made for a test (their grants went with the dropped database)."""
    with admin(base) as connection:
        for role in roles:
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')
