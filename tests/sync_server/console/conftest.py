"""The real app with its console, users of each role made the real way, and a client that
keeps its cookies like a browser (in process, through the ASGI app)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from sync_server.access.users import add_user
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.sync_server.access.conftest import PASSWORD
from tests.sync_server.builders import FakeClock, World

# name -> (role, countries)
PEOPLE = {
    "ada": ("administrator", []),
    "cole": ("coordinator", ["SL"]),
    "gina": ("coordinator", ["GH"]),
    "ana": ("analyst", ["SL"]),
    "gus": ("global_analyst", []),
}
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]*)"')


def add_people(session_factory: sessionmaker[Session], clock: FakeClock) -> None:
    for name, (role, countries) in PEOPLE.items():
        add_user(
            session_factory, name=name, role=role, countries=countries, password=PASSWORD,
            clock=clock, cost=KdfCost.FAST,
        )  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, database_url: str, clock: FakeClock, world: World) -> Settings:
    add_people(world.session_factory, clock)
    return Settings(
        data_dir=tmp_path / "server", database_url=database_url, clock=clock,
        random_bytes=random.Random(7).randbytes,
    )  # fmt: skip


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    app.state.server.engine.dispose()


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


class Visitor:
    """One browser: its own cookies, following no redirects by itself."""

    def __init__(self, app: FastAPI, base_url: str = "http://127.0.0.1") -> None:
        self.client = TestClient(app, base_url=base_url, follow_redirects=False)

    def get(self, url: str) -> httpx.Response:
        return self.client.get(url)

    def post(self, url: str, fields: dict[str, str]) -> httpx.Response:
        return self.client.post(url, data=fields)

    def sign_in(self, name: str, password: str = PASSWORD) -> httpx.Response:
        form = self.get("/console/login")
        return self.post(
            "/console/login", {"csrf": csrf_of(form), "name": name, "password": password}
        )

    def csrf(self) -> str:
        """The CSRF token of this session (every signed-in page carries it)."""
        return csrf_of(self.get("/console/releases"))


@pytest.fixture
def visitor(app: FastAPI) -> Visitor:
    return Visitor(app)
