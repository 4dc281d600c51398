"""m-of-n custody of the survey private key: no single person can open responses.

The key is sealed under a random 16-byte custody key K, and K is split into n Shamir shares
of which any m recover it (PyCryptodome's `Shamir`, in its `ssss` mode: the shares are those
of the independent `ssss` tool, which the tests check both ways). Each share is wrapped
under its custodian's own passphrase. Files:

    mss-survey-shared-key-v1                 mss-survey-key-share-v1
    public-key: mss-survey-pk-v1:<43>        public-key: mss-survey-pk-v1:<43>
    threshold: 3                             threshold: 3
    shares: 5                                index: 2
    sealed-private-key: <b64url>             custodian: amina
                                             wrapped-share: <b64url>

`sealed-private-key` is nonce (12) ‖ AES-128-GCM(K, private key, aad = the lines
above it), so an edited public key, threshold or count is caught. A wrapped share holds
`index ‖ threshold ‖ public key ‖ share`, so a share's number and key cannot be relabelled;
its visible lines are there to ask the right custodian for the right passphrase. Fewer than
m shares, two copies of one share, or a share of another split give one clear error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import KeyFileError, WrongPassphrase
from crypto.kdf import KdfCost
from crypto.key_file_io import read_key_file_bytes, write_new_file
from crypto.passphrase import unwrap_secret, wrap_secret
from crypto.survey_keys import (
    SurveyPrivateKey,
    SurveyPublicKey,
    _b64url,
    _private_bytes,
    _unb64url,
)

SHARED_KEY_MAGIC = "mss-survey-shared-key-v1"
SHARE_MAGIC = "mss-survey-key-share-v1"
MAX_SHARES = 255  # ssss's and PyCryptodome's limit: indices are one byte
_CUSTODY_KEY_BYTES = 16  # Shamir over GF(2^128)
_NONCE_BYTES = 12
_SHARE_PREFIX = b"mss-share-v1\x00"
_CUSTODIAN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}")

RandomBytes = Callable[[int], bytes]
_Read = TypeVar("_Read")


@dataclass(frozen=True)
class ShareFile:
    """One custodian's share as its file says (what to ask for, before any passphrase)."""

    public_key: SurveyPublicKey
    threshold: int
    index: int
    custodian: str
    wrapped: bytes

    def to_text(self) -> str:
        return (
            f"{SHARE_MAGIC}\n"
            f"public-key: {self.public_key.to_text()}\n"
            f"threshold: {self.threshold}\n"
            f"index: {self.index}\n"
            f"custodian: {self.custodian}\n"
            f"wrapped-share: {_b64url(self.wrapped)}\n"
        )


@dataclass(frozen=True)
class SharedKey:
    """The sealed private key, which only `threshold` of the `shares` open."""

    public_key: SurveyPublicKey
    threshold: int
    shares: int
    sealed: bytes

    def _header(self) -> str:
        return (
            f"{SHARED_KEY_MAGIC}\n"
            f"public-key: {self.public_key.to_text()}\n"
            f"threshold: {self.threshold}\n"
            f"shares: {self.shares}\n"
        )

    def to_text(self) -> str:
        return self._header() + f"sealed-private-key: {_b64url(self.sealed)}\n"


def split_survey_key(
    key: SurveyPrivateKey,
    custodians: Sequence[tuple[str, str]],
    *,
    threshold: int,
    cost: KdfCost = KdfCost.STRONG,
    random_bytes: RandomBytes = os.urandom,
) -> tuple[SharedKey, list[ShareFile]]:
    """The shared key and one share per (custodian name, passphrase), any `threshold` of
    which open it. ValueError for an impossible split (1 < threshold <= custodians <= 255)."""
    if not isinstance(key, SurveyPrivateKey):
        raise TypeError("key must be a SurveyPrivateKey")
    names = [name for name, _ in custodians]
    if not 2 <= threshold <= len(custodians) <= MAX_SHARES:
        raise ValueError(
            f"a split needs 2 <= threshold ({threshold}) <= custodians ({len(custodians)}) "
            f"<= {MAX_SHARES}: one share alone would be the key itself"
        )
    if len(set(names)) != len(names) or not all(_CUSTODIAN.fullmatch(n) for n in names):
        raise ValueError("each custodian has a distinct name of letters, digits, ' ._@-'")
    public = key.public_key()
    custody_key = random_bytes(_CUSTODY_KEY_BYTES)
    if len(custody_key) != _CUSTODY_KEY_BYTES:
        raise ValueError("the random source gave the wrong number of bytes")
    shared = SharedKey(public, threshold, len(custodians), b"")
    nonce = random_bytes(_NONCE_BYTES)
    sealed = nonce + AESGCM(custody_key).encrypt(
        nonce, _private_bytes(key), shared._header().encode("ascii")
    )
    shared = SharedKey(public, threshold, len(custodians), sealed)
    files = []
    for (index, share), (name, passphrase) in zip(
        Shamir.split(threshold, len(custodians), custody_key, ssss=True), custodians, strict=True
    ):
        inner = _SHARE_PREFIX + bytes([index, threshold]) + public.to_bytes() + share
        wrapped = wrap_secret(inner, passphrase, cost=cost, random_bytes=random_bytes)
        files.append(ShareFile(public, threshold, index, name, wrapped))
    return shared, files


