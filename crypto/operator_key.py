"""The operator's signing key: Ed25519, kept offline, vouching for each new survey key.

Stations pin the public half at provisioning; the intake server keeps only the signatures
it made over survey key records, so a server that is taken over cannot announce a key of
its own (device_app/key_rotation.py). Signatures use the same domain separation as the
station's (`signing.signed_bytes`).

Public key as text: `mss-operator-pk-v1:` + unpadded base64url of the 32 raw bytes. The
private key file (ASCII, 0600, written like the survey key file and never over one):

    mss-operator-signing-key-v1
    public-key: mss-operator-pk-v1:<43 chars>
    wrapped-private-key: <unpadded base64url of wrap_secret(32-byte Ed25519 seed)>
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from crypto.errors import KeyFileError
from crypto.kdf import KdfCost
from crypto.key_file_io import key_file_fields, read_key_file_bytes
from crypto.signing import StationKey, verify_signature
from crypto.survey_keys import _b64url, _unb64url, _unwrap_file_secret, _write_wrapped_file

OPERATOR_PUBLIC_PREFIX = "mss-operator-pk-v1:"
OPERATOR_KEY_FILE_MAGIC = "mss-operator-signing-key-v1"
_KEY_BYTES = 32


class OperatorPublicKey:
    """The half a station pins: it verifies, compares and prints."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes | bytearray | memoryview) or len(raw) != _KEY_BYTES:
            raise KeyFileError(f"an operator public key is {_KEY_BYTES} bytes")
        self._raw = bytes(raw)

    @classmethod
    def from_text(cls, text: str) -> OperatorPublicKey:
        if not isinstance(text, str) or not text.strip().startswith(OPERATOR_PUBLIC_PREFIX):
            raise KeyFileError(f"an operator public key starts with {OPERATOR_PUBLIC_PREFIX!r}")
        return cls(_unb64url(text.strip()[len(OPERATOR_PUBLIC_PREFIX) :], "operator public key"))

    def to_bytes(self) -> bytes:
        return self._raw

    def to_text(self) -> str:
        return OPERATOR_PUBLIC_PREFIX + _b64url(self._raw)

    def fingerprint(self) -> str:
        """16 hex digits of SHA-256 in groups of four, for people comparing keys by eye."""
        digest = hashlib.sha256(self._raw).hexdigest()[:16]
        return "-".join(digest[i : i + 4] for i in range(0, 16, 4))

    def verify(self, domain: str, message: bytes, signature: bytes) -> None:
        """Return when `signature` is the operator's over `message` for `domain`;
        BadSignature otherwise (a malformed signature included)."""
        verify_signature(self._raw, domain, message, signature)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OperatorPublicKey):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"OperatorPublicKey(fingerprint={self.fingerprint()!r})"


class OperatorKey:
    """The private half: it signs; its seed leaves only through the key file writer."""

    __slots__ = ("_key",)

    def __init__(self, key: StationKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> OperatorKey:
        return cls(StationKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> OperatorKey:
        """From the 32-byte seed (known-answer tests, the file reader); KeyFileError else."""
        return cls(StationKey.from_private_bytes(raw))

    def public_key(self) -> OperatorPublicKey:
        return OperatorPublicKey(self._key.public_bytes())

    def sign(self, domain: str, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature of `message` for `domain` (deterministic)."""
        return self._key.sign(domain, message)

    def __repr__(self) -> str:
        return f"OperatorKey(public fingerprint={self.public_key().fingerprint()!r})"


def write_operator_key_file(
    path: Path,
    key: OperatorKey,
    passphrase: str,
    *,
    cost: KdfCost = KdfCost.STRONG,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> None:
    """The passphrase-protected key file: 0600, atomic, never over a file (FileExistsError)."""
    if not isinstance(key, OperatorKey):
        raise TypeError("key must be an OperatorKey")
    _write_wrapped_file(
        Path(path), OPERATOR_KEY_FILE_MAGIC, key.public_key().to_text(),
        key._key.private_bytes(), passphrase, cost=cost, random_bytes=random_bytes,
    )  # fmt: skip


def read_operator_key_file(path: Path, passphrase: str) -> OperatorKey:
    """The operator key; WrongPassphrase or KeyFileError, each naming the file."""
    path = Path(path)
    public, blob = _read_lines(path)
    key = OperatorKey.from_private_bytes(_unwrap_file_secret(path, blob, passphrase))
    if key.public_key() != public:
        raise KeyFileError(f"{path}: the public key does not match the private key")
    return key


def read_operator_public_key(path: Path) -> OperatorPublicKey:
    """The public half of an operator key file (no passphrase, unverified), or of a file
    holding only its text form."""
    path = Path(path)
    text = _ascii(path)
    if text.startswith(OPERATOR_PUBLIC_PREFIX):
        try:
            return OperatorPublicKey.from_text(text)
        except KeyFileError as error:
            raise KeyFileError(f"{path}: {error}") from None
    return _read_lines(path)[0]


def _ascii(path: Path) -> str:
    try:
        return read_key_file_bytes(path).decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a text key file") from None


def _read_lines(path: Path) -> tuple[OperatorPublicKey, bytes]:
    fields = key_file_fields(
        path, OPERATOR_KEY_FILE_MAGIC, {"public-key", "wrapped-private-key"}, "operator key"
    )
    try:
        public = OperatorPublicKey.from_text(fields["public-key"])
        blob = _unb64url(fields["wrapped-private-key"], "wrapped private key")
    except KeyFileError as error:
        raise KeyFileError(f"{path}: {error}") from None
    return public, blob
