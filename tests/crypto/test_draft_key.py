"""The draft recipe: RFC 8439's AEAD test vector, and a key that dies with the process."""

from __future__ import annotations

import pickle

import pytest

from crypto import DraftKey, OpenError

# RFC 8439 section 2.8.2: AEAD_CHACHA20_POLY1305 test vector.
KEY = bytes(range(0x80, 0xA0))
NONCE = bytes.fromhex("070000004041424344454647")
AAD = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
PLAINTEXT = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
    b"the future, sunscreen would be it."
)
CIPHERTEXT = bytes.fromhex(
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116"
)
TAG = bytes.fromhex("1ae10b594f09e26a7e902ecbd0600691")


def test_the_rfc_8439_vector() -> None:
    key = DraftKey(KEY)
    sealed = key.seal(PLAINTEXT, context=AAD, nonce=NONCE)
    assert sealed == NONCE + CIPHERTEXT + TAG
    assert key.open(sealed, context=AAD) == PLAINTEXT


def test_another_run_or_another_draft_cannot_open_it() -> None:
    key = DraftKey.generate()
    sealed = key.seal(b'{"comment": "tell nobody"}', context=b"draft-1")
    assert b"tell nobody" not in sealed
    with pytest.raises(OpenError):
        DraftKey.generate().open(sealed, context=b"draft-1")  # the station restarted
    with pytest.raises(OpenError):
        key.open(sealed, context=b"draft-2")
    with pytest.raises(OpenError):
        key.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), context=b"draft-1")


def test_the_key_is_never_serialised() -> None:
    key = DraftKey.generate()
    assert "in memory only" in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
