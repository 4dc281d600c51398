"""Over a real socket: uvicorn on 127.0.0.1, a free port, a background thread."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from miniatures.served_app import served
from protocol import Receipt
from tests.sync_server.builders import World


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    with served(app) as url:
        yield url


def test_a_station_syncs_over_real_http(server_url: str, world: World) -> None:
    chain = world.station
    envelopes = chain.envelopes(100)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with httpx.Client(base_url=server_url, timeout=30) as client:
        assert client.get("/v1/health").json() == {"status": "ok"}
        first = client.post(
            "/v1/batches",
            content=chain.signed_bytes(chain.batch(envelopes[:60])),
            headers=headers,
        )
        second = client.post(
            "/v1/batches",
            content=chain.signed_bytes(chain.batch(envelopes[50:])),
            headers=headers,
        )
        refused = client.post("/v1/batches", content=b"x" * 300_000, headers=headers)
    assert first.status_code == second.status_code == 200
    statuses = [r.status for r in Receipt.model_validate_json(second.content).results]
    assert statuses == ["duplicate"] * 10 + ["accepted"] * 40
    assert refused.status_code == 413
    assert refused.json()["code"] == "payload-too-large"
