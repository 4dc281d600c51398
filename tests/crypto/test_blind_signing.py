"""RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Deterministic): the RFC's published
vectors byte for byte (EMSA-PSS encoding, Blind, BlindSign, Finalize), then round trips,
forgeries and the key file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from crypto import (
    BadBlindedMessage,
    BadSignature,
    KeyFileError,
    TokenPublicKey,
    TokenSigningKey,
    read_token_key_file,
    write_token_key_file,
)
from crypto.blind_signing import SALT_BYTES, emsa_pss_encode
from tests.crypto.make_kat import scripted_random

KAT = json.loads(
    (Path(__file__).with_name("kat") / "rfc9474_rsabssa_sha384_pss.json").read_text("utf-8")
)
VECTORS: dict[str, dict[str, str]] = KAT["vectors"]


def _key(vector: dict[str, str]) -> TokenSigningKey:
    return TokenSigningKey.from_primes(int(vector["p"], 16), int(vector["q"], 16),
                                       int(vector["e"], 16))  # fmt: skip


@pytest.fixture(scope="module")
def key() -> TokenSigningKey:
    return TokenSigningKey.generate()


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_the_rfc_vectors(name: str) -> None:
    vector = VECTORS[name]
    secret = _key(vector)
    public = secret.public_key()
    assert public.n == int(vector["n"], 16) and public.size == 512
    message, salt = bytes.fromhex(vector["prepared_msg"]), bytes.fromhex(vector["salt"])
    assert len(salt) == SALT_BYTES
    encoded = emsa_pss_encode(message, public.n.bit_length() - 1, salt)
    assert encoded.hex() == vector["encoded_msg"]

    # Blind draws the salt, then r: the vector gives r's inverse.
    r = pow(int(vector["inv"], 16), -1, public.n)
    blinded = public.blind(message, random_bytes=scripted_random(salt, r.to_bytes(512, "big")))
    assert blinded.message.hex() == vector["blinded_msg"]
    assert blinded.inverse == int(vector["inv"], 16)

    blind_sig = secret.blind_sign(blinded.message)
    assert blind_sig.hex() == vector["blind_sig"]
    signature = public.finalize(message, blind_sig, blinded.inverse)
    assert signature.hex() == vector["sig"]
    public.verify(message, signature)


def test_the_vector_key_has_the_rfc_private_exponent() -> None:
    vector = VECTORS["RSABSSA-SHA384-PSS-Deterministic"]
    numbers = _key(vector)._key.private_numbers()  # the KAT checks our key construction
    assert numbers.d == int(vector["d"], 16)


def test_blind_sign_finalize_verify_round_trip(key: TokenSigningKey) -> None:
    public = key.public_key()
    message = os.urandom(32)
    blinded = public.blind(message)
    assert len(blinded.message) == public.size == 256
    signature = public.finalize(message, key.blind_sign(blinded.message), blinded.inverse)
    public.verify(message, signature)
    # The same message blinded again looks unrelated to the signer, and signs differently
    # (a fresh PSS salt), yet both signatures verify.
    again = public.blind(message)
    assert again.message != blinded.message
    other = public.finalize(message, key.blind_sign(again.message), again.inverse)
    assert other != signature
    public.verify(message, other)


def test_forgeries_are_bad_signatures(key: TokenSigningKey) -> None:
    public = key.public_key()
    message = b"m" * 32
    blinded = public.blind(message)
    blind_sig = key.blind_sign(blinded.message)
    signature = public.finalize(message, blind_sig, blinded.inverse)
    with pytest.raises(BadSignature):
        public.verify(b"n" * 32, signature)
    with pytest.raises(BadSignature):
        public.verify(message, bytes([signature[0] ^ 1]) + signature[1:])
    with pytest.raises(BadSignature):
        public.verify(message, signature[:-1])
    with pytest.raises(BadSignature):  # the signer's answer for another blinding
        public.finalize(message, blind_sig, public.blind(message).inverse)
    with pytest.raises(BadSignature):
        public.finalize(message, blind_sig[1:], blinded.inverse)
    stranger = TokenSigningKey.generate().public_key()
    with pytest.raises(BadSignature):
        stranger.verify(message, signature)


def test_blind_sign_refuses_malformed_input(key: TokenSigningKey) -> None:
    size = key.public_key().size
    with pytest.raises(BadBlindedMessage):
        key.blind_sign(b"\x01" * (size - 1))
    with pytest.raises(BadBlindedMessage):
        key.blind_sign(b"\xff" * size)  # not below n
    with pytest.raises(BadBlindedMessage):
        key.blind_sign("text")  # type: ignore[arg-type]


def test_public_key_text_and_jwk(key: TokenSigningKey) -> None:
    public = key.public_key()
    assert TokenPublicKey.from_text(public.to_text()) == public
    jwk = public.jwk()
    assert jwk["kty"] == "RSA" and jwk["e"] == "AQAB" and len(jwk["n"]) == 342
    assert TokenPublicKey.from_jwk(jwk) == public
    for bad_jwk in ({**jwk, "kty": "EC"}, {**jwk, "n": jwk["n"] + "="}, {"kty": "RSA"}):
        with pytest.raises(KeyFileError):
            TokenPublicKey.from_jwk(bad_jwk)
    assert len(public.key_id()) == 64
    for bad in ("", "mss-token-pk-v1:", "mss-token-pk-v1:AAAA", "mss-survey-pk-v1:" + "A" * 43):
        with pytest.raises(KeyFileError):
            TokenPublicKey.from_text(bad)
    with pytest.raises(KeyFileError):  # too small to be a token key
        TokenPublicKey.from_numbers(int("f" * 256, 16) | 1, 65537)


def test_key_file_round_trip(key: TokenSigningKey, tmp_path: Path) -> None:
    path = tmp_path / "token.key"
    write_token_key_file(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = read_token_key_file(path)
    assert again.public_key() == key.public_key()
    blinded = key.public_key().blind(b"x" * 32)
    assert again.blind_sign(blinded.message, random_bytes=os.urandom) == key.blind_sign(
        blinded.message
    )
    with pytest.raises(FileExistsError):
        write_token_key_file(path, TokenSigningKey.generate())


def _edited(tmp_path: Path, key: TokenSigningKey, edit: Any) -> Path:
    good = tmp_path / "good.key"
    if not good.exists():
        write_token_key_file(good, key)
    bad = tmp_path / f"bad{len(list(tmp_path.iterdir()))}.key"
    bad.write_bytes(edit(good.read_bytes()))
    return bad


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b"",
        lambda b: b.replace(b"mss-token-signing-key-v1", b"mss-token-signing-key-v2"),
        lambda b: b[:-40] + b"\n",
        lambda b: b + b"extra\n",
        lambda b: b.replace(b"public-key: ", b"public: "),
        lambda b: b.replace(b"private-key: M", b"private-key: m"),
    ],
)
def test_a_damaged_key_file_is_refused(key: TokenSigningKey, tmp_path: Path, edit: Any) -> None:
    with pytest.raises(KeyFileError):
        read_token_key_file(_edited(tmp_path, key, edit))


def test_a_key_file_whose_public_line_was_swapped_is_refused(
    key: TokenSigningKey, tmp_path: Path
) -> None:
    other = TokenSigningKey.generate().public_key().to_text().encode()
    swapped = _edited(
        tmp_path, key,
        lambda b: b.replace(key.public_key().to_text().encode(), other),
    )  # fmt: skip
    with pytest.raises(KeyFileError, match="does not match"):
        read_token_key_file(swapped)
