"""Clients that stall or leave: a clear answer or a quiet close, never a held worker or a 500."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import Engine

from protocol.problems import PROBLEM_MEDIA_TYPE
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.sync_server.api.test_http_intake import BATCH_HEADERS
from tests.sync_server.builders import World, count_rows


def test_a_body_that_stops_arriving_gets_408(settings: Settings, engine: Engine) -> None:
    app = create_app(dataclasses.replace(settings, body_read_seconds=0.3))

    async def one_byte_then_silence() -> AsyncIterator[bytes]:
        yield b"\x1f"
        await asyncio.sleep(30)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://mss.test") as client:
            headers = {**BATCH_HEADERS, "Content-Length": "1000"}
            return await asyncio.wait_for(
                client.post("/v1/batches", content=one_byte_then_silence(), headers=headers), 10
            )

    before = count_rows(engine)
    try:
        response = asyncio.run(go())
    finally:
        app.state.server.engine.dispose()
    assert response.status_code == 408
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "request-timeout" and response.json()["retry"] is True
    assert count_rows(engine) == before


def test_a_client_that_leaves_mid_body_is_not_an_error(
    app, world: World, engine: Engine, caplog
) -> None:
    chain = world.station
    data = chain.signed_bytes(chain.batch(chain.envelopes(3)))
    messages = [
        {"type": "http.request", "body": data[:20], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/batches", "raw_path": b"/v1/batches",
        "query_string": b"", "root_path": "", "server": ("mss.test", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")],
    }  # fmt: skip
    before = count_rows(engine)
    with caplog.at_level(logging.INFO, logger="sync_server.api"):
        asyncio.run(app(scope, receive, send))
    assert count_rows(engine) == before
    assert "unexpected error" not in caplog.text
    assert not any(m.get("status") == 500 for m in sent)
