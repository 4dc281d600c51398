"""HPKE seal/open with real keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hpke
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import AES_128_GCM, SEAL_OVERHEAD, OpenError, generate_survey_key, open_sealed, seal

INFO = b'MSS envelope v1\x00{"envelope_id":"e1","spec":{"id":"cips","version":"1.0.0"}}'


def test_round_trip() -> None:
    key = generate_survey_key()
    sealed = seal(b"answers", key.public_key(), info=INFO)
    assert open_sealed(sealed, key, info=INFO) == b"answers"


def test_overhead_is_enc_plus_tag() -> None:
    assert SEAL_OVERHEAD == 48 == hpke.KEM.X25519.enc_length() + 16
    key = generate_survey_key()
    for size in (0, 1, 1000):
        assert len(seal(bytes(size), key.public_key(), info=INFO)) == size + SEAL_OVERHEAD


def test_sealing_is_randomised() -> None:
    public = generate_survey_key().public_key()
    assert seal(b"same", public, info=INFO) != seal(b"same", public, info=INFO)


def test_wrong_key_cannot_open() -> None:
    sealed = seal(b"answers", generate_survey_key().public_key(), info=INFO)
    with pytest.raises(OpenError):
        open_sealed(sealed, generate_survey_key(), info=INFO)


@pytest.mark.parametrize("other", [b"", INFO + b" ", INFO.replace(b"e1", b"e2")])
def test_other_info_cannot_open(other: bytes) -> None:
    key = generate_survey_key()
    sealed = seal(b"answers", key.public_key(), info=INFO)
    with pytest.raises(OpenError):
        open_sealed(sealed, key, info=other)


def test_every_altered_byte_is_refused() -> None:
    key = generate_survey_key()
    sealed = seal(b"answers", key.public_key(), info=INFO)
    for position in range(len(sealed)):
        for flip in (0x01, 0xFF):
            altered = bytearray(sealed)
            altered[position] ^= flip
            with pytest.raises(OpenError):
                open_sealed(bytes(altered), key, info=INFO)


def test_every_truncation_and_extension_is_refused() -> None:
    key = generate_survey_key()
    sealed = seal(b"answers", key.public_key(), info=INFO)
    for length in range(len(sealed)):
        with pytest.raises(OpenError):
            open_sealed(sealed[:length], key, info=INFO)
    with pytest.raises(OpenError):
        open_sealed(sealed + b"\x00", key, info=INFO)


def test_the_station_cannot_open_with_the_public_key() -> None:
    key = generate_survey_key()
    sealed = seal(b"answers", key.public_key(), info=INFO)
    with pytest.raises(TypeError):
        open_sealed(sealed, key.public_key(), info=INFO)  # type: ignore[arg-type]


def test_wrong_types_are_refused() -> None:
    key = generate_survey_key()
    with pytest.raises(TypeError):
        seal("text", key.public_key(), info=INFO)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        seal(b"x", key.public_key(), info="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        seal(b"x", key, info=INFO)  # type: ignore[arg-type]
    with pytest.raises(OpenError):
        open_sealed("text", key, info=INFO)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=2000), info=st.binary(max_size=200))
def test_round_trip_property(plaintext: bytes, info: bytes) -> None:
    key = generate_survey_key()
    sealed = seal(plaintext, key.public_key(), info=info)
    assert len(sealed) == len(plaintext) + SEAL_OVERHEAD
    assert open_sealed(sealed, key, info=info) == plaintext


def test_the_site_aead_opens_only_as_the_site_aead() -> None:
    """AES-128-GCM (the browser's) and ChaCha20-Poly1305 (the station's) are not
    interchangeable: an envelope opens only under the AEAD it was sealed with."""
    private = generate_survey_key()
    sealed = seal(b"site answers", private.public_key(), info=b"ctx", aead=AES_128_GCM)
    assert open_sealed(sealed, private, info=b"ctx", aead=AES_128_GCM) == b"site answers"
    with pytest.raises(OpenError):
        open_sealed(sealed, private, info=b"ctx")
    with pytest.raises(ValueError, match="unknown AEAD"):
        seal(b"x", private.public_key(), info=b"ctx", aead="rot13")
