"""Station signatures: Ed25519 over a domain-separated message.

The signed bytes are `b"MSS/v1/" + domain + b"\\x00" + message`, so a signature made for one
purpose ("batch") can never pass for another ("beacon", "enrolment").
"""

from __future__ import annotations

import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crypto.errors import BadSignature, KeyFileError

SIGNATURE_BYTES = 64
_KEY_BYTES = 32
_PREFIX = b"MSS/v1/"
_DOMAIN = re.compile(r"[a-z][a-z0-9-]{0,63}")


def signed_bytes(domain: str, message: bytes) -> bytes:
    """Exactly the bytes Ed25519 signs for `domain` and `message`."""
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise ValueError(f"a signing domain is [a-z][a-z0-9-]* (at most 64), not {domain!r}")
    if not isinstance(message, bytes | bytearray | memoryview):
        raise TypeError("the message to sign must be bytes")
    return _PREFIX + domain.encode("ascii") + b"\x00" + bytes(message)


class StationKey:
    """A station's Ed25519 signing key (kept in the station database)."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError("StationKey wraps an Ed25519 private key")
        self._key = key

    @classmethod
    def generate(cls) -> StationKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> StationKey:
        """The key from its 32-byte seed; KeyFileError when `raw` is not one."""
        if not isinstance(raw, bytes | bytearray | memoryview) or len(raw) != _KEY_BYTES:
            raise KeyFileError(f"a station key is {_KEY_BYTES} bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(bytes(raw)))

    def private_bytes(self) -> bytes:
        """The 32-byte seed, for the station database (which is itself encrypted)."""
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def public_bytes(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, domain: str, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature of `message` for `domain` (deterministic)."""
        return self._key.sign(signed_bytes(domain, message))

    def __repr__(self) -> str:
        return f"StationKey(public={self.public_bytes().hex()[:16]}…)"


def verify_signature(public_bytes: bytes, domain: str, message: bytes, signature: bytes) -> None:
    """Return when `signature` is the station's signature of `message` for `domain`;
    BadSignature otherwise, including for a malformed key or signature."""
    data = signed_bytes(domain, message)
    for value, name, size in (
        (public_bytes, "public key", _KEY_BYTES),
        (signature, "signature", SIGNATURE_BYTES),
    ):
        if not isinstance(value, bytes | bytearray | memoryview) or len(value) != size:
            raise BadSignature(f"malformed {name}: expected {size} bytes")
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_bytes)).verify(bytes(signature), data)
    except (InvalidSignature, ValueError):
        raise BadSignature(f"the signature does not verify for domain {domain!r}") from None
