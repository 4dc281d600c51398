"""The real app, in process, over the same database the `world` fixture seeded."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.settings import Settings
from tests.sync_server.builders import FakeClock, World


@pytest.fixture
def settings(tmp_path: Path, database_url: str, clock: FakeClock, world: World) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        clock=clock,
        random_bytes=random.Random(5).randbytes,
        max_batch_bytes=256 * 1024,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    yield app
    app.state.server.engine.dispose()


def call(app: FastAPI, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request through httpx.ASGITransport (errors come back as HTTP answers)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://mss.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())
