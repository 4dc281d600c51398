"""The survey key: a key pair for HPKE, and the files that hold it.

Two kinds (KEMs), chosen when a key is made:
- `x25519`, DHKEM(X25519, HKDF-SHA256): the public key is 32 bytes, written
  `mss-survey-pk-v1:` + unpadded base64url; the private key is the 32-byte scalar.
- `mlkem768-x25519`, the post-quantum/traditional hybrid of draft-ietf-hpke-pq (KEM id
  0x647a: ML-KEM-768 and X25519 combined, so that breaking one of the two is not enough):
  the public key is 1,216 bytes (ML-KEM-768's 1,184 + X25519's 32), written
  `mss-survey-pk-pq1:` + base64url; the private key is the draft's 32-byte seed, expanded by
  SHAKE256 to ML-KEM-768's 64-byte seed and the X25519 scalar (checked against the draft's
  test vector). Each sealed response costs 1,088 bytes more (its encapsulation is 1,120 bytes).

The private half lives only in a passphrase-protected file on the processor (its kind is
the public line's prefix):

    mss-survey-private-key-v1
    public-key: mss-survey-pk-v1:<43 chars>
    wrapped-private-key: <unpadded base64url of wrap_secret(raw private key or seed)>

The public key sits in the clear so it can be read without the passphrase; after unwrapping,
it must match the private key, so an edited public line is caught.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from crypto.errors import KeyFileError, WrongPassphrase
from crypto.kdf import KdfCost
from crypto.key_file_io import key_file_fields, read_key_file_bytes, write_new_file
from crypto.passphrase import unwrap_secret, wrap_secret

X25519 = "x25519"
MLKEM768_X25519 = "mlkem768-x25519"
KEMS = (X25519, MLKEM768_X25519)

PUBLIC_KEY_PREFIX = "mss-survey-pk-v1:"
_PREFIXES = {X25519: PUBLIC_KEY_PREFIX, MLKEM768_X25519: "mss-survey-pk-pq1:"}
PRIVATE_KEY_FILE_MAGIC = "mss-survey-private-key-v1"
_KEY_BYTES = 32
_MLKEM768_PUBLIC_BYTES = 1184
_PUBLIC_BYTES = {X25519: _KEY_BYTES, MLKEM768_X25519: _MLKEM768_PUBLIC_BYTES + _KEY_BYTES}
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class SurveyPublicKey:
    """The half a station seals to. It can seal, compare and print; it cannot open."""

    __slots__ = ("_key", "_raw", "kem")

    def __init__(self, raw: bytes, kem: str = X25519) -> None:
        # Prefer from_bytes / from_text; this checks the same things.
        if kem not in KEMS:
            raise KeyFileError(f"unknown survey key kind {kem!r}: one of {', '.join(KEMS)}")
        size = _PUBLIC_BYTES[kem]
        if not isinstance(raw, bytes | bytearray | memoryview) or len(raw) != size:
            raise KeyFileError(f"a survey public key of kind {kem} is {size} bytes")
        raw = bytes(raw)
        _refuse_low_order(raw[-_KEY_BYTES:])
        self._raw = raw
        self.kem = kem
        if kem == X25519:
            self._key: X25519PublicKey | hpke.MLKEM768X25519PublicKey = (
                X25519PublicKey.from_public_bytes(raw)
            )
        else:
            try:
                pq = mlkem.MLKEM768PublicKey.from_public_bytes(raw[:_MLKEM768_PUBLIC_BYTES])
            except ValueError:
                raise KeyFileError("the survey public key is not a usable ML-KEM-768 key") from None
            classic = X25519PublicKey.from_public_bytes(raw[_MLKEM768_PUBLIC_BYTES:])
            self._key = hpke.MLKEM768X25519PublicKey(pq, classic)

    @classmethod
    def from_bytes(cls, raw: bytes, kem: str = X25519) -> SurveyPublicKey:
        return cls(raw, kem)

    @classmethod
    def from_text(cls, text: str) -> SurveyPublicKey:
        if not isinstance(text, str):
            raise KeyFileError("a survey public key text must be a str")
        text = text.strip()
        for kem, prefix in _PREFIXES.items():
            if text.startswith(prefix):
                return cls(_unb64url(text[len(prefix) :], "survey public key"), kem)
        raise KeyFileError(f"a survey public key starts with {PUBLIC_KEY_PREFIX!r}")

    def to_bytes(self) -> bytes:
        return self._raw

    def to_text(self) -> str:
        return _PREFIXES[self.kem] + _b64url(self._raw)

    def fingerprint(self) -> str:
        """16 hex digits of SHA-256 in groups of four, for people comparing keys by eye."""
        digest = hashlib.sha256(self._raw).hexdigest()[:16]
        return "-".join(digest[i : i + 4] for i in range(0, 16, 4))

    def key_id(self) -> str:
        """The key's name in envelopes and on the server: the first 10 bytes of SHA-256 of
        the raw public key, lowercase base32 (16 characters). Derived, so stable and never
        secret; 80 bits, so two keys of one server never share it."""
        digest = hashlib.sha256(self._raw).digest()[:10]
        return base64.b32encode(digest).decode("ascii").lower()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SurveyPublicKey):
            return NotImplemented
        return (self.kem, self._raw) == (other.kem, other._raw)

    def __hash__(self) -> int:
        return hash((self.kem, self._raw))

    def __repr__(self) -> str:
        return f"SurveyPublicKey(kem={self.kem!r}, fingerprint={self.fingerprint()!r})"


class SurveyPrivateKey:
    """The half that opens sealed responses. It never prints or exports itself, except to
    the key file writer in this module."""

    __slots__ = ("_key", "_secret", "kem")

    def __init__(self, key: X25519PrivateKey) -> None:
        if not isinstance(key, X25519PrivateKey):
            raise TypeError("SurveyPrivateKey wraps an X25519 private key")
        self._key: X25519PrivateKey | hpke.MLKEM768X25519PrivateKey = key
        self.kem = X25519
        self._secret = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_private_bytes(cls, raw: bytes, kem: str = X25519) -> SurveyPrivateKey:
        """A key from its 32 raw bytes (the X25519 scalar, or the hybrid's seed): for
        known-answer tests and the key file readers."""
        if not isinstance(raw, bytes | bytearray | memoryview) or len(raw) != _KEY_BYTES:
            raise KeyFileError(f"a survey private key is {_KEY_BYTES} bytes")
        raw = bytes(raw)
        if kem == X25519:
            return cls(X25519PrivateKey.from_private_bytes(raw))
        if kem != MLKEM768_X25519:
            raise KeyFileError(f"unknown survey key kind {kem!r}: one of {', '.join(KEMS)}")
        # draft-irtf-cfrg-concrete-hybrid-kems: the seed expands (SHAKE256) to ML-KEM-768's
        # 64-byte seed (d || z) and then the X25519 scalar.
        expanded = hashlib.shake_256(raw).digest(64 + _KEY_BYTES)
        hybrid = hpke.MLKEM768X25519PrivateKey(
            mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]),
            X25519PrivateKey.from_private_bytes(expanded[64:]),
        )
        key = cls.__new__(cls)
        key._key, key.kem, key._secret = hybrid, MLKEM768_X25519, raw
        return key

    def public_key(self) -> SurveyPublicKey:
        if self.kem == X25519:
            return SurveyPublicKey(_raw_public(self._key.public_key()))
        pq, classic = _hybrid_halves(self._secret)
        return SurveyPublicKey(_raw_public(pq) + _raw_public(classic), MLKEM768_X25519)

    def __repr__(self) -> str:
        return f"SurveyPrivateKey(public fingerprint={self.public_key().fingerprint()!r})"


def _hybrid_halves(seed: bytes) -> tuple[mlkem.MLKEM768PublicKey, X25519PublicKey]:
    # cryptography's hybrid public key does not give its bytes back: rebuild each half.
    expanded = hashlib.shake_256(seed).digest(64 + _KEY_BYTES)
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]).public_key(),
        X25519PrivateKey.from_private_bytes(expanded[64:]).public_key(),
    )


def _raw_public(key: X25519PublicKey | mlkem.MLKEM768PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_survey_key(kem: str = X25519) -> SurveyPrivateKey:
    """A new survey key of kind `kem` (X25519, or MLKEM768_X25519 for the post-quantum
    hybrid)."""
    if kem == X25519:
        return SurveyPrivateKey(X25519PrivateKey.generate())
    return SurveyPrivateKey.from_private_bytes(os.urandom(_KEY_BYTES), kem)


def write_private_key_file(
    path: Path,
    key: SurveyPrivateKey,
    passphrase: str,
    *,
    cost: KdfCost = KdfCost.STRONG,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> None:
    """Write the passphrase-protected key file: mode 0600, atomic, never over an existing
    file (FileExistsError)."""
    if not isinstance(key, SurveyPrivateKey):
        raise TypeError("key must be a SurveyPrivateKey")
    _write_wrapped_file(
        Path(path), PRIVATE_KEY_FILE_MAGIC, key.public_key().to_text(), _private_bytes(key),
        passphrase, cost=cost, random_bytes=random_bytes,
    )  # fmt: skip


def _write_wrapped_file(
    path: Path,
    magic: str,
    public_text: str,
    secret: bytes,
    passphrase: str,
    *,
    cost: KdfCost,
    random_bytes: Callable[[int], bytes],
) -> None:
    """A key file of three lines (`magic`, the public key, the secret wrapped under the
    passphrase): 0600, atomic, never over an existing file (FileExistsError). The operator
    key file (operator_key.py) is written here too."""
    if path.exists() or path.is_symlink():
        # Checked before the slow key stretching; write_new_file checks again, race-free.
        raise FileExistsError(f"refusing to overwrite the existing file {path}")
    blob = wrap_secret(secret, passphrase, cost=cost, random_bytes=random_bytes)
    text = f"{magic}\npublic-key: {public_text}\nwrapped-private-key: {_b64url(blob)}\n"
    write_new_file(path, text.encode("ascii"), mode=0o600)


def read_private_key_file(path: Path, passphrase: str) -> SurveyPrivateKey:
    """The survey private key; WrongPassphrase or KeyFileError, each naming the file."""
    path = Path(path)
    public, blob = _read_private_key_lines(path)
    raw = _unwrap_file_secret(path, blob, passphrase)
    try:
        key = SurveyPrivateKey.from_private_bytes(raw, public.kem)
    except KeyFileError:
        raise KeyFileError(f"{path}: the protected part is not a survey private key") from None
    if key.public_key() != public:
        raise KeyFileError(f"{path}: the public key does not match the private key")
    return key


def _unwrap_file_secret(path: Path, blob: bytes, passphrase: str) -> bytes:
    """The secret of a key file's wrapped line; WrongPassphrase or KeyFileError naming it."""
    try:
        return unwrap_secret(blob, passphrase)
    except WrongPassphrase:
        raise WrongPassphrase(
            f"wrong passphrase for key file {path} (or the file was altered)"
        ) from None
    except KeyFileError as error:
        raise KeyFileError(f"{path}: {error}") from None


def read_public_key_from_private_file(path: Path) -> SurveyPublicKey:
    """The public half of a private key file, without the passphrase (and unverified: the
    pairing is checked only when the private key is unlocked)."""
    return _read_private_key_lines(Path(path))[0]


def write_public_key_file(path: Path, key: SurveyPublicKey) -> None:
    """Write `key.to_text()` to a new file (mode 0644); FileExistsError if it exists."""
    if not isinstance(key, SurveyPublicKey):
        raise TypeError("key must be a SurveyPublicKey")
    write_new_file(Path(path), (key.to_text() + "\n").encode("ascii"), mode=0o644)


def read_public_key_file(path: Path) -> SurveyPublicKey:
    path = Path(path)
    text = _ascii_text(path, read_key_file_bytes(path))
    try:
        return SurveyPublicKey.from_text(text)
    except KeyFileError as error:
        raise KeyFileError(f"{path}: {error}") from None


def _private_bytes(key: SurveyPrivateKey) -> bytes:
    # The only ways out for the raw private key (or the hybrid's seed): into wrap_secret,
    # above, and sealed under the custodians' key (custody.py).
    return key._secret


def _read_private_key_lines(path: Path) -> tuple[SurveyPublicKey, bytes]:
    fields = key_file_fields(
        path, PRIVATE_KEY_FILE_MAGIC, {"public-key", "wrapped-private-key"}, "survey private key"
    )
    try:
        if fields["public-key"] != fields["public-key"].strip():
            raise KeyFileError("stray whitespace around the public key")
        public = SurveyPublicKey.from_text(fields["public-key"])
        blob = _unb64url(fields["wrapped-private-key"], "wrapped private key")
    except KeyFileError as error:
        raise KeyFileError(f"{path}: {error}") from None
    return public, blob


def _ascii_text(path: Path, data: bytes) -> str:
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a text key file") from None


def _refuse_low_order(raw: bytes) -> None:
    # A low-order point makes every shared secret zero: sealing to it would fail (or, with a
    # lax library, seal to a key anyone can open). Catch it when the key is read.
    probe = X25519PrivateKey.from_private_bytes(bytes(range(1, _KEY_BYTES + 1)))
    try:
        probe.exchange(X25519PublicKey.from_public_bytes(raw))
    except ValueError:
        raise KeyFileError("the survey public key is not a usable X25519 key") from None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64url(text: str, what: str) -> bytes:
    if not _B64URL.fullmatch(text):
        raise KeyFileError(f"the {what} is not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise KeyFileError(f"the {what} is not valid base64url") from None
    if _b64url(raw) != text:  # one value, one spelling
        raise KeyFileError(f"the {what} has non-canonical base64url")
    return raw
