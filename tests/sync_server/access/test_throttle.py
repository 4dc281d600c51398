"""Guessing passwords and tokens: slowed, then held, audited in a handful of rows; the right
password no longer walks in after a run of wrong ones. Real app, both databases."""

from __future__ import annotations

import asyncio

import httpx
from typer.testing import CliRunner

from sync_server.access import throttle
from sync_server.access.sign_in import lift
from tests.sync_server.access.conftest import PASSWORD, People, audit_rows, call
from tests.sync_server.builders import FakeClock


def password(app, name: str, secret: str, **headers: str):
    return call(app, "POST", "/v1/tokens", json={"name": name, "password": secret},
                headers=headers)  # fmt: skip


def test_the_wait_doubles_after_the_free_failures() -> None:
    waits = [throttle.wait_after(n).total_seconds() for n in range(1, 9)]
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32]
    assert throttle.wait_after(40) == throttle.MAX_WAIT
    audited = [n for n in range(1, 70) if throttle.worth_auditing(n)]
    assert audited == [1, 2, 3, 4, 8, 16, 20, 32, 64]


def test_twelve_wrong_passwords_then_the_right_one_waits(
    app, people: People, clock: FakeClock, session_factory
) -> None:
    before = len(audit_rows(session_factory))
    answers = [password(app, "ana", f"wrong guess {n}").status_code for n in range(12)]
    assert answers[:4] == [401, 401, 401, 401]  # free failures, then the 4th starts a wait
    assert set(answers[4:]) == {429}  # refused without looking at the password
    right = password(app, "ana", PASSWORD)
    assert right.status_code == 429 and right.json()["code"] == "too-many-attempts"
    assert int(right.headers["Retry-After"]) >= 1
    # a few rows, not one per guess; none holds a guessed password
    rows = audit_rows(session_factory)[before:]
    assert 1 <= len(rows) <= 5
    assert not any("wrong guess" in (row[4] or "") for row in rows)

    clock.advance(seconds=int(right.headers["Retry-After"]) + 1)
    assert password(app, "ana", PASSWORD).status_code == 201
    # a right password clears the name: the next mistake is free again
    assert password(app, "ana", "one more slip").status_code == 401


def test_a_user_that_keeps_failing_is_held_until_an_administrator_lifts_it(
    app, people: People, clock: FakeClock, session_factory
) -> None:
    for number in range(throttle.HOLD_AFTER):
        clock.advance(minutes=16)  # past every wait: a patient guesser
        password(app, "cole", f"patient guess {number}")
    clock.advance(minutes=16)
    held = password(app, "cole", PASSWORD)
    assert held.status_code == 403 and held.json()["code"] == "sign-in-held"
    assert lift(session_factory, "cole") is True
    assert password(app, "cole", PASSWORD).status_code == 201


def test_unknown_names_are_slowed_alike(app, people: People) -> None:
    codes = [password(app, "nobody-here", f"guess {n}").status_code for n in range(6)]
    assert codes[:4] == [401] * 4 and codes[4:] == [429, 429]


def test_a_flood_of_bad_tokens_from_one_address_is_slowed_and_barely_audited(
    app, people: People, session_factory
) -> None:
    before = len(audit_rows(session_factory))
    codes = [
        call(
            app, "GET", "/v1/releases", headers={"Authorization": f"Bearer mss_{n:040d}"}
        ).status_code
        for n in range(40)
    ]
    assert codes[:4] == [401] * 4 and set(codes[4:]) == {429}
    # a good token from the same address waits too: the address is what is throttled
    waited = call(app, "GET", "/v1/releases", headers=people.bearer("ana"))
    assert waited.status_code == 429
    assert len(audit_rows(session_factory)) - before <= 5


def from_peer(app, peer: str, name: str, forwarded: str) -> int:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://mss.test") as client:
            return await client.post(
                "/v1/tokens",
                json={"name": name, "password": "not it"},
                headers={"X-Forwarded-For": forwarded},
            )

    return asyncio.run(go()).status_code


def test_only_a_trusted_proxy_names_the_client(app, people: People) -> None:
    """Each guess under a new name: only the address can slow them. From a client that
    is not a trusted proxy, a rotating X-Forwarded-For changes nothing; behind the local
    proxy (nginx), each forwarded address is its own."""
    direct = [from_peer(app, "203.0.113.9", f"name-{n}", f"10.0.0.{n}") for n in range(6)]
    assert direct[:4] == [401] * 4 and direct[4:] == [429, 429]
    proxied = [from_peer(app, "127.0.0.1", f"other-{n}", f"10.0.1.{n}") for n in range(6)]
    assert proxied == [401] * 6


def test_unlock_command_lifts_a_hold(tmp_path, monkeypatch) -> None:
    from mss.cli import app as mss_app
    from sync_server.store import make_engine, make_session_factory

    monkeypatch.setenv("MSS_KEY_PASSPHRASE", "a survey key passphrase for tests")
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    runner = CliRunner()
    data = tmp_path / "server"
    assert runner.invoke(mss_app, ["server", "init", "--data-dir", str(data)]).exit_code == 0
    engine = make_engine(f"sqlite:///{data / 'central.db'}")
    sessions = make_session_factory(engine)
    subjects = [throttle.user_subject("ana")]
    for _ in range(throttle.HOLD_AFTER):
        throttle.record_failure(sessions, subjects, clock=FakeClock(), hold=True)
    assert throttle.check(sessions, subjects, clock=FakeClock()).wait_seconds is None  # held

    result = runner.invoke(mss_app, ["server", "user", "unlock", "ana", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "sign-in hold lifted" in result.output
    assert throttle.check(sessions, subjects, clock=FakeClock()).allowed
    again = runner.invoke(mss_app, ["server", "user", "unlock", "ana", "--data-dir", str(data)])
    assert "was not held" in again.output
    engine.dispose()
