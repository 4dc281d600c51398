"""A fresh PostgreSQL schema per test or bench run, dropped afterwards: the server's tables
on the real PostgreSQL without touching anyone else's (tests, benches and fault runs)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("MSS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def libpq_dsn(url: str) -> str:
    return (
        make_url(url).set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    )


def reachable(url: str) -> psycopg.Error | None:
    """None when PostgreSQL answers at `url`, else why not."""
    try:
        with psycopg.connect(libpq_dsn(url), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return error


@contextlib.contextmanager
def fresh_schema(prefix: str, base: str | None = None) -> Iterator[str]:
    """A URL whose connections use a new, uniquely named schema; the schema is dropped on
    the way out. psycopg.Error when PostgreSQL does not answer."""
    base = base or postgres_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(libpq_dsn(base), autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(libpq_dsn(base), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
