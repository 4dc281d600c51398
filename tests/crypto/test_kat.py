"""Known answers (tests/crypto/kat/, written by make_kat.py): our formats, byte for byte,
and interoperability with RFC 9180's published HPKE vector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hpke

from crypto import (
    KdfCost,
    OperatorKey,
    StationKey,
    SurveyPrivateKey,
    SurveyPublicKey,
    hash_pin,
    open_sealed,
    read_operator_key_file,
    read_operator_public_key,
    read_private_key_file,
    read_public_key_from_private_file,
    seal,
    signed_bytes,
    unwrap_secret,
    verify_pin,
    verify_signature,
    wrap_secret,
    write_operator_key_file,
    write_private_key_file,
)
from tests.crypto import hpke_reference
from tests.crypto.make_kat import scripted_random

KAT = Path(__file__).with_name("kat")


def load(name: str) -> dict[str, Any]:
    return json.loads((KAT / name).read_text(encoding="utf-8"))


def cost(vector: dict[str, Any]) -> KdfCost:
    return KdfCost(**vector["cost"])


# --- HPKE -------------------------------------------------------------------------------


def test_hpke_open_vector() -> None:
    vector = load("hpke_open.json")
    key = SurveyPrivateKey.from_private_bytes(bytes.fromhex(vector["private_key"]))
    assert key.public_key().to_text() == vector["public_key_text"]
    sealed, info = bytes.fromhex(vector["sealed"]), bytes.fromhex(vector["info"])
    assert open_sealed(sealed, key, info=info) == bytes.fromhex(vector["plaintext"])


RFC = "rfc9180_a2_1_x25519_sha256_chacha20poly1305.json"


def test_reference_implementation_reproduces_rfc9180() -> None:
    """Our test-only HPKE (tests/crypto/hpke_reference.py) matches RFC 9180 A.2.1 exactly,
    so it can stand in for the RFC where `cryptography` cannot fix the ephemeral key."""
    v = load(RFC)
    context = hpke_reference.sender_context(
        bytes.fromhex(v["skEm"]), bytes.fromhex(v["pkRm"]), bytes.fromhex(v["info"])
    )
    assert context.enc.hex() == v["enc"]
    assert context.shared_secret.hex() == v["shared_secret"]
    assert context.key.hex() == v["key"]
    assert context.base_nonce.hex() == v["base_nonce"]
    first = v["encryptions"][0]
    sealed = hpke_reference.seal(
        bytes.fromhex(v["skEm"]),
        bytes.fromhex(v["pkRm"]),
        bytes.fromhex(v["info"]),
        bytes.fromhex(first["pt"]),
        bytes.fromhex(first["aad"]),
    )
    assert sealed.hex() == v["enc"] + first["ct"]
    assert sealed.hex() != v["aad_less_encryption"]["sealed"]


def test_open_sealed_opens_the_rfc9180_key_schedule() -> None:
    """RFC 9180 A.2.1's keys and info, sealed with an empty aad (what our seal does): our
    open_sealed opens it, and its bytes are pinned in the KAT."""
    v = load(RFC)
    expected = hpke_reference.seal(
        bytes.fromhex(v["skEm"]),
        bytes.fromhex(v["pkRm"]),
        bytes.fromhex(v["info"]),
        bytes.fromhex(v["aad_less_encryption"]["pt"]),
    )
    assert expected.hex() == v["aad_less_encryption"]["sealed"]
    key = SurveyPrivateKey.from_private_bytes(bytes.fromhex(v["skRm"]))
    assert key.public_key().to_bytes().hex() == v["pkRm"]
    opened = open_sealed(expected, key, info=bytes.fromhex(v["info"]))
    assert opened.hex() == v["aad_less_encryption"]["pt"]


def test_our_seal_is_opened_by_the_reference_implementation() -> None:
    v = load(RFC)
    public = SurveyPublicKey.from_bytes(bytes.fromhex(v["pkRm"]))
    info = bytes.fromhex(v["info"])
    sealed = seal(b"Beauty is truth, truth beauty", public, info=info)
    assert hpke_reference.open_(bytes.fromhex(v["skRm"]), info, sealed) == (
        b"Beauty is truth, truth beauty"
    )


def test_cryptography_opens_the_rfc9180_ciphertext_with_its_aad() -> None:
    """The RFC's own ciphertext uses aad "Count-0", which the public single-shot API cannot
    pass (it always uses an empty aad); `cryptography` keeps a private aad entry point,
    used here only to show its HPKE is RFC 9180's. Skipped if that private hook goes."""
    rust_hpke = pytest.importorskip("cryptography.hazmat.bindings._rust").openssl.hpke
    decrypt_with_aad = getattr(rust_hpke, "_decrypt_with_aad", None)
    if decrypt_with_aad is None:
        pytest.skip("this cryptography has no private aad entry point")
    v = load(RFC)
    first = v["encryptions"][0]
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
    key = SurveyPrivateKey.from_private_bytes(bytes.fromhex(v["skRm"]))
    plaintext = decrypt_with_aad(
        suite,
        bytes.fromhex(v["enc"] + first["ct"]),
        key._key,
        info=bytes.fromhex(v["info"]),
        aad=bytes.fromhex(first["aad"]),
    )
    assert plaintext.hex() == first["pt"]


