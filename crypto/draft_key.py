"""Drafts under a key that lives in memory only: what a respondent has typed so far is
written to the station's store encrypted under a random key that is never written
anywhere. Once the station process ends (a finish, a lock, a crash, a power cut), no one,
not even the coordinator with the passphrase, can read the draft's pages back from the
database, its WAL or its free pages.

Format: `nonce (12) ‖ ChaCha20-Poly1305(key, nonce, plaintext, aad=context)` (RFC 8439
section 2.8); the station's context is the draft id, so one draft's bytes cannot be passed
off as another's.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from crypto.errors import OpenError

_KEY_BYTES = 32
_NONCE_BYTES = 12
DRAFT_OVERHEAD = _NONCE_BYTES + 16


class DraftKey:
    """A random ChaCha20-Poly1305 key held by one running station, never serialised."""

    __slots__ = ("_aead",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != _KEY_BYTES:
            raise ValueError("a draft key is 32 bytes")
        self._aead = ChaCha20Poly1305(raw)

    @classmethod
    def generate(cls, random_bytes: Callable[[int], bytes] = os.urandom) -> DraftKey:
        return cls(random_bytes(_KEY_BYTES))

    def __repr__(self) -> str:
        return "DraftKey(<in memory only>)"

    def __reduce__(self) -> None:  # type: ignore[override]
        raise TypeError("a draft key is never serialised")

    def seal(self, plaintext: bytes, *, context: bytes, nonce: bytes | None = None) -> bytes:
        """`nonce` is for known-answer tests only: a fresh random one otherwise."""
        nonce = os.urandom(_NONCE_BYTES) if nonce is None else nonce
        if len(nonce) != _NONCE_BYTES:
            raise ValueError("a nonce is 12 bytes")
        return nonce + self._aead.encrypt(nonce, bytes(plaintext), bytes(context))

    def open(self, sealed: bytes, *, context: bytes) -> bytes:
        """The draft's plaintext; OpenError when this key did not seal it with `context`
        (a draft left by an earlier run of the station, or altered bytes)."""
        sealed = bytes(sealed)
        if len(sealed) < DRAFT_OVERHEAD:
            raise OpenError("the draft is truncated")
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], bytes(context))
        except InvalidTag:
            raise OpenError("the draft was not sealed by this run of the station") from None
