"""Hostile values in the request line and in bodies: a clear 4xx, never a 500, no row changed.

On PostgreSQL a NUL byte cannot enter a text column and an INTEGER stops at 2^31 - 1; on
SQLite an integer stops at 2^63 - 1. Each once answered 500 with a traceback in the log.
"""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from crypto import StationKey
from protocol import PROTOCOL_VERSION, ZERO_HASH, canonical_json
from tests.sync_server.api.conftest import call
from tests.sync_server.api.test_http_intake import (
    BATCH_HEADERS,
    JSON_HEADERS,
    new_token,
    refused,
)
from tests.sync_server.builders import World, count_rows


@pytest.mark.parametrize(
    "url",
    [
        "/v1/specs/cips%00officials/1.0.0",
        "/v1/specs/cips-officials/1.0.0?x=%00",
        "/v1/releases?country=S%00",
        "/v1/releases/abc/files/a%00b.csv",
        "/v1/audit?limit=1%00",
        "/v1/specs/%FF%FE/1.0.0",  # not UTF-8
    ],
)
def test_a_nul_or_a_broken_byte_in_the_request_line_is_refused(
    app: FastAPI, engine: Engine, url: str
) -> None:
    refused(app, engine, 400, "malformed-request", "GET", url)


def enrolment_body(world: World, **changes: object) -> bytes:
    token = new_token(world, 11)
    request = {
        "v": PROTOCOL_VERSION,
        "token": token,
        "app_version": "test 1",
        "public_key": base64.b64encode(StationKey.generate().public_bytes()).decode(),
        **changes,
    }
    return canonical_json(request)


def test_a_nul_in_a_body_text_is_refused(app: FastAPI, world: World, engine: Engine) -> None:
    body = enrolment_body(world, app_version="test\x001")
    refused(app, engine, 422, "invalid-request", "POST", "/v1/enrol", content=body,
            headers=JSON_HEADERS)  # fmt: skip


@pytest.mark.parametrize("number", [2**31, 2**63])
@pytest.mark.parametrize("field", ["batch_seq", "seq"])
def test_a_sequence_number_past_the_columns_is_refused(
    app: FastAPI, world: World, engine: Engine, number: int, field: str
) -> None:
    """A signed batch from an enrolled station (so it gets past the signature) whose
    sequence number no column holds: a 4xx, and the station can still sync after it."""
    chain = world.station
    envelopes = chain.envelopes(1)
    if field == "seq":
        envelopes = [envelopes[0].model_copy(update={"seq": number})]
        data = chain.signed_bytes(chain.batch(envelopes))
    else:
        batch = chain.batch(envelopes).model_copy(update={"batch_seq": number})
        data = chain.signed_bytes(batch)
    before = count_rows(engine)
    response = call(app, "POST", "/v1/batches", content=data, headers=BATCH_HEADERS)
    assert 400 <= response.status_code < 500, response.text
    assert count_rows(engine) == before
    chain.last_seq, chain.last_hash = 0, ZERO_HASH  # the refused envelope never counted
    chain.batch_seq = 0
    again = call(app, "POST", "/v1/batches", content=chain.signed_bytes(chain.batch(
        chain.envelopes(1))), headers=BATCH_HEADERS)  # fmt: skip
    assert again.status_code == 200, again.text


def test_a_re_spelt_signature_is_not_a_second_batch(
    app: FastAPI, world: World, engine: Engine
) -> None:
    """An Ed25519 signature is 64 bytes: its base64 ends in "==" with 4 spare bits. Setting
    them spells the same bytes another way; that copy was once stored as a new batch and the
    genuine one then refused as a replay."""
    chain = world.station
    genuine = chain.signed_bytes(chain.batch(chain.envelopes(2)))
    document = json.loads(gzip.decompress(genuine))
    signature = document["signature"]
    assert signature.endswith("==")
    last = signature[-3]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    respelt = alphabet[alphabet.index(last) | 0b0101]
    assert respelt != last and base64.b64decode(signature[:-3] + respelt + "==") == (
        base64.b64decode(signature)
    )
    document["signature"] = signature[:-3] + respelt + "=="
    forged = gzip.compress(json.dumps(document).encode())
    before = count_rows(engine)
    response = call(app, "POST", "/v1/batches", content=forged, headers=BATCH_HEADERS)
    assert response.status_code == 400, response.text
    assert count_rows(engine) == before
    accepted = call(app, "POST", "/v1/batches", content=genuine, headers=BATCH_HEADERS)
    assert accepted.status_code == 200, accepted.text
