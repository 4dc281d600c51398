"""One-time access codes for campaigns that need them, and the blind-signed submission tokens
they buy (RFC 9474 RSA blind signatures, as Privacy Pass).

The browser draws a token message (32 random bytes for this campaign), blinds it, and sends
the blinded form with the code; the site marks the code used and signs blind. The envelope
later arrives with the unblinded token, which the site verifies and spends. The site never
saw the token before, so even it cannot tell which code paid for which envelope. The store
keeps SHA-256 digests only: that a code is used and that a token is spent, in two tables with
no column linking them (nor a token to an envelope), and no time of either. What a curious
operator could still correlate by timing is in README.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import BadBlindedMessage, BadSignature, TokenPublicKey
from protocol.problems import Problem
from sync_server.site.campaigns import open_campaign_view
from sync_server.site.token_keys import TokenKeys
from sync_server.store.campaign_models import CampaignAccessCode, SubmissionToken
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

# No 0/O or 1/I: read off a card without doubt. 12 characters of 32: 60 bits, so guessing
# one is hopeless even before the rate limits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS, GROUP_LENGTH = 3, 4
# The token message is purpose, campaign and nonce; blind_tokens.js builds the same bytes.
TOKEN_PREFIX = b"MSS site token v1\x00"
NONCE_BYTES = 32


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def normalised_code(text: str) -> str:
    """As typed (any case, spaces or dashes) → the printed form XXXX-XXXX-XXXX."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))


def new_code(random_bytes: RandomBytes) -> str:
    letters = "".join(CODE_ALPHABET[byte % 32] for byte in random_bytes(CODE_GROUPS * GROUP_LENGTH))
    return normalised_code(letters)


def issue_codes(
    session_factory: sessionmaker[Session],
    slug: str,
    count: int,
    *,
    clock: Clock,
    random_bytes: RandomBytes,
) -> list[str]:
    """`count` new codes for campaign `slug` (which must need codes); only digests are kept."""
    view = open_campaign_view(session_factory, slug)
    if not view.requires_codes:
        raise Problem("invalid-request", f"campaign {slug} was opened without --codes")
    codes = sorted({new_code(random_bytes) for _ in range(count)})
    now = clock()

    def work(session: Session) -> None:
        session.execute(
            insert(CampaignAccessCode),
            [{"code_sha256": _digest(code), "slug": slug, "issued_at": now, "used": False}
             for code in codes],
        )  # fmt: skip

    in_transaction(session_factory, work)
    return codes


def token_message(slug: str, nonce: bytes) -> bytes:
    """The bytes the site signs blind for a token of campaign `slug`."""
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"a token nonce is {NONCE_BYTES} bytes")
    return TOKEN_PREFIX + slug.encode("ascii") + b"\x00" + nonce


def to_base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def from_base64url(text: str) -> bytes:
    """Unpadded base64url (the wire models' pattern has checked the alphabet)."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Problem("malformed-request", "not base64url") from None


def redeem_code(
    session_factory: sessionmaker[Session],
    slug: str,
    code: str,
    blinded: bytes,
    *,
    keys: TokenKeys,
) -> bytes:
    """The campaign's blind signature of `blinded` for an unused code of this campaign; the
    code is used from now on. code-unknown or code-used otherwise, malformed-request for a
    blinded message that is not one; in every refusal nothing changes."""
    view = open_campaign_view(session_factory, slug)
    if not view.requires_codes:
        raise Problem("invalid-request", "this campaign needs no access code")
    key = keys.signing_key(slug)
    if len(blinded) != key.public_key().size:
        raise Problem("malformed-request", f"blinded is {key.public_key().size} bytes")
    digest = _digest(normalised_code(code))

    def work(session: Session) -> bytes:
        row = session.get(CampaignAccessCode, digest, with_for_update=True)
        if row is None or row.slug != slug:
            raise Problem("code-unknown", "this access code is not one of this survey's")
        if row.used:
            raise Problem("code-used", "this access code was already used")
        row.used = True
        try:  # in the transaction: a signature that fails leaves the code unused
            return key.blind_sign(blinded)
        except BadBlindedMessage as error:
            raise Problem("malformed-request", str(error)) from None

    return in_transaction(session_factory, work)


def verified_token(slug: str, token: str, public_key: TokenPublicKey) -> bytes:
    """The token message of a token (nonce and signature, base64url) that this campaign's key
    signed; token-invalid otherwise."""
    raw = from_base64url(token)
    message = token_message(slug, raw[:NONCE_BYTES]) if len(raw) > NONCE_BYTES else b""
    try:
        public_key.verify(message, raw[NONCE_BYTES:])
    except BadSignature:
        raise Problem("token-invalid", "this submission token was not issued here") from None
    return message


def spend_token(session: Session, slug: str, message: bytes | None) -> None:
    """In the submission's transaction (which holds the campaign's station row locked, so two
    envelopes with one token cannot both pass): the verified token is unspent; spend it."""
    if message is None:
        raise Problem("code-required", "this campaign needs a one-time access code")
    digest = hashlib.sha256(message).hexdigest()
    if session.get(SubmissionToken, digest) is not None:
        raise Problem("token-spent", "this submission token was already spent")
    session.add(SubmissionToken(token_sha256=digest, slug=slug, spent=True))


def code_counts(session_factory: sessionmaker[Session], slug: str) -> tuple[int, int]:
    """(codes issued, codes used) for a campaign."""
    with session_factory() as session:
        used = list(session.scalars(select(CampaignAccessCode.used).where(
            CampaignAccessCode.slug == slug)))  # fmt: skip
    return len(used), sum(used)
