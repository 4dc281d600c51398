"""`mss server user …` through typer, on the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from sync_server.access.audit import record_event
from sync_server.access.tokens import actor_for_token
from sync_server.access.user_commands import app
from sync_server.settings import utc_now
from sync_server.store.access_models import User

Sessions = sessionmaker[Session]
PASSWORD = "a long enough password"
Invoke = Callable[..., Result]


@pytest.fixture
def run(
    tmp_path: Path, database_url: str, session_factory: Sessions, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    monkeypatch.setenv("MSS_DATABASE_URL", database_url)
    monkeypatch.setenv("MSS_USER_PASSWORD", PASSWORD)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, [args[0], "--data-dir", str(tmp_path), *args[1:]])

    return invoke


def test_add_list_token_revoke_disable(run: Invoke, session_factory: Sessions) -> None:
    added = run("add", "ana", "--role", "analyst", "--country", "SL", "--country", "GH")
    assert added.exit_code == 0, added.output
    assert "ana added: analyst for GH, SL" in added.output
    assert PASSWORD not in added.output
    with session_factory() as session:
        assert session.get(User, "ana").password_hash.startswith("$argon2id$")

    listed = json.loads(run("list", "--json").stdout)
    assert [(u["name"], u["role"], u["countries"], u["disabled"]) for u in listed["users"]] == [
        ("ana", "analyst", ["GH", "SL"], False)
    ]

    issued = run("token", "ana", "--expires", "2d", "--label", "laptop", "--json")
    assert issued.exit_code == 0, issued.output
    token = json.loads(issued.stdout)["token"]
    actor = actor_for_token(session_factory, token, clock=utc_now)
    assert actor is not None and actor.countries == {"GH", "SL"}

    plain = run("token", "ana")
    assert plain.exit_code == 0 and plain.stdout.strip().startswith("mss_")
    second = plain.stdout.strip()

    tokens = json.loads(run("tokens", "ana", "--json").stdout)["tokens"]
    assert [t["label"] for t in tokens] == ["laptop", "cli"]
    assert all(token not in json.dumps(t) for t in tokens)  # ids only, never tokens
    revoked = run("revoke-token", tokens[0]["token_id"])
    assert revoked.exit_code == 0, revoked.output
    assert actor_for_token(session_factory, token, clock=utc_now) is None
    assert actor_for_token(session_factory, second, clock=utc_now) is not None

    assert run("disable", "ana").exit_code == 0
    assert actor_for_token(session_factory, second, clock=utc_now) is None
    assert json.loads(run("list", "--json").stdout)["users"][0]["disabled"] is True
    refused = run("token", "ana")
    assert refused.exit_code == 1 and "disabled" in refused.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "ana", "--role", "analyst"), "scoped to countries"),
        (("add", "gus", "--role", "global_analyst", "--country", "SL"), "not scoped"),
        (("add", "root", "--role", "superuser"), "unknown role"),
        (("add", "ana", "--role", "analyst", "--country", "Sierra"), "ISO 3166"),
        (("disable", "ghost"), "no user named ghost"),
        (("token", "ghost"), "no user named ghost"),
        (("token", "ghost", "--expires", "forever"), "--expires"),
        (("revoke-token", "0123456789ab"), "no token with id"),
    ],
)
def test_bad_input_is_one_clear_line(run: Invoke, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert json.loads(run("list", "--json").stdout) == {"users": []}


def test_a_name_is_added_once_and_a_short_password_is_refused(
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("add", "ada", "--role", "administrator").exit_code == 0
    again = run("add", "ada", "--role", "administrator")
    assert again.exit_code == 1 and "already exists" in again.output
    monkeypatch.setenv("MSS_USER_PASSWORD", "short")
    weak = run("add", "bob", "--role", "administrator")
    assert weak.exit_code == 1 and "at least 12" in weak.output
    monkeypatch.delenv("MSS_USER_PASSWORD")
    silent = run("add", "bob", "--role", "administrator")
    assert silent.exit_code == 1 and "MSS_USER_PASSWORD" in silent.output
    assert [u["name"] for u in json.loads(run("list", "--json").stdout)["users"]] == ["ada"]


def test_the_audit_log_is_readable_from_the_command_line(
    run: Invoke,
    session_factory: Sessions,
) -> None:
    record_event(
        session_factory, clock=utc_now, actor="ana", action="download", outcome="denied",
        release_id="r1", detail="data.csv; [red]not hers[/]",
    )  # fmt: skip
    entries = json.loads(run("audit", "--json").stdout)["entries"]
    assert [(e["actor"], e["outcome"], e["release_id"]) for e in entries] == [
        ("ana", "denied", "r1")
    ]
    table = run("audit")
    assert table.exit_code == 0 and "[red]" in table.stdout  # shown as typed, not styled


def test_the_data_dir_must_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["list", "--data-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "give the server's --data-dir" in result.output
