"""m-of-n custody through the real command line: a station's responses, the key split
among three custodians, and the processor that opens them only with two shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from miniatures.served_app import served
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.sync_server.test_server_cli import KEY, Ran, mss

CUSTODIANS = {"amina": "amina keeps share one safe", "ravi": "ravi keeps another share",
              "chen": "chen holds the third share"}  # fmt: skip
STATION = {"MSS_STATION_PASSPHRASE": "a coordinator passphrase", "MSS_STATION_PIN": "2468"}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MSS_KEY_PASSPHRASE", KEY)
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    for name, passphrase in CUSTODIANS.items():
        monkeypatch.setenv(f"MSS_CUSTODIAN_PASSPHRASE_{name.upper()}", passphrase)
    for name, value in STATION.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def _inbox_of_five(runner: CliRunner, tmp_path: Path) -> Path:
    """A server whose inbox holds five sealed responses, carried over by USB."""
    data = tmp_path / "server"
    assert mss(runner, "server", "init", "--data-dir", str(data)).exit_code == 0
    with served(create_app(Settings(data_dir=data))) as url:
        bundle, station, usb = tmp_path / "bundle.json", tmp_path / "station", tmp_path / "usb"
        for args in (
            ("server", "enroll-token", "--data-dir", str(data), "--country", "SL", "--region",
             "Western Area", "--server-url", url, "--out", str(bundle)),
            ("station", "provision", "--station-dir", str(station), "--bundle", str(bundle)),
            ("station", "simulate", "--station-dir", str(station), "--responses", "5",
             "--seed", "3"),
            ("station", "export", "--station-dir", str(station), "--to", str(usb), "--all"),
            ("server", "import", "--data-dir", str(data), str(usb)),
        ):  # fmt: skip
            ran = mss(runner, *args)
            assert ran.exit_code == 0, (args, ran.output)
    return data


def test_after_the_split_two_custodians_open_the_inbox_and_no_one_alone(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = _inbox_of_five(runner, tmp_path)
    shares_dir = tmp_path / "shares"
    split = ["server", "survey-key", "split", "--data-dir", str(data), "--threshold", "2",
             "--out", str(shares_dir)] + [f"--custodian={name}" for name in CUSTODIANS]  # fmt: skip
    ran = mss(runner, *split)
    assert ran.exit_code == 0, ran.output
    shares = sorted(shares_dir.iterdir())
    assert [p.name for p in shares] == ["share-1-amina.txt", "share-2-ravi.txt", "share-3-chen.txt"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in shares)
    keys = data / "keys"
    assert not (keys / "survey-key.private").exists()  # no single passphrase opens it now
    assert (keys / "survey-key.shared").exists()
    for share, passphrase in zip(shares, CUSTODIANS.values(), strict=True):
        assert passphrase.encode() not in share.read_bytes()

    process = ["server", "process", "--data-dir", str(data)]
    alone: Ran = mss(runner, *process)  # the old passphrase opens nothing any more
    assert alone.exit_code == 1 and "held by custodians" in alone.output
    one = mss(runner, *process, "--share", str(shares[0]), MSS_SHARE_PASSPHRASE_1="x")
    assert one.exit_code == 1 and "2 of its 3 shares (1 given)" in one.output
    wrong = mss(runner, *process, "--share", str(shares[0]), "--share", str(shares[2]),
                MSS_SHARE_PASSPHRASE_1=CUSTODIANS["amina"],
                MSS_SHARE_PASSPHRASE_3="not chen's passphrase")  # fmt: skip
    assert wrong.exit_code == 1 and "share 3 (chen)" in wrong.output
    status = json.loads(mss(runner, "server", "status", "--data-dir", str(data), "--json").raw)
    assert status["totals"]["processed"] == 0  # nothing opened so far

    opened = mss(runner, *process, "--share", str(shares[0]), "--share", str(shares[2]),
                 MSS_SHARE_PASSPHRASE_1=CUSTODIANS["amina"],
                 MSS_SHARE_PASSPHRASE_3=CUSTODIANS["chen"])  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert "processed 5, quarantined 0" in opened.output

    again = mss(runner, *split)
    assert again.exit_code == 1 and "already in custody" in again.output


def test_a_weak_custodian_passphrase_splits_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "server"
    assert mss(runner, "server", "init", "--data-dir", str(data)).exit_code == 0
    monkeypatch.setenv("MSS_CUSTODIAN_PASSPHRASE_RAVI", "password123")
    ran = mss(runner, "server", "survey-key", "split", "--data-dir", str(data), "--threshold",
              "2", "--custodian", "amina", "--custodian", "ravi",
              "--out", str(tmp_path / "s"))  # fmt: skip
    assert ran.exit_code == 1 and "custodian's passphrase" in ran.output
    assert (data / "keys" / "survey-key.private").exists()
    assert not (data / "keys" / "survey-key.shared").exists()
    assert not (tmp_path / "s").exists()
