"""Ed25519 station signatures with domain separation."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import BadSignature, KeyFileError, StationKey, signed_bytes, verify_signature

MESSAGE = b'{"batch_id":"b1","v":1}'


def test_sign_and_verify() -> None:
    key = StationKey.generate()
    signature = key.sign("batch", MESSAGE)
    assert len(signature) == 64 and len(key.public_bytes()) == 32
    verify_signature(key.public_bytes(), "batch", MESSAGE, signature)


def test_signature_covers_the_domain_prefix() -> None:
    key = StationKey.generate()
    assert signed_bytes("batch", MESSAGE) == b"MSS/v1/batch\x00" + MESSAGE
    # An independent Ed25519 verifier agrees on exactly which bytes were signed.
    Ed25519PublicKey.from_public_bytes(key.public_bytes()).verify(
        key.sign("batch", MESSAGE), b"MSS/v1/batch\x00" + MESSAGE
    )


def test_wrong_domain_fails() -> None:
    key = StationKey.generate()
    signature = key.sign("batch", MESSAGE)
    for domain in ("beacon", "enrolment", "batc", "batch-2"):
        with pytest.raises(BadSignature):
            verify_signature(key.public_bytes(), domain, MESSAGE, signature)


def test_domain_and_message_cannot_be_shifted() -> None:
    # "a" + "\0b..." must not equal "a-b" + ...: the NUL ends the domain.
    key = StationKey.generate()
    signature = key.sign("batch", b"x")
    with pytest.raises(BadSignature):
        verify_signature(key.public_bytes(), "batc", b"h\x00x", signature)


def test_altered_message_fails() -> None:
    key = StationKey.generate()
    signature = key.sign("batch", MESSAGE)
    for altered in (MESSAGE + b" ", MESSAGE[:-1], MESSAGE.replace(b"b1", b"b2"), b""):
        with pytest.raises(BadSignature):
            verify_signature(key.public_bytes(), "batch", altered, signature)


def test_every_altered_signature_byte_fails() -> None:
    key = StationKey.generate()
    signature = key.sign("batch", MESSAGE)
    for position in range(len(signature)):
        altered = bytearray(signature)
        altered[position] ^= 0x01
        with pytest.raises(BadSignature):
            verify_signature(key.public_bytes(), "batch", MESSAGE, bytes(altered))


def test_another_stations_key_fails() -> None:
    signature = StationKey.generate().sign("batch", MESSAGE)
    with pytest.raises(BadSignature):
        verify_signature(StationKey.generate().public_bytes(), "batch", MESSAGE, signature)


@pytest.mark.parametrize(
    ("public", "signature"),
    [
        (b"", bytes(64)),
        (bytes(31), bytes(64)),
        (bytes(32), bytes(63)),
        (bytes(32), bytes(65)),
        ("not bytes", bytes(64)),
        (bytes(32), None),
        (b"\xff" * 32, bytes(64)),
        (bytes(32), bytes(64)),
    ],
)
def test_malformed_keys_and_signatures_are_bad_signatures(
    public: object, signature: object
) -> None:
    with pytest.raises(BadSignature):
        verify_signature(public, "batch", MESSAGE, signature)  # type: ignore[arg-type]


@pytest.mark.parametrize("domain", ["", "Batch", "1batch", "batch\x00", "bat ch", "é", "a" * 65])
def test_bad_domains_are_refused(domain: str) -> None:
    key = StationKey.generate()
    with pytest.raises(ValueError):
        key.sign(domain, MESSAGE)
    with pytest.raises(ValueError):
        verify_signature(key.public_bytes(), domain, MESSAGE, bytes(64))


def test_private_bytes_round_trip() -> None:
    key = StationKey.generate()
    again = StationKey.from_private_bytes(key.private_bytes())
    assert again.public_bytes() == key.public_bytes()
    assert again.sign("beacon", b"x") == key.sign("beacon", b"x")  # Ed25519 is deterministic
    assert key.private_bytes().hex() not in repr(key)


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33), "x" * 32])
def test_bad_private_bytes_are_key_file_errors(raw: object) -> None:
    with pytest.raises(KeyFileError):
        StationKey.from_private_bytes(raw)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(
    domain=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    message=st.binary(max_size=500),
)
def test_sign_verify_property(domain: str, message: bytes) -> None:
    key = StationKey.generate()
    verify_signature(key.public_bytes(), domain, message, key.sign(domain, message))


def test_key_derivation_matches_rfc8032_test_1() -> None:
    # RFC 8032 section 7.1, TEST 1: the seed gives the published public key. (Its signature
    # is over raw bytes, which our domain prefix deliberately never signs.)
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert StationKey.from_private_bytes(seed).public_bytes().hex() == public
