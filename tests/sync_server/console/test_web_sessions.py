"""Console sessions in the real store, on SQLite and PostgreSQL: only the id's hash is
kept, and signing out, expiry, idleness and a disabled user each end a session at once."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from sync_server.access.user_roles import Actor
from sync_server.access.users import add_user, disable_user
from sync_server.console.web_sessions import (
    IDLE_LIMIT,
    LIFETIME,
    choose_language,
    csrf_matches,
    end_session,
    end_sessions_of,
    find_session,
    id_sha256,
    open_session,
)
from sync_server.store.console_models import ConsoleSession
from tests.sync_server.access.conftest import PASSWORD
from tests.sync_server.builders import FakeClock

Sessions = sessionmaker[Session]


def person(session_factory: Sessions, clock: FakeClock, name: str = "cole") -> Actor:
    view = add_user(
        session_factory, name=name, role="coordinator", countries=["SL"], password=PASSWORD,
        clock=clock, cost=KdfCost.FAST,
    )  # fmt: skip
    return view.actor()


def opened(session_factory: Sessions, clock: FakeClock, actor: Actor, seed: int = 1) -> str:
    return open_session(
        session_factory, actor, clock=clock, random_bytes=random.Random(seed).randbytes
    )


def stored(session_factory: Sessions) -> list[ConsoleSession]:
    with session_factory() as session:
        return list(session.scalars(select(ConsoleSession)))


def test_only_the_hash_of_the_id_is_stored(session_factory: Sessions, clock: FakeClock) -> None:
    actor = person(session_factory, clock)
    session_id = opened(session_factory, clock, actor)

    rows = stored(session_factory)
    assert len(session_id) == 64 and len(rows) == 1
    assert rows[0].id_sha256 == id_sha256(session_id) != session_id
    assert session_id not in {rows[0].id_sha256, rows[0].csrf_token}
    found = find_session(session_factory, session_id, clock=clock)
    assert found is not None and found.actor == actor
    assert csrf_matches(found.csrf_token, rows[0].csrf_token)
    assert not csrf_matches(found.csrf_token, None) and not csrf_matches(found.csrf_token, "x")
    # The hash itself, presented as a cookie, opens nothing.
    assert find_session(session_factory, rows[0].id_sha256, clock=clock) is None


def test_sign_out_ends_only_that_session(session_factory: Sessions, clock: FakeClock) -> None:
    actor = person(session_factory, clock)
    first, second = (
        opened(session_factory, clock, actor, 1),
        opened(session_factory, clock, actor, 2),
    )

    assert end_session(session_factory, first) is True
    assert find_session(session_factory, first, clock=clock) is None
    assert find_session(session_factory, second, clock=clock) is not None
    assert end_session(session_factory, first) is False
    assert end_sessions_of(session_factory, actor.name) == 1
    assert find_session(session_factory, second, clock=clock) is None


def test_a_disabled_user_is_refused_on_the_next_look_up(
    session_factory: Sessions, clock: FakeClock
) -> None:
    actor = person(session_factory, clock)
    session_id = opened(session_factory, clock, actor)
    disable_user(session_factory, actor.name, clock=clock)

    assert find_session(session_factory, session_id, clock=clock) is None
    assert stored(session_factory) == []


def test_idle_and_old_sessions_end(session_factory: Sessions, clock: FakeClock) -> None:
    actor = person(session_factory, clock)
    idle = opened(session_factory, clock, actor, 1)
    busy = opened(session_factory, clock, actor, 2)
    opened_at = clock.now
    clock.advance(seconds=IDLE_LIMIT.total_seconds() - 1)
    assert find_session(session_factory, busy, clock=clock) is not None
    clock.advance(seconds=1)
    assert find_session(session_factory, idle, clock=clock) is None  # idle for the limit
    # Seen every half idle limit, a session lives until its absolute lifetime, not longer.
    while clock.now + IDLE_LIMIT / 2 < opened_at + LIFETIME:
        clock.advance(seconds=IDLE_LIMIT.total_seconds() / 2)
        assert find_session(session_factory, busy, clock=clock) is not None
    clock.now = opened_at + LIFETIME
    assert find_session(session_factory, busy, clock=clock) is None
    assert stored(session_factory) == []


def test_the_language_is_kept_per_user(session_factory: Sessions, clock: FakeClock) -> None:
    cole, ana = person(session_factory, clock), person(session_factory, clock, "ana")
    cole_id, ana_id = (
        opened(session_factory, clock, cole, 1),
        opened(session_factory, clock, ana, 2),
    )
    choose_language(session_factory, cole.name, "ar")
    choose_language(session_factory, cole.name, "fr")

    assert find_session(session_factory, cole_id, clock=clock).lang == "fr"  # type: ignore[union-attr]
    assert find_session(session_factory, ana_id, clock=clock).lang is None  # type: ignore[union-attr]
