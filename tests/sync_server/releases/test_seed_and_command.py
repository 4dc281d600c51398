"""The release seed file, and `mss server release` at the command line."""

from __future__ import annotations

import random
import stat
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from crypto import KdfCost
from sync_server.access.audit import read_audit
from sync_server.access.users import add_user
from sync_server.releases.seed import load_release_seed, release_seed_path
from sync_server.server_commands import app as server_app
from sync_server.store import make_engine, make_session_factory, upgrade_to_head
from tests.sync_server.releases.simulated import simulate


def test_the_seed_is_made_once_private_and_kept(tmp_path):
    seed = load_release_seed(tmp_path, random_bytes=random.Random(1).randbytes)
    path = release_seed_path(tmp_path)
    assert len(seed) == 32 and path.read_bytes() == seed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_release_seed(tmp_path, random_bytes=random.Random(2).randbytes) == seed
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="damaged"):
        load_release_seed(tmp_path)


PASSWORD = "correct horse battery staple"  # noqa: S105 - a test user's


@pytest.fixture
def data_dir(tmp_path):
    """A server data directory with a central store holding two countries' responses, and
    an analyst of Sierra Leone and an administrator."""
    folder = tmp_path / "server"
    engine = make_engine(f"sqlite:///{folder / 'central.db'}")
    upgrade_to_head(engine)
    clock = lambda: datetime(2026, 11, 29, tzinfo=UTC)  # noqa: E731
    sessions = make_session_factory(engine)
    simulation = simulate(sessions, clock)
    simulation.add("SL", 150)
    simulation.add("GH", 100)
    add_user(sessions, name="amara", role="analyst", countries=["SL"], password=PASSWORD,
             clock=clock, cost=KdfCost.FAST)  # fmt: skip
    add_user(sessions, name="ada", role="administrator", countries=[], password=PASSWORD,
             clock=clock, cost=KdfCost.FAST)  # fmt: skip
    engine.dispose()
    return folder


def run(*arguments: str, password: str | None = PASSWORD):
    """`mss server release …` through the server's own command app, as `mss` mounts it."""
    env = {"MSS_USER_PASSWORD": password} if password else {"MSS_USER_PASSWORD": ""}
    return CliRunner().invoke(server_app, ["release", *arguments], env=env)


def audit_log(data_dir):
    engine = make_engine(f"sqlite:///{data_dir / 'central.db'}")
    try:
        entries = read_audit(make_session_factory(engine), limit=100)
    finally:
        engine.dispose()
    return [(e.actor, e.action, e.outcome, e.detail) for e in reversed(entries)]


def test_the_command_writes_a_release_and_refuses_clearly(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    out = tmp_path / "release"
    common = ["--data-dir", str(data_dir), "--user", "amara", "--format", "csv", "--out", str(out)]
    result = run(*common, "--scope", "national", "--country", "SL", "--lang", "pt")
    assert result.exit_code == 0, result.output
    assert "150 respondents, wave 2026" in result.output
    assert (out / "cips-officials-national-SL-2026.csv").exists()
    assert (release_seed_path(data_dir)).exists()
    assert list((data_dir / "releases" / "treated").glob("cips-officials-2026-*.parquet"))
    seed = release_seed_path(data_dir).read_bytes()
    for path in out.iterdir():
        assert seed.hex().encode() not in path.read_bytes()

    again = run(*common, "--scope", "national", "--country", "SL")
    assert again.exit_code == 2
    assert "out-dir-not-empty" in again.output and "Traceback" not in again.output
    unknown = run(*common[:2], "--user", "ada", *common[4:-1], str(tmp_path / "other"),
                  "--scope", "national", "--country", "KE")  # fmt: skip
    assert unknown.exit_code == 2 and "unknown-country" in unknown.output
    assert not (tmp_path / "other").exists()
    missing = run("--data-dir", str(tmp_path / "nowhere"), "--user", "amara", "--format",
                  "csv", "--out", str(tmp_path / "x"), "--scope", "pooled")  # fmt: skip
    assert missing.exit_code == 1 and "not a directory" in missing.output
    log = audit_log(data_dir)
    assert [(actor, action, outcome) for actor, action, outcome, _ in log] == [
        ("amara", "release", "ok"),
        ("amara", "release", "refused"),
        ("ada", "release", "refused"),
    ]
    assert log[0][3].startswith("national SL cips-officials latest wave csv pt; 150 rows")
    assert "out-dir-not-empty" in log[1][3] and "unknown-country" in log[2][3]


def test_a_release_by_the_command_line_names_an_allowed_user(data_dir, tmp_path, monkeypatch):
    """The same rule and the same audit log as a release through the API."""
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    out = tmp_path / "release"
    common = ["--data-dir", str(data_dir), "--format", "csv", "--out", str(out)]
    cases = [
        (["--user", "amara", "--scope", "national", "--country", "GH"], PASSWORD, "denied"),
        (["--as", "amara", "--scope", "pooled"], PASSWORD, "denied"),
        (["--user", "amara", "--scope", "national", "--country", "SL"], "wrong password!",
         "unauthenticated"),
        (["--user", "nobody", "--scope", "national", "--country", "SL"], PASSWORD,
         "unauthenticated"),
        (["--user", "amara", "--scope", "national", "--country", "SL"], None, "unauthenticated"),
    ]  # fmt: skip
    for arguments, password, outcome in cases:
        result = run(*common, *arguments, password=password)
        assert result.exit_code == 2, (arguments, result.output)
        assert "Traceback" not in result.output
        assert not out.exists()
        assert audit_log(data_dir)[-1][:3] == (arguments[1], "release", outcome), arguments
    missing = run("--data-dir", str(data_dir), "--format", "csv", "--out", str(out),
                  "--scope", "pooled")  # fmt: skip
    assert missing.exit_code == 2 and "--user" in missing.output  # a user must be named
    assert len(audit_log(data_dir)) == len(cases)
    assert all(PASSWORD not in detail for *_, detail in audit_log(data_dir))