def unlock_with_shares(
    shared: SharedKey, presented: Sequence[tuple[ShareFile, str]]
) -> SurveyPrivateKey:
    """The private key from `threshold` or more (share, passphrase) pairs. WrongPassphrase
    names the share whose passphrase is wrong; KeyFileError says what else is wrong."""
    opened: dict[int, bytes] = {}
    for share, passphrase in presented:
        if share.public_key != shared.public_key:
            raise KeyFileError(f"share {share.index} ({share.custodian}) is of another key")
        try:
            inner = unwrap_secret(share.wrapped, passphrase)
        except WrongPassphrase:
            raise WrongPassphrase(
                f"wrong passphrase for share {share.index} ({share.custodian})"
            ) from None
        head = _SHARE_PREFIX + bytes([share.index, shared.threshold]) + share.public_key.to_bytes()
        if len(inner) != len(head) + _CUSTODY_KEY_BYTES or not inner.startswith(head):
            raise KeyFileError(
                f"share {share.index} ({share.custodian}) was relabelled or is of another split"
            )
        opened[share.index] = inner[len(head) :]
    if len(opened) < shared.threshold:
        raise KeyFileError(
            f"{len(opened)} distinct share(s) presented; this key needs {shared.threshold} "
            f"of its {shared.shares}"
        )
    chosen = sorted(opened.items())[: shared.threshold]
    custody_key = Shamir.combine(chosen, ssss=True)
    nonce, body = shared.sealed[:_NONCE_BYTES], shared.sealed[_NONCE_BYTES:]
    try:
        raw = AESGCM(custody_key).decrypt(nonce, body, shared._header().encode("ascii"))
    except InvalidTag:
        raise KeyFileError(
            "the shares do not open the shared key: one is of another split of the same key, "
            "or the shared key file was altered"
        ) from None
    key = SurveyPrivateKey.from_private_bytes(raw, shared.public_key.kem)
    if key.public_key() != shared.public_key:
        raise KeyFileError("the shared key file's public key does not match its private key")
    return key


def read_shared_key(text: str) -> SharedKey:
    fields = _fields(text, SHARED_KEY_MAGIC, ("public-key", "threshold", "shares",
                                             "sealed-private-key"))  # fmt: skip
    threshold, shares = _count(fields["threshold"], "threshold"), _count(fields["shares"], "shares")
    if not 2 <= threshold <= shares:
        raise KeyFileError(f"a shared key of {threshold} of {shares} shares cannot be")
    return SharedKey(
        SurveyPublicKey.from_text(fields["public-key"]), threshold, shares,
        _unb64url(fields["sealed-private-key"], "sealed private key"),
    )  # fmt: skip


def read_share(text: str) -> ShareFile:
    fields = _fields(text, SHARE_MAGIC, ("public-key", "threshold", "index", "custodian",
                                         "wrapped-share"))  # fmt: skip
    if not _CUSTODIAN.fullmatch(fields["custodian"]):
        raise KeyFileError("the share's custodian name is malformed")
    return ShareFile(
        SurveyPublicKey.from_text(fields["public-key"]), _count(fields["threshold"], "threshold"),
        _count(fields["index"], "index"), fields["custodian"],
        _unb64url(fields["wrapped-share"], "wrapped share"),
    )  # fmt: skip


def write_share_file(path: Path, share: ShareFile) -> None:
    """A new file (mode 0600), never over an existing one (FileExistsError)."""
    write_new_file(Path(path), share.to_text().encode("ascii"), mode=0o600)


def write_shared_key_file(path: Path, shared: SharedKey) -> None:
    """A new file (mode 0600), never over an existing one (FileExistsError)."""
    write_new_file(Path(path), shared.to_text().encode("ascii"), mode=0o600)


def read_share_file(path: Path) -> ShareFile:
    """KeyFileError naming the file when it is not a share."""
    return _read_file(Path(path), read_share)


def read_shared_key_file(path: Path) -> SharedKey:
    """KeyFileError naming the file when it is not a shared key."""
    return _read_file(Path(path), read_shared_key)


def _read_file(path: Path, reader: Callable[[str], _Read]) -> _Read:
    data = read_key_file_bytes(path)
    try:
        return reader(data.decode("ascii"))
    except UnicodeDecodeError:
        raise KeyFileError(f"{path}: not a text key file") from None
    except KeyFileError as error:
        raise KeyFileError(f"{path}: {error}") from None


def _fields(text: str, magic: str, names: tuple[str, ...]) -> dict[str, str]:
    """Strict: the magic line, then exactly `names` in order, one `name: value` a line."""
    if not isinstance(text, str):
        raise KeyFileError("a key file's text must be a str")
    lines = text.replace("\r\n", "\n").removesuffix("\n").split("\n")
    if not lines or lines[0] != magic:
        raise KeyFileError(f"not a {magic} file")
    if len(lines) != len(names) + 1:
        raise KeyFileError(f"a {magic} file has {len(names) + 1} lines")
    fields = {}
    for line, name in zip(lines[1:], names, strict=True):
        key, sep, value = line.partition(": ")
        if key != name or not sep or not value:
            raise KeyFileError(f"expected the line {name}: … in a {magic} file")
        fields[name] = value
    return fields


def _count(text: str, what: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]{0,2}", text) or int(text) > MAX_SHARES:
        raise KeyFileError(f"the {what} must be a whole number from 1 to {MAX_SHARES}")
    return int(text)
