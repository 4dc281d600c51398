"""Sealing a message to the survey public key, and opening it with the private key.

HPKE (RFC 9180) base mode, single shot: the survey key's KEM — DHKEM(X25519, HKDF-SHA256),
or the post-quantum hybrid MLKEM768-X25519 of draft-ietf-hpke-pq for a key made so
(survey_keys.py) —, HKDF-SHA256, and an AEAD: ChaCha20-Poly1305 for the stations,
AES-128-GCM for the online site (a browser's WebCrypto has no ChaCha20), through
`cryptography`'s hpke module. The sealed bytes are `enc (32, or 1,120 for the hybrid) ‖ AEAD
ciphertext (plaintext + 16-byte tag)`; the AEAD's associated data is empty and its sequence
number is 0, exactly RFC 9180's Seal(pkR, info, aad="", pt). The context (spec identity,
envelope id) is bound through `info`: open with another info and it fails.
"""

from __future__ import annotations

import functools

from cryptography.hazmat.primitives import hpke

from crypto.errors import OpenError
from crypto.survey_keys import MLKEM768_X25519, X25519, SurveyPrivateKey, SurveyPublicKey

_ENC_BYTES = {X25519: 32, MLKEM768_X25519: 1120}  # the encapsulated key
_KEMS = {X25519: hpke.KEM.X25519, MLKEM768_X25519: hpke.KEM.MLKEM768_X25519}
_TAG_BYTES = 16  # the Poly1305 or GCM tag
SEAL_OVERHEAD = _ENC_BYTES[X25519] + _TAG_BYTES  # 48 bytes more than the plaintext


def seal_overhead(kem: str = X25519) -> int:
    """Bytes a sealed message has beyond its plaintext, for a survey key of kind `kem`."""
    return _ENC_BYTES[kem] + _TAG_BYTES


CHACHA20_POLY1305 = "chacha20poly1305"  # the stations' AEAD
AES_128_GCM = "aes128gcm"  # the online site's: WebCrypto alone can seal it
_AEADS = {
    CHACHA20_POLY1305: hpke.AEAD.CHACHA20_POLY1305,
    AES_128_GCM: hpke.AEAD.AES_128_GCM,
}


@functools.cache  # a few kinds of suite, and building one cost 40 % of an open under load
def _suite(aead: str, kem: str) -> hpke.Suite:
    if aead not in _AEADS:
        raise ValueError(f"unknown AEAD {aead!r}: one of {sorted(_AEADS)}")
    return hpke.Suite(_KEMS[kem], hpke.KDF.HKDF_SHA256, _AEADS[aead])


def seal(
    plaintext: bytes, public_key: SurveyPublicKey, *, info: bytes, aead: str = CHACHA20_POLY1305
) -> bytes:
    """Encrypt `plaintext` so that only the survey private key, with the same `info`,
    can open it. A fresh ephemeral key each time: sealing twice gives different bytes."""
    plaintext = _as_bytes(plaintext, "plaintext")
    info = _as_bytes(info, "info")
    if not isinstance(public_key, SurveyPublicKey):
        raise TypeError("seal needs a SurveyPublicKey")
    return _suite(aead, public_key.kem).encrypt(plaintext, public_key._key, info=info)


def open_sealed(
    sealed: bytes, private_key: SurveyPrivateKey, *, info: bytes, aead: str = CHACHA20_POLY1305
) -> bytes:
    """The plaintext of `sealed`; OpenError on any failure (wrong key, other info, other
    AEAD, altered or truncated bytes)."""
    if not isinstance(private_key, SurveyPrivateKey):
        # A station holds only the public key: it cannot even try.
        raise TypeError("open_sealed needs a SurveyPrivateKey")
    info = _as_bytes(info, "info")
    if not isinstance(sealed, bytes | bytearray | memoryview):
        raise OpenError("sealed data must be bytes")
    sealed = bytes(sealed)
    suite = _suite(aead, private_key.kem)
    least = seal_overhead(private_key.kem)
    if len(sealed) < least:
        raise OpenError(f"sealed data truncated ({len(sealed)} bytes, at least {least})")
    try:
        return suite.decrypt(sealed, private_key._key, info=info)
    except Exception:  # InvalidTag, or whatever the library says about bad bytes: one answer
        raise OpenError(
            "cannot open the sealed data: wrong key, other context, or altered bytes"
        ) from None


def _as_bytes(value: object, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes")
    return bytes(value)
