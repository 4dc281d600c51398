"""One-time access codes for campaigns that need them, and the submission tokens they buy.

A code (printed on a card) is checked by its own request and, once, buys a random token; the
envelope is then sent with the token, which is spent. The store keeps only SHA-256 digests,
that a code is used and that a token is spent, in two tables with no column linking them, nor
a token to an envelope. What a curious operator could still correlate is timing (README):
the moment a code is used, a token appears, and shortly after an envelope arrives.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from sync_server.site.campaigns import open_campaign_view
from sync_server.store.campaign_models import CampaignAccessCode, SubmissionToken
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

# No 0/O or 1/I: read off a card without doubt. 12 characters of 32: 60 bits, so guessing
# one is hopeless even before the rate limits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS, GROUP_LENGTH = 3, 4


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


def redeem_code(
    session_factory: sessionmaker[Session], slug: str, code: str, *, random_bytes: RandomBytes
) -> str:
    """A fresh one-time submission token for an unused code of this campaign; the code is
    used from now on. code-unknown or code-used otherwise (nothing changes)."""
    view = open_campaign_view(session_factory, slug)
    if not view.requires_codes:
        raise Problem("invalid-request", "this campaign needs no access code")
    digest = _digest(normalised_code(code))
    token = base64.urlsafe_b64encode(random_bytes(32)).decode("ascii").rstrip("=")

    def work(session: Session) -> str:
        row = session.get(CampaignAccessCode, digest, with_for_update=True)
        if row is None or row.slug != slug:
            raise Problem("code-unknown", "this access code is not one of this survey's")
        if row.used:
            raise Problem("code-used", "this access code was already used")
        row.used = True
        session.add(SubmissionToken(token_sha256=_digest(token), slug=slug, spent=False))
        return token

    return in_transaction(session_factory, work)


def spend_token(session: Session, slug: str, token: str | None) -> None:
    """In the submission's transaction: the token is this campaign's and unspent; spend it."""
    if token is None:
        raise Problem("code-required", "this campaign needs a one-time access code")
    spent = session.execute(
        update(SubmissionToken)
        .where(
            SubmissionToken.token_sha256 == _digest(token),
            SubmissionToken.slug == slug,
            SubmissionToken.spent.is_(False),
        )
        .values(spent=True)
    ).rowcount
    if spent != 1:
        raise Problem("token-spent", "this submission token is unknown or already spent")


def code_counts(session_factory: sessionmaker[Session], slug: str) -> tuple[int, int]:
    """(codes issued, codes used) for a campaign."""
    with session_factory() as session:
        used = list(session.scalars(select(CampaignAccessCode.used).where(
            CampaignAccessCode.slug == slug)))  # fmt: skip
    return len(used), sum(used)
