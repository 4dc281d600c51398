"""The one error family of `crypto`: callers catch `CryptoError` or one of its six kinds.

Messages say what is wrong (never a secret) so the command line can print them as they are.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error raised on purpose by `crypto`."""


class WrongPassphrase(CryptoError):
    """The passphrase (or PIN) does not open the blob; the blob may also have been altered."""


class KeyFileError(CryptoError):
    """A blob, key or key file is malformed, truncated, unreadable or of an unknown version."""


class OpenError(CryptoError):
    """A sealed message cannot be opened: wrong key, other context (info), altered or cut."""


class WeakSecret(CryptoError):
    """A passphrase or password a person chose is too easy to guess (the message says why)."""


class BadSignature(CryptoError):
    """A signature does not verify, or the key or signature is malformed."""


class BadBlindedMessage(CryptoError):
    """A blinded message to sign is malformed: the wrong length, or not below the modulus."""
