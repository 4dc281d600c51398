"""Hostile request lines and bodies against every door of the real app: NUL and broken
bytes in paths and queries, NUL in names and versions, sequence numbers past the columns
(2^31 for PostgreSQL, 2^63 for SQLite), a re-spelt signature, truncated and bombed gzip,
deep JSON, wrong types. Each must get a 4xx.

Got through: a hostile request answered 2xx. Lost: the genuine batch the same station
sends afterwards not accepted. 5xx: answers >= 500.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx

from bench.faults.central import BATCH_HEADERS, Central, central, now, post_batch
from bench.faults.tally import Tally
from crypto import StationKey
from miniatures.traffic import BenchStation
from protocol import PROTOCOL_VERSION, ZERO_HASH, canonical_json
from sync_server.ingest import issue_enrolment_token

JSON_HEADERS = {"Content-Type": "application/json"}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
REQUEST_LINES = (
    "/v1/specs/cips%00officials/1.0.0",
    "/v1/specs/cips-officials/1.0.0?x=%00",
    "/v1/releases?country=S%00",
    "/v1/releases/abc/files/a%00b.csv",
    "/v1/audit?limit=1%00",
    "/v1/specs/%FF%FE/1.0.0",
    "/v1/specs/" + "a" * 5000 + "/1.0.0",
)

Attack = Callable[[httpx.Client], httpx.Response]


def token(hub: Central) -> str:
    issued, _ = issue_enrolment_token(
        hub.sessions, country="SL", region="Western Area", populations=["officials"],
        lifetime=timedelta(hours=1), clock=now, random_bytes=os.urandom,
    )  # fmt: skip
    return issued


def enrolment(hub: Central, **changes: object) -> Attack:
    public_key = base64.b64encode(StationKey.generate().public_bytes()).decode()
    body = {"v": PROTOCOL_VERSION, "token": token(hub), "app_version": "faults 1",
            "public_key": public_key}  # fmt: skip
    data = canonical_json(body | changes)
    return lambda client: client.post("/v1/enrol", content=data, headers=JSON_HEADERS)


def signed(station: BenchStation, *, seq: int | None = None, batch_seq: int | None = None) -> bytes:
    envelopes = station.envelopes(1)
    if seq is not None:
        envelopes = [envelopes[0].model_copy(update={"seq": seq})]
    batch = station.batch(envelopes)
    if batch_seq is not None:
        batch = batch.model_copy(update={"batch_seq": batch_seq})
    return station.signed_bytes(batch)


def respelt(station: BenchStation) -> bytes:
    """The same signature bytes spelt another way (the spare bits of its base64 padding)."""
    document = json.loads(gzip.decompress(signed(station)))
    text = document["signature"]
    last = text[-3]
    document["signature"] = text[:-3] + ALPHABET[ALPHABET.index(last) | 0b0101] + "=="
    return gzip.compress(json.dumps(document).encode())


def batch_attacks(station: BenchStation) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    """(name, body, headers) of hostile batches from an enrolled station."""
    for number in (2**31, 2**63, 2**64, -1):
        yield f"seq {number}", signed(station, seq=number), BATCH_HEADERS
        yield f"batch_seq {number}", signed(station, batch_seq=number), BATCH_HEADERS
    yield "re-spelt signature", respelt(station), BATCH_HEADERS
    whole = signed(station)
    yield "truncated gzip", whole[: len(whole) // 2], BATCH_HEADERS
    yield "gzip bomb", gzip.compress(b"[" * 0 + b" " * 60_000_000), BATCH_HEADERS
    yield "not gzip", b"\x1f\x8b garbage", BATCH_HEADERS
    yield "deep JSON", gzip.compress(b"[" * 100_000 + b"]" * 100_000), BATCH_HEADERS
    yield "JSON not an object", gzip.compress(b'"batch"'), BATCH_HEADERS
    yield "NUL in the body", gzip.compress(b'{"batch":"\x00"}'), BATCH_HEADERS
    yield "plain JSON declared gzip", b'{"batch": 1}', BATCH_HEADERS
    yield "gzip not declared", whole, JSON_HEADERS
    yield "empty", b"", BATCH_HEADERS


def run(database: str, quick: bool) -> Tally:
    rounds = 1 if quick else 8
    tally = Tally()
    rng = random.Random(1)
    with central(database) as hub, hub.client() as client:

        def expect_refused(name: str, answer: httpx.Response) -> None:
            tally.tried += 1
            if answer.status_code < 400:
                tally.got_through += 1
                tally.note(f"{name}: answered {answer.status_code}")
            elif answer.status_code >= 500:
                tally.note(f"{name}: answered {answer.status_code}")

        for _round in range(rounds):
            for line in REQUEST_LINES:
                expect_refused(f"GET {line[:40]}", client.get(line))
            for name, change in (
                ("NUL in app_version", {"app_version": "faults\x001"}),
                ("NUL in the token", {"token": "abc\x00def"}),
                ("public key not base64", {"public_key": "%%%%%%%%"}),
                ("number as app_version", {"app_version": 2**70}),
                ("unknown field", {"admin": True}),
            ):
                expect_refused(name, enrolment(hub, **change)(client))
            for name, body in (
                ("NUL in a user name", {"name": "ana\x00", "password": "x" * 12}),
                ("NUL in a password", {"name": "ana", "password": "x\x00" * 8}),
                ("a password of 1 MB", {"name": "ana", "password": "x" * 1_000_000}),
                ("a list for a name", {"name": ["ana"], "password": "y" * 12}),
            ):
                expect_refused(name, client.post("/v1/tokens", json=body))
            station = hub.server.enrol()
            for name, body, headers in batch_attacks(station):
                expect_refused(name, client.post("/v1/batches", content=body, headers=headers))
            expect_refused("beacon of garbage", client.post(
                "/v1/beacons", content=rng.randbytes(200), headers=JSON_HEADERS))  # fmt: skip
            # after all that, the station's own first batch must go through
            station.last_seq, station.last_hash, station.batch_seq = 0, ZERO_HASH, 0
            answer = post_batch(client, signed(station))
            if answer.status_code != 200:
                tally.lost += 1
                tally.note(f"the genuine batch after the attacks: {answer.status_code}")
        tally.five_xx += hub.app.count
    return tally
