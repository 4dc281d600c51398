"""Secrets protected by a passphrase (wrap/unwrap) and PINs kept as Argon2id hashes.

A wrapped secret is one self-describing blob (layout in crypto/README.md):

    magic "MSSW" | version 1 | kdf id | aead id | memory KiB | iterations | lanes
    | salt (16) | nonce (12) | ChaCha20-Poly1305(secret), the 44-byte header as associated data

Binding the header means a blob whose cost, salt or version was altered fails like a wrong
passphrase, instead of being opened under parameters nobody chose.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import struct
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from crypto.errors import KeyFileError, WrongPassphrase
from crypto.kdf import KdfCost, cost_problem, derive_key, passphrase_bytes

__all__ = [
    "WRAP_HEADER_BYTES",
    "WRAP_OVERHEAD",
    "KdfCost",
    "hash_pin",
    "unwrap_secret",
    "verify_pin",
    "wrap_secret",
]

RandomBytes = Callable[[int], bytes]

_MAGIC = b"MSSW"
_VERSION = 1
_KDF_ARGON2ID = 1  # Argon2id, version 0x13
_AEAD_CHACHA20_POLY1305 = 1
_SALT_BYTES = 16
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER = struct.Struct(">4sBBBIIB16s12s")
WRAP_HEADER_BYTES = _HEADER.size  # 44
WRAP_OVERHEAD = WRAP_HEADER_BYTES + _TAG_BYTES  # 60: a wrapped secret is this much longer

_PIN_SALT_BYTES = 16
_PIN_HASH_BYTES = 32
_B64 = "[A-Za-z0-9+/]+"
_PHC = re.compile(
    rf"\$argon2id\$v=19\$m=([0-9]{{1,7}}),t=([0-9]{{1,2}}),p=([0-9]{{1,2}})\$({_B64})\$({_B64})"
)


def wrap_secret(
    secret: bytes,
    passphrase: str,
    *,
    cost: KdfCost = KdfCost.STRONG,
    random_bytes: RandomBytes = os.urandom,
) -> bytes:
    """Encrypt `secret` under a key stretched from `passphrase`; returns the blob.

    `random_bytes` is asked first for the salt (16 bytes), then for the nonce (12 bytes).
    """
    secret = _as_bytes(secret, "secret")
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("the passphrase must be a non-empty str")
    if not isinstance(cost, KdfCost):
        raise TypeError("cost must be a KdfCost")
    salt = _random(random_bytes, _SALT_BYTES)
    nonce = _random(random_bytes, _NONCE_BYTES)
    header = _HEADER.pack(
        _MAGIC,
        _VERSION,
        _KDF_ARGON2ID,
        _AEAD_CHACHA20_POLY1305,
        cost.memory_kib,
        cost.iterations,
        cost.lanes,
        salt,
        nonce,
    )
    key = derive_key(passphrase_bytes(passphrase), salt, cost)
    return header + ChaCha20Poly1305(key).encrypt(nonce, secret, header)


def unwrap_secret(blob: bytes, passphrase: str) -> bytes:
    """The secret inside `blob`.

    WrongPassphrase when the passphrase does not open it (or an authenticated byte was
    altered); KeyFileError when the blob is not a wrapped secret we can read.
    """
    blob = _as_bytes(blob, "blob")
    if not isinstance(passphrase, str):
        raise TypeError("the passphrase must be a str")
    if len(blob) < WRAP_OVERHEAD:
        if blob[: len(_MAGIC)] != _MAGIC[: len(blob)]:
            raise KeyFileError("not a wrapped secret (bad magic)")
        raise KeyFileError(f"wrapped secret truncated ({len(blob)} bytes)")
    magic, version, kdf_id, aead_id, memory, iterations, lanes, salt, nonce = _HEADER.unpack(
        blob[:WRAP_HEADER_BYTES]
    )
    if magic != _MAGIC:
        raise KeyFileError("not a wrapped secret (bad magic)")
    if version != _VERSION:
        raise KeyFileError(f"unsupported wrapped-secret version {version}")
    if kdf_id != _KDF_ARGON2ID:
        raise KeyFileError(f"unsupported key-derivation id {kdf_id}")
    if aead_id != _AEAD_CHACHA20_POLY1305:
        raise KeyFileError(f"unsupported cipher id {aead_id}")
    problem = cost_problem(memory, iterations, lanes)
    if problem:
        raise KeyFileError(f"wrapped secret has an unusable cost: {problem}")
    cost = KdfCost(memory_kib=memory, iterations=iterations, lanes=lanes)
    key = derive_key(passphrase_bytes(passphrase), salt, cost)
    try:
        return ChaCha20Poly1305(key).decrypt(
            nonce, blob[WRAP_HEADER_BYTES:], blob[:WRAP_HEADER_BYTES]
        )
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase (or the protected data was altered)") from None


def hash_pin(
    pin: str, *, cost: KdfCost = KdfCost.STRONG, random_bytes: RandomBytes = os.urandom
) -> str:
    """A PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash` to store instead of the PIN."""
    if not isinstance(pin, str) or not pin:
        raise ValueError("the PIN must be a non-empty str")
    if not isinstance(cost, KdfCost):
        raise TypeError("cost must be a KdfCost")
    salt = _random(random_bytes, _PIN_SALT_BYTES)
    digest = derive_key(passphrase_bytes(pin), salt, cost, length=_PIN_HASH_BYTES)
    return (
        f"$argon2id$v=19$m={cost.memory_kib},t={cost.iterations},p={cost.lanes}"
        f"${_b64(salt)}${_b64(digest)}"
    )


def verify_pin(stored: str, pin: str) -> bool:
    """True when `pin` matches `stored` (compared in constant time); KeyFileError when
    `stored` is not a PIN hash we can read."""
    if not isinstance(stored, str):
        raise KeyFileError("the stored PIN hash is not text")
    if not isinstance(pin, str):
        raise TypeError("the PIN must be a str")
    match = _PHC.fullmatch(stored)
    if match is None:
        raise KeyFileError("the stored PIN hash is not an Argon2id PHC string")
    memory, iterations, lanes = (int(match.group(i)) for i in (1, 2, 3))
    problem = cost_problem(memory, iterations, lanes)
    if problem:
        raise KeyFileError(f"the stored PIN hash has an unusable cost: {problem}")
    salt = _unb64(match.group(4))
    expected = _unb64(match.group(5))
    if not 8 <= len(salt) <= 64 or not 16 <= len(expected) <= 64:
        raise KeyFileError("the stored PIN hash has a salt or hash of an unusable length")
    cost = KdfCost(memory_kib=memory, iterations=iterations, lanes=lanes)
    actual = derive_key(passphrase_bytes(pin), salt, cost, length=len(expected))
    return hmac.compare_digest(actual, expected)


def _as_bytes(value: object, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes")
    return bytes(value)


def _random(random_bytes: RandomBytes, count: int) -> bytes:
    value = random_bytes(count)
    if not isinstance(value, bytes) or len(value) != count:
        raise ValueError(f"random_bytes({count}) did not return {count} bytes")
    return value


def _b64(raw: bytes) -> str:
    # PHC strings use standard base64 without padding.
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("the stored PIN hash has bad base64") from None
    if _b64(raw) != text:  # one value, one spelling: refuse non-canonical trailing bits
        raise KeyFileError("the stored PIN hash has non-canonical base64")
    return raw
