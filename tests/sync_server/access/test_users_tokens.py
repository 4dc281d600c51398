"""Users and API tokens in the real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from sync_server.access.tokens import (
    actor_for_token,
    issue_token,
    list_tokens,
    revoke_token,
)
from sync_server.access.user_roles import Actor
from sync_server.access.users import (
    UserError,
    add_user,
    authenticate_password,
    disable_user,
    list_users,
)
from sync_server.store.access_models import ApiToken, User
from tests.sync_server.access.conftest import PASSWORD
from tests.sync_server.builders import FakeClock

Sessions = sessionmaker[Session]


def add(sessions: Sessions, clock: FakeClock, name: str, role: str, *countries: str) -> None:
    add_user(
        sessions, name=name, role=role, countries=list(countries), password=PASSWORD,
        clock=clock, cost=KdfCost.FAST,
    )  # fmt: skip


def test_a_user_is_stored_with_an_argon2id_hash_never_the_password(
    session_factory: Sessions, clock: FakeClock
) -> None:
    add(session_factory, clock, "ana", "analyst", "SL", "GH", "SL")
    with session_factory() as session:
        user = session.get(User, "ana")
        assert user.password_hash.startswith("$argon2id$v=19$")
        assert PASSWORD not in user.password_hash
        assert user.countries == ["GH", "SL"]  # sorted, no repeats
    assert [u.name for u in list_users(session_factory)] == ["ana"]
    assert authenticate_password(session_factory, "ana", PASSWORD) == Actor.of(
        "ana", "analyst", ["GH", "SL"], False
    )
    assert authenticate_password(session_factory, "ana", PASSWORD + "x") is None
    assert authenticate_password(session_factory, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "countries", "password", "message"),
    [
        ("ana", "analyst", [], PASSWORD, "scoped to countries"),
        ("gus", "global_analyst", ["SL"], PASSWORD, "not scoped to countries"),
        ("ada", "administrator", ["SL"], PASSWORD, "not scoped to countries"),
        ("ana", "analyst", ["sl"], PASSWORD, "two-letter ISO 3166"),
        ("ana", "analyst", ["SLE"], PASSWORD, "two-letter ISO 3166"),
        ("ana", "superuser", [], PASSWORD, "unknown role"),
        ("ana", "analyst", ["SL"], "short", "at least 12"),
        ("ana", "analyst", ["SL"], " " * 20, "at least 12"),
        ("-ana", "analyst", ["SL"], PASSWORD, "user name"),
        ("a b", "analyst", ["SL"], PASSWORD, "user name"),
        ("", "analyst", ["SL"], PASSWORD, "user name"),
    ],
)
def test_bad_users_are_refused_and_nothing_is_stored(
    session_factory: Sessions,
    clock: FakeClock,
    name: str,
    role: str,
    countries: list[str],
    password: str,
    message: str,
) -> None:
    with pytest.raises(UserError, match=message):
        add_user(
            session_factory, name=name, role=role, countries=countries, password=password,
            clock=clock, cost=KdfCost.FAST,
        )  # fmt: skip
    assert list_users(session_factory) == []


def test_a_name_is_taken_once(session_factory: Sessions, clock: FakeClock) -> None:
    add(session_factory, clock, "ana", "analyst", "SL")
    with pytest.raises(UserError, match="already exists"):
        add(session_factory, clock, "ana", "coordinator", "GH")
    assert [(u.name, u.role) for u in list_users(session_factory)] == [("ana", "analyst")]


def test_tokens_are_kept_as_sha256_only(session_factory: Sessions, clock: FakeClock) -> None:
    add(session_factory, clock, "ana", "analyst", "SL")
    issued = issue_token(
        session_factory, user_name="ana", clock=clock, random_bytes=random.Random(1).randbytes,
        label="laptop",
    )  # fmt: skip
    assert issued.token.startswith("mss_") and len(issued.token) == 47
    assert issued.expires_at == clock.now + timedelta(days=30)
    with session_factory() as session:
        row = session.scalars(select(ApiToken)).one()
        stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert row.token_sha256 == hashlib.sha256(issued.token.encode()).hexdigest()
    assert not any(issued.token[4:] in value for value in stored)
    assert actor_for_token(session_factory, issued.token, clock=clock) == Actor.of(
        "ana", "analyst", ["SL"], False
    )
    assert [t.label for t in list_tokens(session_factory, "ana")] == ["laptop"]


def test_expired_revoked_and_disabled_tokens_open_nothing(
    session_factory: Sessions, clock: FakeClock
) -> None:
    add(session_factory, clock, "ana", "analyst", "SL")
    add(session_factory, clock, "cole", "coordinator", "SL")
    rng = random.Random(2).randbytes
    short = issue_token(
        session_factory, user_name="ana", lifetime=timedelta(hours=1), clock=clock,
        random_bytes=rng,
    )  # fmt: skip
    revoked = issue_token(session_factory, user_name="ana", clock=clock, random_bytes=rng)
    coles = issue_token(session_factory, user_name="cole", clock=clock, random_bytes=rng)

    revoke_token(session_factory, revoked.token_id, clock=clock)
    assert actor_for_token(session_factory, revoked.token, clock=clock) is None
    disable_user(session_factory, "cole", clock=clock)
    assert actor_for_token(session_factory, coles.token, clock=clock) is None
    assert authenticate_password(session_factory, "cole", PASSWORD) is None
    with pytest.raises(UserError, match="disabled"):
        issue_token(session_factory, user_name="cole", clock=clock, random_bytes=rng)

    assert actor_for_token(session_factory, short.token, clock=clock) is not None
    clock.advance(hours=1)
    assert actor_for_token(session_factory, short.token, clock=clock) is None
    states = {t.token_id: t.state(clock.now) for t in list_tokens(session_factory)}
    assert states == {short.token_id: "expired", revoked.token_id: "revoked",
                      coles.token_id: "active"}  # fmt: skip
    # Malformed tokens are refused before the database is asked.
    for token in ("", "mss_", short.token + "x", "Bearer " + short.token, "mss_ü" * 10):
        assert actor_for_token(session_factory, token, clock=clock) is None


def test_token_input_is_checked(session_factory: Sessions, clock: FakeClock) -> None:
    rng = random.Random(3).randbytes
    with pytest.raises(UserError, match="no user named ghost"):
        issue_token(session_factory, user_name="ghost", clock=clock, random_bytes=rng)
    add(session_factory, clock, "ana", "analyst", "SL")
    with pytest.raises(UserError, match="at most 366 days"):
        issue_token(
            session_factory, user_name="ana", lifetime=timedelta(days=400), clock=clock,
            random_bytes=rng,
        )  # fmt: skip
    with pytest.raises(UserError, match="no token with id"):
        revoke_token(session_factory, "0123456789ab", clock=clock)
    assert list_tokens(session_factory) == []
