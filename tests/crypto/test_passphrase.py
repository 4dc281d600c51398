"""wrap_secret / unwrap_secret and hash_pin / verify_pin, on real Argon2id and ChaCha20."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import KdfCost, KeyFileError, WrongPassphrase, hash_pin, unwrap_secret, verify_pin
from crypto import wrap_secret as _wrap_secret
from crypto.passphrase import WRAP_HEADER_BYTES, WRAP_OVERHEAD

FAST = KdfCost.FAST


def wrap(secret: bytes, passphrase: str) -> bytes:
    return _wrap_secret(secret, passphrase, cost=FAST)


def test_round_trip_and_size() -> None:
    secret = b"\x00database key\xff" * 2
    blob = wrap(secret, "coordinator passphrase")
    assert len(blob) == len(secret) + WRAP_OVERHEAD == len(secret) + 60
    assert blob[:4] == b"MSSW"
    assert unwrap_secret(blob, "coordinator passphrase") == secret


def test_the_default_cost_is_the_strong_one_and_travels_in_the_blob() -> None:
    assert KdfCost.STRONG.memory_kib >= 64 * 1024
    assert KdfCost.STRONG.iterations >= 3
    blob = _wrap_secret(b"k" * 32, "pass")  # one real, slow wrap (~0.3 s here)
    memory, iterations, lanes = struct.unpack(">IIB", blob[7:16])
    assert (memory, iterations, lanes) == (
        KdfCost.STRONG.memory_kib,
        KdfCost.STRONG.iterations,
        KdfCost.STRONG.lanes,
    )


def test_wrapping_twice_gives_different_blobs() -> None:
    assert wrap(b"secret", "pass") != wrap(b"secret", "pass")


def test_wrong_passphrase() -> None:
    blob = wrap(b"secret", "right one")
    with pytest.raises(WrongPassphrase):
        unwrap_secret(blob, "wrong one")
    with pytest.raises(WrongPassphrase):
        unwrap_secret(blob, "")


def test_passphrase_is_unicode_normalised() -> None:
    composed, decomposed = "caf\u00e9 mot de passe", "cafe\u0301 mot de passe"
    assert unwrap_secret(wrap(b"s", composed), decomposed) == b"s"


@pytest.mark.parametrize("passphrase", ["", None, b"bytes"])
def test_wrap_refuses_an_empty_or_non_text_passphrase(passphrase: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        _wrap_secret(b"s", passphrase, cost=FAST)  # type: ignore[arg-type]


def test_every_altered_byte_is_refused() -> None:
    blob = wrap(b"8 bytes!", "pass")
    for position in range(len(blob)):
        for flip in (0x01, 0x80, 0xFF):
            altered = bytearray(blob)
            altered[position] ^= flip
            with pytest.raises((WrongPassphrase, KeyFileError)):
                unwrap_secret(bytes(altered), "pass")


def test_every_truncation_is_refused() -> None:
    blob = wrap(b"8 bytes!", "pass")
    for length in range(len(blob)):
        with pytest.raises((WrongPassphrase, KeyFileError)):
            unwrap_secret(blob[:length], "pass")
    with pytest.raises(WrongPassphrase):
        unwrap_secret(blob + b"\x00", "pass")


def _header(**changes: int) -> bytes:
    fields = {"version": 1, "kdf": 1, "aead": 1, "memory": 8, "iterations": 1, "lanes": 1}
    fields.update(changes)
    return struct.pack(
        ">4sBBBIIB16s12s",
        b"MSSW",
        fields["version"],
        fields["kdf"],
        fields["aead"],
        fields["memory"],
        fields["iterations"],
        fields["lanes"],
        bytes(16),
        bytes(12),
    )


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"version": 2}, "version 2"),
        ({"kdf": 9}, "key-derivation id 9"),
        ({"aead": 0}, "cipher id 0"),
        ({"memory": 2**31}, "memory"),
        ({"memory": 4}, "memory"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": 10_000}, "iterations"),
        ({"lanes": 0}, "lanes"),
        ({"lanes": 200}, "lanes"),
    ],
)
def test_unknown_formats_and_unusable_costs_are_key_file_errors(
    changes: dict[str, int], said: str
) -> None:
    blob = _header(**changes) + bytes(16)
    assert len(blob) == WRAP_HEADER_BYTES + 16
    with pytest.raises(KeyFileError, match=said):
        unwrap_secret(blob, "pass")


@pytest.mark.parametrize("blob", [b"", b"MSS", b"not a wrapped secret at all, much too long" * 3])
def test_garbage_is_a_key_file_error(blob: bytes) -> None:
    with pytest.raises(KeyFileError):
        unwrap_secret(blob, "pass")


def test_random_bytes_is_used_for_salt_then_nonce() -> None:
    asked: list[int] = []

    def random_bytes(count: int) -> bytes:
        asked.append(count)
        return bytes([len(asked)]) * count

    blob = _wrap_secret(b"s", "pass", cost=FAST, random_bytes=random_bytes)
    assert asked == [16, 12]
    assert blob[16:32] == b"\x01" * 16 and blob[32:44] == b"\x02" * 12


def test_a_short_random_source_is_refused() -> None:
    with pytest.raises(ValueError):
        _wrap_secret(b"s", "pass", cost=FAST, random_bytes=lambda n: b"\x00")


def test_kdf_cost_bounds() -> None:
    for bad in ({"memory_kib": 4, "iterations": 1}, {"memory_kib": 8, "iterations": 0}):
        with pytest.raises(ValueError):
            KdfCost(**bad)
    with pytest.raises(ValueError):
        KdfCost(memory_kib=8, iterations=1, lanes=2)  # Argon2 needs 8 KiB per lane


@settings(max_examples=40, deadline=None)
@given(secret=st.binary(max_size=200), passphrase=st.text(min_size=1, max_size=40))
def test_round_trip_property(secret: bytes, passphrase: str) -> None:
    assert unwrap_secret(wrap(secret, passphrase), passphrase) == secret


# --- PINs ---------------------------------------------------------------------------------


def test_pin_hash_verifies_the_right_pin_only() -> None:
    stored = hash_pin("482916", cost=FAST)
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_pin(stored, "482916") is True
    assert verify_pin(stored, "482917") is False
    assert verify_pin(stored, "") is False


def test_pin_hash_default_cost_is_strong() -> None:
    stored = hash_pin("1234")
    strong = KdfCost.STRONG
    assert f"$m={strong.memory_kib},t={strong.iterations},p={strong.lanes}$" in stored


def test_pin_hash_is_salted() -> None:
    assert hash_pin("1234", cost=FAST) != hash_pin("1234", cost=FAST)


def test_pin_hash_is_a_standard_phc_string() -> None:
    # cryptography's own PHC verifier reads ours, and ours reads its.
    stored = hash_pin("7391", cost=FAST)
    Argon2id.verify_phc_encoded(b"7391", stored)
    theirs = Argon2id(
        salt=b"0123456789abcdef", length=32, iterations=1, lanes=1, memory_cost=8
    ).derive_phc_encoded(b"7391")
    assert verify_pin(theirs, "7391") is True


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1234",
        "$argon2i$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=16$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=19$m=9999999,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=19$m=8,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=19$m=8,t=1,p=1$AAAA$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAA",
        "$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZh$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks",
        "$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m1ZDzCI9dqnwaJeX4uJS3L04dgJFSfxDnDiSNg6qWks\n",
    ],
)
def test_malformed_pin_hashes_are_key_file_errors(stored: str) -> None:
    with pytest.raises(KeyFileError):
        verify_pin(stored, "1234")


def test_hash_pin_refuses_an_empty_pin() -> None:
    with pytest.raises(ValueError):
        hash_pin("", cost=FAST)
