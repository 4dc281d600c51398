"""RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), the suite
the online site seals with: `cryptography` opens the RFC's ciphertexts with skRm, and
`crypto.open_sealed(..., aead=AES_128_GCM)` opens what the RFC's key schedule seals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto import OpenError, SurveyPrivateKey, open_sealed
from crypto.seal import AES_128_GCM
from tests.crypto import hpke_reference

VECTOR: dict[str, Any] = json.loads(
    (Path(__file__).with_name("kat") / "rfc9180_a1_x25519_sha256_aes128gcm.json").read_text(
        encoding="utf-8"
    )
)
# The suite id of RFC 9180 section 5.1 for aead_id 0x0001 (hpke_reference's is ChaCha20's).
SUITE_ID = b"HPKE" + bytes.fromhex("0020") + bytes.fromhex("0001") + bytes.fromhex("0001")


def _h(name: str) -> bytes:
    return bytes.fromhex(VECTOR[name])


def _schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """RFC 9180 KeySchedule (base mode) with Nk = 16: only HMAC-SHA256 from the stdlib."""
    labeled_extract = hpke_reference._labeled_extract
    labeled_expand = hpke_reference._labeled_expand
    psk_id_hash = labeled_extract(SUITE_ID, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(SUITE_ID, b"", b"info_hash", info)
    context = bytes([0]) + psk_id_hash + info_hash
    secret = labeled_extract(SUITE_ID, shared_secret, b"secret", b"")
    return (
        labeled_expand(SUITE_ID, secret, b"key", context, 16),
        labeled_expand(SUITE_ID, secret, b"base_nonce", context, 12),
    )


def _recipient_schedule() -> tuple[bytes, bytes]:
    recipient = X25519PrivateKey.from_private_bytes(_h("skRm"))
    dh = recipient.exchange(X25519PublicKey.from_public_bytes(_h("enc")))
    shared_secret = hpke_reference._kem_shared_secret(dh, _h("enc"), _h("pkRm"))
    assert shared_secret == _h("shared_secret")
    return _schedule(shared_secret, _h("info"))


def test_the_vector_keys_belong_together() -> None:
    for secret, public in (("skRm", "pkRm"), ("skEm", "pkEm")):
        raw = (
            X25519PrivateKey.from_private_bytes(_h(secret))
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        assert raw == _h(public)
    assert _h("enc") == _h("pkEm")


def test_the_key_schedule_gives_the_rfc_key_and_nonce() -> None:
    assert _recipient_schedule() == (_h("key"), _h("base_nonce"))


@pytest.mark.parametrize(
    "encryption", VECTOR["encryptions"], ids=lambda e: str(e["sequence_number"])
)
def test_cryptography_opens_the_rfc_ciphertexts(encryption: dict[str, Any]) -> None:
    key, base_nonce = _recipient_schedule()
    sequence = encryption["sequence_number"].to_bytes(12, "big")
    nonce = bytes(a ^ b for a, b in zip(base_nonce, sequence, strict=True))
    assert nonce.hex() == encryption["nonce"]
    opened = AESGCM(key).decrypt(
        nonce, bytes.fromhex(encryption["ct"]), bytes.fromhex(encryption["aad"])
    )
    assert opened == bytes.fromhex(encryption["pt"])


def test_open_sealed_opens_the_rfc_schedule_sealed_single_shot() -> None:
    """What the site's browser sends: enc ‖ AES-128-GCM(key, base_nonce, pt, aad="")."""
    key, base_nonce = _recipient_schedule()
    pt = bytes.fromhex(VECTOR["encryptions"][0]["pt"])
    sealed = _h("enc") + AESGCM(key).encrypt(base_nonce, pt, b"")
    survey_key = SurveyPrivateKey.from_private_bytes(_h("skRm"))
    assert open_sealed(sealed, survey_key, info=_h("info"), aead=AES_128_GCM) == pt
    with pytest.raises(OpenError):
        open_sealed(sealed, survey_key, info=_h("info") + b"!", aead=AES_128_GCM)
    with pytest.raises(OpenError):  # the stations' AEAD does not open the site's
        open_sealed(sealed, survey_key, info=_h("info"))
