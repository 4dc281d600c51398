"""API tokens: random, shown once, kept as SHA-256 only, expiring and revocable.

A token reads `mss_` + 43 base64url characters (32 random bytes). Its SHA-256 is the lookup
key, so a copy of the database gives away no usable token. `token_id` is a separate random
name for listing and revoking it; it opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from protocol.wire import wire_time
from sync_server.access.user_roles import Actor
from sync_server.access.users import UserError, check_user_name
from sync_server.store.access_models import ApiToken, User
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

TOKEN_PREFIX = "mss_"  # noqa: S105 - a prefix that lets secret scanners spot a leaked token
TOKEN_BYTES = 32
TOKEN_ID_BYTES = 6
DEFAULT_TOKEN_LIFETIME = timedelta(days=30)
MAX_TOKEN_LIFETIME = timedelta(days=366)
_TOKEN_CHARS = len(TOKEN_PREFIX) + 43


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _random(random_bytes: RandomBytes, count: int) -> bytes:
    raw = random_bytes(count)
    if not isinstance(raw, bytes) or len(raw) != count:
        raise ValueError(f"the random source did not give {count} bytes")
    return raw


@dataclass(frozen=True)
class IssuedToken:
    """The token itself is here once, for the person it is issued to; never stored."""

    token: str
    token_id: str
    user_name: str
    expires_at: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "token": self.token,
            "token_id": self.token_id,
            "user": self.user_name,
            "expires_at": wire_time(self.expires_at),
        }


@dataclass(frozen=True)
class TokenView:
    token_id: str
    user_name: str
    label: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenView:
        return cls(
            token_id=row.token_id,
            user_name=row.user_name,
            label=row.label,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"

    def to_json(self, now: datetime) -> dict[str, str | None]:
        return {
            "token_id": self.token_id,
            "user": self.user_name,
            "label": self.label,
            "issued_at": wire_time(self.issued_at),
            "expires_at": wire_time(self.expires_at),
            "revoked_at": wire_time(self.revoked_at) if self.revoked_at else None,
            "state": self.state(now),
        }


def issue_token(
    session_factory: sessionmaker[Session],
    *,
    user_name: str,
    lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
    clock: Clock,
    random_bytes: RandomBytes,
    label: str = "",
) -> IssuedToken:
    """A new token for an enabled user. `random_bytes` gives the id, then the secret."""
    check_user_name(user_name)
    if not timedelta(0) < lifetime <= MAX_TOKEN_LIFETIME:
        raise UserError(f"a token lives more than 0 and at most {MAX_TOKEN_LIFETIME.days} days")
    if len(label) > 200:
        raise UserError("a token label has at most 200 characters")
    token_id = _random(random_bytes, TOKEN_ID_BYTES).hex()
    secret = base64.urlsafe_b64encode(_random(random_bytes, TOKEN_BYTES)).decode("ascii")
    token = TOKEN_PREFIX + secret.rstrip("=")
    now = clock()

    def work(session: Session) -> IssuedToken:
        user = session.get(User, user_name)
        if user is None:
            raise UserError(f"no user named {user_name}")
        if user.disabled:
            raise UserError(f"{user_name} is disabled: a disabled user gets no token")
        session.add(
            ApiToken(
                token_id=token_id,
                token_sha256=token_sha256(token),
                user_name=user_name,
                label=label,
                issued_at=now,
                expires_at=now + lifetime,
                revoked_at=None,
            )
        )
        return IssuedToken(token, token_id, user_name, now + lifetime)

    return in_transaction(session_factory, work)


def revoke_token(
    session_factory: sessionmaker[Session], token_id: str, *, clock: Clock
) -> TokenView:
    """Revoke a token by its id (revoking twice keeps the first time)."""

    def work(session: Session) -> TokenView:
        row = session.get(ApiToken, token_id) if len(token_id) <= 16 else None
        if row is None:
            raise UserError(f"no token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = clock()
        return TokenView.of(row)

    return in_transaction(session_factory, work)


def list_tokens(
    session_factory: sessionmaker[Session], user_name: str | None = None
) -> list[TokenView]:
    query = select(ApiToken).order_by(ApiToken.issued_at, ApiToken.token_id)
    if user_name is not None:
        query = query.where(ApiToken.user_name == user_name)
    with session_factory() as session:
        return [TokenView.of(row) for row in session.scalars(query)]


def actor_for_token(
    session_factory: sessionmaker[Session], token: str, *, clock: Clock
) -> Actor | None:
    """Who presents `token`: None when it is malformed, unknown, revoked or expired, or its
    user is disabled (the API answers all of these alike, with 401)."""
    if (
        not isinstance(token, str)
        or len(token) != _TOKEN_CHARS
        or not token.startswith(TOKEN_PREFIX)
        or not token.isascii()
    ):
        return None
    with session_factory() as session:
        found = session.execute(
            select(ApiToken, User)
            .join(User, User.name == ApiToken.user_name)
            .where(ApiToken.token_sha256 == token_sha256(token))
        ).one_or_none()
        if found is None:
            return None
        row, user = found
        if row.revoked_at is not None or clock() >= row.expires_at or user.disabled:
            return None
        return Actor.of(user.name, user.role, user.countries, user.disabled)
