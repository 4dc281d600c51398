"""The HTTP face: status codes, problem+json bodies, and no row changed by a refusal."""

from __future__ import annotations

import base64
import gzip
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from crypto import StationKey
from protocol import (
    PROTOCOL_VERSION,
    EnrolmentRequest,
    EnrolmentResponse,
    Receipt,
    SpecIdentityWire,
    canonical_json,
)
from protocol.problems import PROBLEM_MEDIA_TYPE, parse_problem
from sync_server.ingest import fleet_status, issue_enrolment_token
from tests.sync_server.api.conftest import call
from tests.sync_server.builders import SPEC_BODY, World, count_rows
from tests.sync_server.ingest.test_beacons_fleet import beacon_bytes

BATCH_HEADERS = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
JSON_HEADERS = {"Content-Type": "application/json"}


def expect_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = parse_problem(response.json())
    assert (body.status, body.code, body.type) == (status, code, f"/problems/{code}")
    assert body.retry == (status >= 500)
    assert "Traceback" not in response.text


def refused(
    app: FastAPI, engine: Engine, status: int, code: str, method: str, url: str, **kwargs: Any
) -> None:
    before = count_rows(engine)
    expect_problem(call(app, method, url, **kwargs), status, code)
    assert count_rows(engine) == before


def test_health(app: FastAPI) -> None:
    response = call(app, "GET", "/v1/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_specs_are_served(app: FastAPI, world: World) -> None:
    listed = call(app, "GET", "/v1/specs").json()
    assert listed == {"specs": [world.spec.model_dump()]}
    body = call(app, "GET", f"/v1/specs/{world.spec.id}/{world.spec.version}")
    assert body.content == SPEC_BODY
    expect_problem(call(app, "GET", "/v1/specs/cips-officials/9.9.9"), 404, "not-found")
    # FastAPI's own validation error, in the catalogue's form.
    expect_problem(call(app, "GET", "/v1/specs/cips-officials/one"), 422, "invalid-request")
    expect_problem(call(app, "DELETE", "/v1/specs"), 405, "method-not-allowed")


def new_token(world: World, seed: int) -> str:
    """A fresh enrolment token for an officials station in SL."""
    token, _ = issue_enrolment_token(
        world.session_factory,
        country="SL",
        region="Western Area",
        populations=["officials"],
        lifetime=timedelta(hours=1),
        clock=world.clock,
        random_bytes=random.Random(seed).randbytes,
    )
    return token


def test_enrolment_over_http(app: FastAPI, world: World, engine: Engine) -> None:
    token = new_token(world, 9)
    request = EnrolmentRequest(
        v=PROTOCOL_VERSION,
        token=token,
        app_version="test 1",
        public_key=base64.b64encode(StationKey.generate().public_bytes()).decode(),
    )
    body = canonical_json(request.model_dump(mode="json"))
    response = call(app, "POST", "/v1/enrol", content=body, headers=JSON_HEADERS)
    assert response.status_code == 201, response.text
    answer = EnrolmentResponse.model_validate_json(response.content)
    assert answer.specs == [world.spec]
    # The same tablet again (its answer was lost): the same station; another key: refused.
    again = call(app, "POST", "/v1/enrol", content=body, headers=JSON_HEADERS)
    assert EnrolmentResponse.model_validate_json(again.content).station_id == answer.station_id
    other = request.model_copy(
        update={"public_key": base64.b64encode(StationKey.generate().public_bytes()).decode()}
    )
    other_body = canonical_json(other.model_dump(mode="json"))
    refused(app, engine, 409, "token-used", "POST", "/v1/enrol", content=other_body,
            headers=JSON_HEADERS)  # fmt: skip
    refused(
        app,
        engine,
        400,
        "malformed-request",
        "POST",
        "/v1/enrol",
        content=b"{",
        headers=JSON_HEADERS,
    )
    refused(
        app,
        engine,
        422,
        "invalid-request",
        "POST",
        "/v1/enrol",
        content=b'{"v": 1}',
        headers=JSON_HEADERS,
    )


def test_a_batch_gets_a_receipt_and_a_retry_the_same_one(
    app: FastAPI, world: World, engine: Engine
) -> None:
    chain = world.station
    data = chain.signed_bytes(chain.batch(chain.envelopes(5)))
    first = call(app, "POST", "/v1/batches", content=data, headers=BATCH_HEADERS)
    assert first.status_code == 200, first.text
    receipt = Receipt.model_validate_json(first.content)
    assert {r.status for r in receipt.results} == {"accepted"}
    before = count_rows(engine)
    again = call(app, "POST", "/v1/batches", content=data, headers=BATCH_HEADERS)
    assert again.content == first.content
    assert count_rows(engine) == before


def test_batch_refusals(app: FastAPI, world: World, engine: Engine) -> None:
    chain = world.station
    good = chain.signed_bytes(chain.batch(chain.envelopes(1)))
    post = ("POST", "/v1/batches")
    refused(app, engine, 415, "unsupported-media-type", *post, content=good, headers=JSON_HEADERS)
    refused(
        app,
        engine,
        415,
        "unsupported-media-type",
        *post,
        content=good,
        headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"},
    )
    refused(app, engine, 400, "malformed-batch", *post, content=b"plain", headers=BATCH_HEADERS)
    refused(
        app,
        engine,
        400,
        "malformed-batch",
        *post,
        content=gzip.compress(b"{"),
        headers=BATCH_HEADERS,
    )
    chain.spec = SpecIdentityWire(id=chain.spec.id, version="2.0.0", sha256=chain.spec.sha256)
    unknown = chain.signed_bytes(chain.batch(chain.envelopes(1)))
    refused(app, engine, 422, "unknown-spec", *post, content=unknown, headers=BATCH_HEADERS)
    forged = StationKey.generate()
    chain.key = forged
    refused(
        app,
        engine,
        401,
        "bad-signature",
        *post,
        content=chain.signed_bytes(chain.batch(chain.envelopes(1))),
        headers=BATCH_HEADERS,
    )


def test_oversized_bodies_are_refused_while_reading(app: FastAPI, engine: Engine) -> None:
    big = b"\x1f\x8b" + bytes(300 * 1024)  # over the app's 256 KiB limit
    refused(
        app,
        engine,
        413,
        "payload-too-large",
        "POST",
        "/v1/batches",
        content=big,
        headers=BATCH_HEADERS,
    )

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: checked while streaming
        for _ in range(100):
            yield bytes(64 * 1024)

    refused(
        app,
        engine,
        413,
        "payload-too-large",
        "POST",
        "/v1/batches",
        content=chunks(),
        headers=BATCH_HEADERS,
    )


def test_an_unexpected_failure_is_a_500_problem_and_the_server_goes_on(
    app: FastAPI, world: World, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE receipts"))
    chain = world.station
    data = chain.signed_bytes(chain.batch(chain.envelopes(1)))
    before = count_rows_without_receipts(engine)
    response = call(app, "POST", "/v1/batches", content=data, headers=BATCH_HEADERS)
    expect_problem(response, 500, "internal-error")
    assert "receipts" not in response.text  # no internals in the body
    assert count_rows_without_receipts(engine) == before
    assert "unexpected error" in caplog.text
    assert call(app, "GET", "/v1/health").status_code == 200


def count_rows_without_receipts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
            for name in ("batches", "inbox", "quarantine", "stations")
        }


def test_a_beacon_over_http_and_its_refusals(app: FastAPI, world: World, engine: Engine) -> None:
    good = beacon_bytes(world, "2026-11-29T10:00:00Z")
    for status, code, content, headers in [
        (400, "malformed-request", b"{", JSON_HEADERS),
        (422, "invalid-request", b'{"beacon": {}, "signature": "AAAA"}', JSON_HEADERS),
        (415, "unsupported-media-type", good, {"Content-Type": "text/plain"}),
    ]:
        refused(app, engine, status, code, "POST", "/v1/beacons", content=content, headers=headers)
    (station,) = fleet_status(world.session_factory).stations
    assert station.last_beacon is None  # no refusal touched the station's row
    response = call(app, "POST", "/v1/beacons", content=good, headers=JSON_HEADERS)
    assert response.status_code == 200, response.text
    # The answer announces the survey key the station's country seals to now.
    assert response.json() == {"status": "recorded", "station_id": world.station.station_id,
                               "survey_public_key": world.survey_public_key}  # fmt: skip
    (station,) = fleet_status(world.session_factory).stations
    assert station.last_beacon["sent_at"] == "2026-11-29T10:00:00Z"
