"""`mss server …` through the real command line (typer's runner on the real app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mss.cli import app

KEY = "a survey key passphrase"
ADMIN_PASSWORD = "an administrator password"
ANALYST_PASSWORD = "an analyst password here"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MSS_KEY_PASSPHRASE", KEY)
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    return CliRunner()


class Ran:
    """A command's exit code and its output with rich's line wrapping undone."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.output = " ".join(result.output.split())
        self.raw = result.output


def mss(runner: CliRunner, *args: str, **env: str) -> Ran:
    return Ran(runner.invoke(app, list(args), env=env or None))


@pytest.fixture
def server(runner: CliRunner, tmp_path: Path) -> Path:
    data = tmp_path / "server"
    result = mss(runner, "server", "init", "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    return data


def test_init_makes_the_store_and_keys_once(runner: CliRunner, server: Path) -> None:
    assert (server / "central.db").exists()
    private = (server / "keys" / "survey-key.private").read_bytes()
    assert KEY.encode() not in private  # encrypted under the passphrase
    again = mss(runner, "server", "init", "--data-dir", str(server))
    assert again.exit_code == 1
    assert "already holds a survey key" in again.output
    assert (server / "keys" / "survey-key.private").read_bytes() == private


def test_init_refuses_a_guessable_key_passphrase(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "server"
    refused = mss(runner, "server", "init", "--data-dir", str(data), MSS_KEY_PASSPHRASE="short")
    assert refused.exit_code == 1
    assert "the survey key passphrase needs at least 12 characters" in refused.output
    assert not data.exists()  # refused before anything was made
    guessable = mss(
        runner, "server", "init", "--data-dir", str(data), MSS_KEY_PASSPHRASE="password123456"
    )
    assert guessable.exit_code == 1 and "too easy to guess" in guessable.output
    assert "password123456" not in guessable.output


def test_enroll_token_refuses_bad_input_and_writes_nothing(
    runner: CliRunner, server: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.json"
    common = ["server", "enroll-token", "--data-dir", str(server), "--region", "North",
              "--out", str(bundle)]  # fmt: skip
    for bad, message in (
        (["--country", "Sierra Leone", "--server-url", "http://x"], "two-letter"),
        (["--country", "SL", "--server-url", "ftp://x"], "http"),
        (["--country", "SL", "--server-url", "http://x", "--population", "all"], "both"),
        (["--country", "SL", "--server-url", "http://x", "--expires", "soon"], "e.g. 7d"),
    ):
        result = mss(runner, *common, *bad)
        assert result.exit_code != 0
        assert message in result.output
        assert not bundle.exists()
    ok = mss(runner, *common, "--country", "SL", "--server-url", "http://127.0.0.1:9")
    assert ok.exit_code == 0, ok.output
    document = json.loads(bundle.read_text())
    assert document["country"] == "SL"
    assert {spec["id"] for spec in document["specs"]} == {"cips-officials", "cips-private-sector"}
    assert oct(bundle.stat().st_mode & 0o777) == "0o600"  # the token inside is a secret


def test_export_is_for_administrators_only_and_audited(
    runner: CliRunner, server: Path, tmp_path: Path
) -> None:
    data = str(server)
    out = tmp_path / "responses.csv"
    assert mss(runner, "server", "user", "add", "--data-dir", data, "root", "--role",
               "administrator", MSS_USER_PASSWORD=ADMIN_PASSWORD).exit_code == 0  # fmt: skip
    assert mss(runner, "server", "user", "add", "--data-dir", data, "ana", "--role", "analyst",
               "--country", "SL", MSS_USER_PASSWORD=ANALYST_PASSWORD).exit_code == 0  # fmt: skip
    export = ["server", "export", "--data-dir", data, "--out", str(out)]
    for user, password in (("ana", ANALYST_PASSWORD), ("root", "not the password!")):
        refused = mss(runner, *export, "--user", user, MSS_USER_PASSWORD=password)
        assert refused.exit_code == 1
        assert "only an administrator" in refused.output
        assert not out.exists()
    allowed = mss(runner, *export, "--user", "root", MSS_USER_PASSWORD=ADMIN_PASSWORD)
    assert allowed.exit_code == 0, allowed.output
    assert out.read_text().startswith("spec_id,spec_version,country")
    audit = mss(runner, "server", "user", "audit", "--data-dir", data, "--json")
    outcomes = [(e["actor"], e["action"], e["outcome"]) for e in json.loads(audit.raw)["entries"]]
    assert ("ana", "export", "denied") in outcomes
    assert ("root", "export", "unauthenticated") in outcomes
    assert ("root", "export", "ok") in outcomes


def test_status_and_import_of_nothing(runner: CliRunner, server: Path, tmp_path: Path) -> None:
    status = mss(runner, "server", "status", "--data-dir", str(server), "--json")
    assert status.exit_code == 0
    assert json.loads(status.raw)["totals"]["received"] == 0
    missing = mss(runner, "server", "import", "--data-dir", str(server), str(tmp_path / "no"))
    assert missing.exit_code == 1
    assert "is not a folder" in missing.output


def test_process_with_a_wrong_passphrase_changes_nothing(runner: CliRunner, server: Path) -> None:
    result = mss(runner, "server", "process", "--data-dir", str(server),
                 MSS_KEY_PASSPHRASE="not the passphrase")  # fmt: skip
    assert result.exit_code == 1
    assert "does not unlock the survey key" in result.output
    assert "Traceback" not in result.output
