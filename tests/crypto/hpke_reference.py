"""A test-only, from-the-RFC implementation of HPKE base mode single-shot Seal/Open for
DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180 sections 4, 5.1, 7).

It lets the tests check our seal against RFC 9180's published vector with a *fixed*
ephemeral key, which `cryptography`'s HPKE API cannot take (it always draws a fresh one), and
it uses only HMAC-SHA256 (stdlib), X25519 and ChaCha20-Poly1305: not `cryptography`'s HPKE.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

KEM_ID, KDF_ID, AEAD_ID = 0x0020, 0x0001, 0x0003
KEM_SUITE_ID = b"KEM" + KEM_ID.to_bytes(2, "big")
HPKE_SUITE_ID = (
    b"HPKE" + KEM_ID.to_bytes(2, "big") + KDF_ID.to_bytes(2, "big") + AEAD_ID.to_bytes(2, "big")
)
MODE_BASE = 0


@dataclass(frozen=True)
class Context:
    enc: bytes
    shared_secret: bytes
    key: bytes
    base_nonce: bytes


def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def _labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, b"HPKE-v1" + suite_id + label + ikm)


def _labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return _expand(prk, labeled_info, length)


def _raw_public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kem_shared_secret(dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    eae_prk = _labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return _labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", enc + pk_r, 32)


def _key_schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    psk_id_hash = _labeled_extract(HPKE_SUITE_ID, b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(HPKE_SUITE_ID, b"", b"info_hash", info)
    context = bytes([MODE_BASE]) + psk_id_hash + info_hash
    secret = _labeled_extract(HPKE_SUITE_ID, shared_secret, b"secret", b"")
    key = _labeled_expand(HPKE_SUITE_ID, secret, b"key", context, 32)
    base_nonce = _labeled_expand(HPKE_SUITE_ID, secret, b"base_nonce", context, 12)
    return key, base_nonce


def sender_context(sk_e: bytes, pk_r: bytes, info: bytes) -> Context:
    ephemeral = X25519PrivateKey.from_private_bytes(sk_e)
    enc = _raw_public(ephemeral)
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(pk_r))
    shared_secret = _kem_shared_secret(dh, enc, pk_r)
    return Context(enc, shared_secret, *_key_schedule(shared_secret, info))


def seal(sk_e: bytes, pk_r: bytes, info: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """enc ‖ ciphertext for sequence number 0, the RFC's single-shot Seal."""
    context = sender_context(sk_e, pk_r, info)
    return context.enc + ChaCha20Poly1305(context.key).encrypt(context.base_nonce, plaintext, aad)


def open_(sk_r: bytes, info: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    recipient = X25519PrivateKey.from_private_bytes(sk_r)
    enc, ciphertext = sealed[:32], sealed[32:]
    dh = recipient.exchange(X25519PublicKey.from_public_bytes(enc))
    shared_secret = _kem_shared_secret(dh, enc, _raw_public(recipient))
    key, base_nonce = _key_schedule(shared_secret, info)
    return ChaCha20Poly1305(key).decrypt(base_nonce, ciphertext, aad)
