"""Canonical JSON, hashing, seal info and batch files."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable

import pytest

from crypto import StationKey, verify_signature
from miniatures.station_chain import StationChain
from protocol import (
    BATCH_SIGNING_DOMAIN,
    MAX_BATCH_BYTES,
    CanonicalJsonError,
    ProtocolError,
    canonical_json,
    parse_signed_batch,
    sign_batch,
    signed_batch_bytes,
)
from protocol.codec import (
    batch_signing_payload,
    elide_chained_prevs,
    gunzip_bounded,
    parse_signed_batch_document,
)
from protocol.wire import SpecIdentityWire


def chain() -> StationChain:
    from protocol import SpecIdentityWire

    spec = SpecIdentityWire(id="cips-officials", version="1.0.0", sha256="a" * 64)
    return StationChain("st_abcdefghijkl", StationKey.from_private_bytes(bytes(32)), spec)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["é", 2.5, None]}) == '{"a":["é",2.5,null],"b":1}'.encode()
    for bad in (math.nan, math.inf, {"x": [math.nan]}, {1: 2}, {"x": object()}):
        with pytest.raises(CanonicalJsonError):
            canonical_json(bad)


def test_a_batch_survives_the_round_trip_and_its_signature_verifies() -> None:
    station = chain()
    signed = sign_batch(station.batch(station.envelopes(3)), station.key.sign)
    data = signed_batch_bytes(signed)
    assert data == signed_batch_bytes(signed)  # deterministic: USB file == HTTP body
    back = parse_signed_batch(data)
    assert back == signed
    verify_signature(
        station.key.public_bytes(),
        BATCH_SIGNING_DOMAIN,
        batch_signing_payload(back.batch),
        back.signature_bytes(),
    )


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["batch"].update(extra=1), "malformed-batch"),
        (lambda d: d["batch"].update(batch_seq="1"), "malformed-batch"),
        (lambda d: d["batch"].update(v=True), "malformed-batch"),
        (lambda d: d["batch"]["envelopes"][0].update(sealed="not base64!"), "malformed-batch"),
        (lambda d: d["batch"]["envelopes"][0].update(envelope_id="x"), "malformed-batch"),
        (lambda d: d["batch"].update(envelopes=[]), "malformed-batch"),
    ],
    ids=["extra-field", "string-number", "bool-version", "bad-base64", "bad-id", "empty"],
)
def test_schema_errors_are_protocol_errors(mutate: Callable[[dict], None], code: str) -> None:
    station = chain()
    document = sign_batch(station.batch(station.envelopes(1)), station.key.sign).model_dump()
    mutate(document)
    with pytest.raises(ProtocolError) as caught:
        parse_signed_batch(gzip.compress(json.dumps(document).encode()))
    assert caught.value.code == code
    assert caught.value.status == 400


def test_gzip_bombs_stop_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 10_000_000)
    with pytest.raises(ProtocolError) as caught:
        gunzip_bounded(bomb, 1_000_000)
    assert caught.value.code == "payload-too-large"
    assert gunzip_bounded(gzip.compress(b"ab") + gzip.compress(b"cd"), 10) == b"abcd"
    with pytest.raises(ProtocolError):
        gunzip_bounded(gzip.compress(b"abcdef")[:-3], 100)


def test_a_batch_too_big_to_send_is_refused_when_built() -> None:
    station = chain()
    incompressible = __import__("os").urandom(700_000)
    signed = sign_batch(
        station.batch(station.envelopes(8, sealed=incompressible)), station.key.sign
    )
    with pytest.raises(ProtocolError) as caught:
        signed_batch_bytes(signed)
    assert caught.value.code == "payload-too-large"
    assert str(MAX_BATCH_BYTES) in caught.value.detail


def test_prevs_the_batch_implies_are_left_off_the_wire_and_restored() -> None:
    key = StationKey.generate()
    spec = SpecIdentityWire(id="cips-officials", version="1.0.0", sha256="a" * 64)
    chain = StationChain("st_abc", key, spec)
    chain.last_seq, chain.last_hash = 4, "b" * 64  # the batch starts mid-chain
    batch = chain.batch(chain.envelopes(3))
    signed = sign_batch(batch, key.sign)
    data = signed_batch_bytes(signed)
    wire = json.loads(gzip.decompress(data))
    assert ["prev" in e for e in wire["batch"]["envelopes"]] == [True, False, False]
    assert len(data) < len(gzip.compress(canonical_json(signed.model_dump(mode="json"))))
    parsed = parse_signed_batch_document(data)
    assert parsed.signed == signed  # every prev is back, so the signature verifies
    assert elide_chained_prevs(signed.model_dump(mode="json")) == wire


def test_a_missing_prev_the_batch_does_not_imply_is_refused() -> None:
    key = StationKey.generate()
    spec = SpecIdentityWire(id="cips-officials", version="1.0.0", sha256="a" * 64)
    chain = StationChain("st_abc", key, spec)
    document = sign_batch(chain.batch(chain.envelopes(2)), key.sign).model_dump(mode="json")
    del document["batch"]["envelopes"][0]["prev"]
    with pytest.raises(ProtocolError, match="no prev"):
        parse_signed_batch(gzip.compress(canonical_json(document)))
