"""Sealing a message to the survey public key, and opening it with the private key.

HPKE (RFC 9180) base mode, single shot: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, and an
AEAD: ChaCha20-Poly1305 for the stations, AES-128-GCM for the online site (a browser's
WebCrypto has no ChaCha20), through `cryptography`'s hpke module. The sealed bytes are
`enc (32) ‖ AEAD ciphertext (plaintext + 16-byte tag)`; the AEAD's associated data is empty
and its sequence number is 0, exactly RFC 9180's Seal(pkR, info, aad="", pt). The context
(spec identity, envelope id) is bound through `info`: open with another info and it fails.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hpke

from crypto.errors import OpenError
from crypto.survey_keys import SurveyPrivateKey, SurveyPublicKey

_ENC_BYTES = 32  # the X25519 encapsulated key
_TAG_BYTES = 16  # the Poly1305 or GCM tag
SEAL_OVERHEAD = _ENC_BYTES + _TAG_BYTES  # 48 bytes more than the plaintext

CHACHA20_POLY1305 = "chacha20poly1305"  # the stations' AEAD
AES_128_GCM = "aes128gcm"  # the online site's: WebCrypto alone can seal it
_AEADS = {
    CHACHA20_POLY1305: hpke.AEAD.CHACHA20_POLY1305,
    AES_128_GCM: hpke.AEAD.AES_128_GCM,
}


def _suite(aead: str) -> hpke.Suite:
    if aead not in _AEADS:
        raise ValueError(f"unknown AEAD {aead!r}: one of {sorted(_AEADS)}")
    return hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, _AEADS[aead])


def seal(
    plaintext: bytes, public_key: SurveyPublicKey, *, info: bytes, aead: str = CHACHA20_POLY1305
) -> bytes:
    """Encrypt `plaintext` so that only the survey private key, with the same `info`,
    can open it. A fresh ephemeral key each time: sealing twice gives different bytes."""
    plaintext = _as_bytes(plaintext, "plaintext")
    info = _as_bytes(info, "info")
    if not isinstance(public_key, SurveyPublicKey):
        raise TypeError("seal needs a SurveyPublicKey")
    return _suite(aead).encrypt(plaintext, public_key._key, info=info)


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
    suite = _suite(aead)
    if len(sealed) < SEAL_OVERHEAD:
        raise OpenError(f"sealed data truncated ({len(sealed)} bytes, at least {SEAL_OVERHEAD})")
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
