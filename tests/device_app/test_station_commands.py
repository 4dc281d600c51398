"""`mss station …` end to end: the real CLI against the real server over uvicorn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crypto import KdfCost
from device_app.provisioning import provision
from mss.cli import app
from tests.contract.world import (
    PASSPHRASE,
    PIN,
    World,
    inbox_count,
    make_world,
    seal_records,
    served,
)

ENV = {"MSS_STATION_PASSPHRASE": PASSPHRASE, "MSS_STATION_PIN": PIN}


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


@pytest.fixture
def url(world: World) -> Iterator[str]:
    with served(world.app) as address:
        yield address


def mss(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV if env is None else env)
    return result.exit_code, result.stdout, result.stderr


def fast_station(world: World, url: str, name: str = "tablet") -> Path:
    bundle = world.bundle(world.root / f"{name}.json", server_url=url)
    provision(world.root / name, bundle, PASSPHRASE, PIN, cost=KdfCost.FAST).close()
    return world.root / name


def test_provision_status_sync_export_from_the_command_line(world: World, url: str) -> None:
    bundle = world.bundle(world.root / "bundle.json", server_url=url)
    station_dir = world.root / "tablet"

    code, out, err = mss("station", "provision", "--station-dir", str(station_dir),
                         "--bundle", str(bundle))  # fmt: skip
    assert code == 0, err
    assert "provisioned" in out

    code, out, _ = mss("station", "status", "--station-dir", str(station_dir), "--json")
    status = json.loads(out)
    assert code == 0
    assert (status["pending"], status["last_seq"], status["last_sync"]) == (0, 0, None)
    assert status["spec_versions"] == {"test-officials": "1.0.0", "test-private": "1.0.0"}
    assert status["survey_key_id"] == world.survey_key.public_key().key_id()
    assert status["survey_key_refused"] is None  # no announcement was refused

    code, out, err = mss("station", "sync", "--station-dir", str(station_dir))
    assert code == 0, err
    assert "0 batch(es)" in out

    code, out, _ = mss("station", "export", "--station-dir", str(station_dir),
                       "--to", str(world.root / "usb"))  # fmt: skip
    assert code == 0 and "nothing to export" in out
    assert PASSPHRASE not in out + err and PIN not in out


def test_sync_and_export_report_counts(world: World, url: str) -> None:
    station_dir = fast_station(world, url)
    from device_app.station import Station

    with Station.unlock(station_dir, PASSPHRASE) as station:
        seal_records(station, 5)

    code, out, _ = mss("station", "export", "--station-dir", str(station_dir),
                       "--to", str(world.root / "usb"))  # fmt: skip
    assert code == 0 and "5 envelope(s) in 1 batch file(s)" in out
    code, out, _ = mss("station", "sync", "--station-dir", str(station_dir))
    assert code == 0 and "5 accepted" in out
    assert inbox_count(world) == 5
    code, out, _ = mss("station", "status", "--station-dir", str(station_dir))
    assert code == 0 and "acknowledged" in out


def test_wrong_passphrase_is_one_clear_line(world: World, url: str) -> None:
    station_dir = fast_station(world, url)
    code, out, err = mss("station", "status", "--station-dir", str(station_dir),
                         env={"MSS_STATION_PASSPHRASE": "wrong"})  # fmt: skip
    assert code == 1
    assert err.strip() == "error: the passphrase does not unlock this station"
    assert "Traceback" not in out + err


def test_no_passphrase_without_a_terminal_is_a_usage_error(world: World, url: str) -> None:
    station_dir = fast_station(world, url)
    code, _, err = mss("station", "status", "--station-dir", str(station_dir), env={})
    assert code == 2 and "MSS_STATION_PASSPHRASE" in err


def test_a_used_bundle_is_refused_and_leaves_no_directory(world: World, url: str) -> None:
    bundle = world.bundle(world.root / "bundle.json", server_url=url)
    provision(world.root / "first", bundle, PASSPHRASE, PIN, cost=KdfCost.FAST).close()

    code, out, err = mss("station", "provision", "--station-dir", str(world.root / "second"),
                         "--bundle", str(bundle))  # fmt: skip

    assert code == 1
    assert "already used" in err and "Traceback" not in out + err
    assert not any("second" in p.name for p in world.root.iterdir())


def test_a_revoked_station_gets_a_clear_error(world: World, url: str) -> None:
    from sync_server.ingest import revoke_station

    station_dir = fast_station(world, url)
    from device_app.station import Station

    with Station.unlock(station_dir, PASSPHRASE) as station:
        seal_records(station, 1)
        station_id = station.station_id
    revoke_station(world.session_factory, station_id, clock=world.clock)

    code, _, err = mss("station", "sync", "--station-dir", str(station_dir))
    assert code == 1
    assert "revoked" in err and len(err.strip().splitlines()) == 1


def test_an_unreachable_server_is_one_line(world: World, url: str) -> None:
    station_dir = fast_station(world, url)
    code, _, err = mss("station", "sync", "--station-dir", str(station_dir),
                       "--server-url", "http://127.0.0.1:9", "--attempts", "2")  # fmt: skip
    assert code == 1
    assert "could not reach" in err and "Traceback" not in err


def test_simulate_and_submit_from_the_command_line(world: World, url: str) -> None:
    from device_app.scripted_respondent import COMMENT_WORDS

    station_dir = fast_station(world, url)
    code, out, err = mss("station", "simulate", "--station-dir", str(station_dir),
                         "--responses", "6", "--seed", "5")  # fmt: skip
    assert code == 0, err
    assert "6 responses sealed" in out
    assert not set(out.split()) & (set(COMMENT_WORDS) - {"the", "to", "this", "are", "more"})

    good = world.root / "good.json"
    good.write_text(json.dumps({"consent": 1, "lead_example": 2}))
    code, out, err = mss("station", "submit", "--station-dir", str(station_dir),
                         "--answers", str(good), "--population", "officials")  # fmt: skip
    assert code == 0, err
    assert "seq 7" in out

    bad = world.root / "bad.json"
    bad.write_text(json.dumps({"consent": 1, "stages": [1, 2, 3], "years": "many"}))
    code, out, err = mss("station", "submit", "--station-dir", str(station_dir),
                         "--answers", str(bad), "--population", "officials")  # fmt: skip
    assert code == 1
    assert "nothing was written" in err
    assert "lead_example:" in err and "stages:" in err and "years:" in err
    assert "many" not in err

    code, out, _ = mss("station", "status", "--station-dir", str(station_dir), "--json")
    assert json.loads(out)["last_seq"] == 7


def test_a_bad_answers_file_is_one_line_that_quotes_nothing(world: World, url: str) -> None:
    station_dir = fast_station(world, url)
    files = {
        "truncated.json": b'{"consent": 1, "comment": "secret words',
        "latin1.json": '{"comment": "d\u00e9claration"}'.encode("latin-1"),
        "list.json": b'[1, "secret words"]',
    }
    for name, content in files.items():
        path = world.root / name
        path.write_bytes(content)
        code, out, err = mss("station", "submit", "--station-dir", str(station_dir),
                             "--answers", str(path), "--population", "officials")  # fmt: skip
        assert code == 1, name
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
        assert name in err and "Traceback" not in err
        assert "secret" not in err and "\\x" not in err and "0xe9" not in err

    code, out, _ = mss("station", "status", "--station-dir", str(station_dir), "--json")
    assert json.loads(out)["last_seq"] == 0
