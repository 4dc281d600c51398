"""Console sign-ins kept in the central store: a random opaque id in an HttpOnly cookie,
only its SHA-256 in the table. Every request looks the row up again, so signing out, an
expired or idle session, and a disabled user (`mss server user disable`) are refused on
the very next request, by every worker."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.user_roles import Actor
from sync_server.store.access_models import User
from sync_server.store.console_models import ConsoleLanguage, ConsoleSession
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

SESSION_ID_BYTES = 32
CSRF_BYTES = 32
LIFETIME = timedelta(hours=12)  # a working day, then sign in again
IDLE_LIMIT = timedelta(hours=2)
# last_seen_at is written at most this often: a page view is not a write each time.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """Who a console request comes from, as the current row says."""

    actor: Actor
    csrf_token: str
    lang: str | None


def id_sha256(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", errors="replace")).hexdigest()


def _random_text(random_bytes: RandomBytes, count: int) -> str:
    raw = random_bytes(count)
    if len(raw) != count:
        raise ValueError("the random source gave the wrong number of bytes")
    return raw.hex()


def open_session(
    session_factory: sessionmaker[Session], actor: Actor, *, clock: Clock, random_bytes: RandomBytes
) -> str:
    """A new session for `actor`; its id, for the cookie (never stored)."""
    session_id = _random_text(random_bytes, SESSION_ID_BYTES)
    csrf_token = _random_text(random_bytes, CSRF_BYTES)
    now = clock()

    def work(session: Session) -> None:
        session.add(
            ConsoleSession(
                id_sha256=id_sha256(session_id), user_name=actor.name, csrf_token=csrf_token,
                created_at=now, last_seen_at=now, expires_at=now + LIFETIME,
            )
        )  # fmt: skip

    in_transaction(session_factory, work)
    return session_id


def find_session(
    session_factory: sessionmaker[Session], session_id: str, *, clock: Clock
) -> SignedIn | None:
    """The signed-in user behind `session_id`, or None (unknown, expired, idle too long,
    or the user disabled: then the row is removed)."""
    if not session_id or len(session_id) > 2 * SESSION_ID_BYTES:
        return None
    now = clock()

    def work(session: Session) -> SignedIn | None:
        row = session.get(ConsoleSession, id_sha256(session_id))
        if row is None:
            return None
        user = session.get(User, row.user_name)
        if (
            user is None
            or user.disabled
            or now >= row.expires_at
            or now - row.last_seen_at >= IDLE_LIMIT
        ):
            session.delete(row)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        chosen = session.get(ConsoleLanguage, user.name)
        actor = Actor.of(user.name, user.role, user.countries, user.disabled)
        return SignedIn(actor, row.csrf_token, chosen.lang if chosen is not None else None)

    return in_transaction(session_factory, work)


def csrf_matches(expected: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(
        expected.encode("utf-8"), presented.encode("utf-8", errors="replace")
    )


def end_session(session_factory: sessionmaker[Session], session_id: str) -> bool:
    """Sign out: the row goes, so the cookie opens nothing any more. False if none."""

    def work(session: Session) -> bool:
        gone = session.execute(
            delete(ConsoleSession).where(ConsoleSession.id_sha256 == id_sha256(session_id))
        )
        return bool(gone.rowcount)  # type: ignore[attr-defined]

    return in_transaction(session_factory, work)


def end_sessions_of(session_factory: sessionmaker[Session], user_name: str) -> int:
    """Every session of one user ends (how many there were)."""

    def work(session: Session) -> int:
        gone = session.execute(delete(ConsoleSession).where(ConsoleSession.user_name == user_name))
        return int(gone.rowcount)  # type: ignore[attr-defined]

    return in_transaction(session_factory, work)


def choose_language(session_factory: sessionmaker[Session], user_name: str, lang: str) -> None:
    def work(session: Session) -> None:
        row = session.get(ConsoleLanguage, user_name)
        if row is None:
            session.add(ConsoleLanguage(user_name=user_name, lang=lang))
        else:
            row.lang = lang

    in_transaction(session_factory, work)