# --- passphrase -------------------------------------------------------------------------


def test_wrap_secret_vector() -> None:
    v = load("wrap_secret.json")
    blob = bytes.fromhex(v["blob"])
    assert unwrap_secret(blob, v["passphrase"]).hex() == v["secret"]
    again = wrap_secret(
        bytes.fromhex(v["secret"]),
        v["passphrase"],
        cost=cost(v),
        random_bytes=scripted_random(bytes.fromhex(v["salt"]), bytes.fromhex(v["nonce"])),
    )
    assert again == blob


def test_pin_hash_vector() -> None:
    v = load("pin_hash.json")
    assert verify_pin(v["phc"], v["pin"]) is True
    again = hash_pin(v["pin"], cost=cost(v), random_bytes=scripted_random(bytes.fromhex(v["salt"])))
    assert again == v["phc"]


@pytest.mark.parametrize(
    ("name", "read", "read_public", "write", "make"),
    [
        ("survey_key_file.json", read_private_key_file, read_public_key_from_private_file,
         write_private_key_file, SurveyPrivateKey.from_private_bytes),
        ("operator_key_file.json", read_operator_key_file, read_operator_public_key,
         write_operator_key_file, OperatorKey.from_private_bytes),
    ],
)  # fmt: skip
def test_key_file_vector(
    tmp_path: Path, name: str, read: Any, read_public: Any, write: Any, make: Any
) -> None:
    v = load(name)
    stored = tmp_path / "stored.key"
    stored.write_text(v["file_text"], encoding="ascii")
    key = read(stored, v["passphrase"])
    assert key.public_key().to_text() == v["public_key_text"]
    assert key.public_key().fingerprint() == v["fingerprint"]
    assert read_public(stored).to_text() == v["public_key_text"]
    written = tmp_path / "written.key"
    write(
        written,
        make(bytes.fromhex(v["private_key"])),
        v["passphrase"],
        cost=cost(v),
        random_bytes=scripted_random(bytes.fromhex(v["salt"]), bytes.fromhex(v["nonce"])),
    )
    assert written.read_text(encoding="ascii") == v["file_text"]


# --- signing ----------------------------------------------------------------------------


def test_ed25519_signature_vector() -> None:
    v = load("ed25519_signature.json")
    key = StationKey.from_private_bytes(bytes.fromhex(v["private_key"]))
    message = bytes.fromhex(v["message"])
    assert key.public_bytes().hex() == v["public_key"]
    assert signed_bytes(v["domain"], message).hex() == v["signed_bytes"]
    assert key.sign(v["domain"], message).hex() == v["signature"]
    verify_signature(
        bytes.fromhex(v["public_key"]), v["domain"], message, bytes.fromhex(v["signature"])
    )
