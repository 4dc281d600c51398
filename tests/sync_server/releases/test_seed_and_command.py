"""The release seed file, and `mss server release` at the command line."""

from __future__ import annotations

import random
import stat
from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from sync_server.releases.release_commands import register
from sync_server.releases.seed import load_release_seed, release_seed_path
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


@pytest.fixture
def data_dir(tmp_path):
    """A server data directory with a central store holding two countries' responses."""
    folder = tmp_path / "server"
    engine = make_engine(f"sqlite:///{folder / 'central.db'}")
    upgrade_to_head(engine)
    simulation = simulate(make_session_factory(engine), lambda: datetime(2026, 11, 29, tzinfo=UTC))
    simulation.add("SL", 150)
    simulation.add("GH", 100)
    engine.dispose()
    return folder


def run(*arguments: str):
    app = typer.Typer()
    app.command("noop")(lambda: None)  # two commands keep `release` a named sub-command
    register(app)
    return CliRunner().invoke(app, ["release", *arguments])


def test_the_command_writes_a_release_and_refuses_clearly(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    out = tmp_path / "release"
    common = ["--data-dir", str(data_dir), "--format", "csv", "--out", str(out)]
    result = run(*common, "--scope", "national", "--country", "SL", "--lang", "pt")
    assert result.exit_code == 0, result.output
    assert "150 respondents, wave 2026" in result.output
    assert (out / "cips-officials-national-SL-2026.csv").exists()
    assert (release_seed_path(data_dir)).exists()
    assert list((data_dir / "releases" / "treated").glob("cips-officials-2026-*.parquet"))
    seed = release_seed_path(data_dir).read_bytes()
    for path in out.iterdir():
        assert seed.hex().encode() not in path.read_bytes()

    again = run(*common, "--scope", "pooled")
    assert again.exit_code == 2
    assert "out-dir-not-empty" in again.output and "Traceback" not in again.output
    unknown = run(*common[:-1], str(tmp_path / "other"), "--scope", "national", "--country", "KE")
    assert unknown.exit_code == 2 and "unknown-country" in unknown.output
    assert not (tmp_path / "other").exists()
    missing = run("--data-dir", str(tmp_path / "nowhere"), "--format", "csv", "--out",
                  str(tmp_path / "x"), "--scope", "pooled")  # fmt: skip
    assert missing.exit_code == 1 and "not a directory" in missing.output
