"""Signing in with a password or an API token, throttled: the one path the API and the
console both take, so a rule about guessing lives once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from sync_server.access import throttle
from sync_server.access.audit import record_event
from sync_server.access.tokens import actor_for_token
from sync_server.access.user_roles import Actor
from sync_server.access.users import authenticate_password

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as the server can tell before any password: the name typed
    (if any) and the address the request came from."""

    address: str
    name: str | None = None

    def subjects(self) -> list[str]:
        found = [throttle.address_subject(self.address)]
        if self.name is not None:
            found.insert(0, throttle.user_subject(self.name))
        return found


def refuse_if_throttled(verdict: throttle.Verdict) -> None:
    if verdict.allowed:
        return
    if verdict.wait_seconds is None:
        raise Problem(
            "sign-in-held",
            "this user is held after repeated wrong passwords: an administrator can lift it "
            "(mss server user unlock NAME)",
        )
    raise Problem(
        "too-many-attempts",
        f"too many failed sign-ins: try again in {verdict.wait_seconds} s",
        retry_after=verdict.wait_seconds,
    )


def sign_in_with_password(
    session_factory: sessionmaker[Session], caller: Caller, password: str, *, clock: Clock
) -> Actor | None:
    """The user when the password is theirs; None when it is wrong (counted, and audited
    now and then); Problem too-many-attempts or sign-in-held while the name or the address
    must wait, whatever the password."""
    assert caller.name is not None
    refuse_if_throttled(throttle.check(session_factory, caller.subjects(), clock=clock))
    actor = authenticate_password(session_factory, caller.name, password)
    if actor is not None:
        throttle.clear(session_factory, throttle.user_subject(caller.name))
        return actor
    failures = throttle.record_failure(session_factory, caller.subjects(), clock=clock, hold=True)
    if throttle.worth_auditing(failures):
        record_event(
            session_factory, clock=clock, actor=caller.name, action="token",
            outcome="unauthenticated",
            detail=f"wrong name or password ({failures} in a row) from {caller.address}",
        )  # fmt: skip
    return None


def sign_in_with_token(
    session_factory: sessionmaker[Session], caller: Caller, token: str, *, clock: Clock
) -> tuple[Actor | None, int]:
    """The token's user, or None and how many unknown tokens this address sent in a row
    (the caller audits when throttle.worth_auditing says so); Problem while it must wait."""
    refuse_if_throttled(throttle.check(session_factory, caller.subjects(), clock=clock))
    actor = actor_for_token(session_factory, token, clock=clock)
    if actor is not None:
        return actor, 0
    return None, throttle.record_failure(
        session_factory, caller.subjects(), clock=clock, hold=False
    )


def lift(session_factory: sessionmaker[Session], name: str) -> bool:
    """An administrator lifts a user's hold or wait; False if there was none."""
    return throttle.clear(session_factory, throttle.user_subject(name))
