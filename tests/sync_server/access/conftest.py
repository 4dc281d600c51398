"""Users and tokens made the real way (cheap Argon2id cost), and the real app in process."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from protocol.problems import PROBLEM_MEDIA_TYPE, parse_problem
from sync_server.access.tokens import issue_token
from sync_server.access.users import add_user
from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.store.access_models import AuditEntry
from tests.sync_server.api.conftest import call  # noqa: F401 - one in-process client
from tests.sync_server.builders import FakeClock

PASSWORD = "correct horse battery"


@dataclass
class People:
    """One user of each kind, each with a fresh token."""

    tokens: dict[str, str]

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def make_user(
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    name: str,
    role: str,
    countries: list[str] | None = None,
) -> str:
    """Adds `name` and returns a token for them."""
    add_user(
        session_factory, name=name, role=role, countries=countries or [], password=PASSWORD,
        clock=clock, cost=KdfCost.FAST,
    )  # fmt: skip
    return issue_token(
        session_factory, user_name=name, clock=clock, random_bytes=random.Random(name).randbytes
    ).token


@pytest.fixture
def people(session_factory: sessionmaker[Session], clock: FakeClock) -> People:
    return People(
        tokens={
            "ada": make_user(session_factory, clock, "ada", "administrator"),
            "cole": make_user(session_factory, clock, "cole", "coordinator", ["SL"]),
            "ana": make_user(session_factory, clock, "ana", "analyst", ["SL"]),
            "gus": make_user(session_factory, clock, "gus", "global_analyst"),
        }
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str, clock: FakeClock) -> Settings:
    return Settings(
        data_dir=tmp_path / "server",
        database_url=database_url,
        clock=clock,
        random_bytes=random.Random(5).randbytes,
    )


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    app.state.server.engine.dispose()


def audit_rows(session_factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """(actor, action, outcome, release_id, detail) in the order written."""
    with session_factory() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.entry_id)).all()
        return [(r.actor, r.action, r.outcome, r.release_id, r.detail) for r in rows]


def expect_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = parse_problem(response.json())
    assert (body.status, body.code, body.retry) == (status, code, False)
