"""`mss server survey-key new|list|retire` and `mss server process --key`, through the real
command line on a real server directory (SQLite; the ring's store logic runs on both
databases in tests/contract/test_survey_key_ring_contract.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crypto import (
    BadSignature,
    KdfCost,
    OperatorKey,
    SurveyPublicKey,
    read_operator_key_file,
    read_public_key_file,
    write_operator_key_file,
)
from protocol import SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload
from sync_server.ingest import accept_batch
from sync_server.ingest.specs import known_spec_identities
from sync_server.store import make_engine, make_session_factory
from sync_server.store.country_keys import signed_country_key
from sync_server.store.models import RingKey
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.test_server_cli import KEY, mss, runner, server  # noqa: F401 - fixtures

OPERATOR_PASSPHRASE = "the operator keeps this key in the safe"  # noqa: S105 - a test's


@pytest.fixture
def operator_key(runner: CliRunner, server: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # noqa: F811
    """`mss server operator-key new` on `server`: the flags that sign with it."""
    monkeypatch.setenv("MSS_OPERATOR_PASSPHRASE", OPERATOR_PASSPHRASE)
    path = server.parent / "usb-stick" / "operator.key"
    made = mss(runner, "server", "operator-key", "new", "--data-dir", str(server), "--out",
               str(path))  # fmt: skip
    assert made.exit_code == 0, made.output
    return ["--operator-key", str(path)]


def listed(runner: CliRunner, data: Path) -> dict[str, dict]:  # noqa: F811 - fixture name
    shown = mss(runner, "server", "survey-key", "list", "--data-dir", str(data), "--json")
    assert shown.exit_code == 0, shown.output
    return {row["key_id"]: row for row in json.loads(shown.output)}


def deliver(data: Path, key_text: str, count: int, country: str = "SL") -> None:
    """`count` envelopes from a new station of `country`, sealed to `key_text` (not valid responses:
    the processor sets them aside, which is enough to empty the key's queue)."""
    engine = make_engine(f"sqlite:///{data / 'central.db'}")
    try:
        sessions = make_session_factory(engine)
        spec = next(s for s in known_spec_identities(sessions) if s.id == "cips-officials")
        chain = World(sessions, FakeClock(), spec, key_text).enrol(country=country)
        key = SurveyPublicKey.from_text(key_text)
        envelopes = [chain.sealed(b'{"v":1}', key) for _ in range(count)]
        accept_batch(sessions, chain.signed_bytes(chain.batch(envelopes)), via="http",
                     clock=FakeClock())  # fmt: skip
    finally:
        engine.dispose()


def test_new_list_retire_and_process_by_key(
    runner: CliRunner,  # noqa: F811 - fixture
    server: Path,  # noqa: F811 - fixture
    operator_key: list[str],
) -> None:
    first = read_public_key_file(server / "keys" / "survey-key.public").key_id()
    assert set(listed(runner, server)) == {first}
    assert listed(runner, server)[first]["country"] == "*"

    made = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
               "--country", "SL", "--wave", "2026")  # fmt: skip
    assert made.exit_code == 0, made.output
    (wave_2026,) = set(listed(runner, server)) - {first}
    assert f"survey key {wave_2026} for SL 2026" in made.output
    folder = server / "keys" / "ring" / wave_2026
    assert (folder / "survey-key.private").stat().st_mode & 0o777 == 0o600
    public = read_public_key_file(folder / "survey-key.public")
    assert public.key_id() == wave_2026
    deliver(server, public.to_text(), 3)
    row = listed(runner, server)[wave_2026]
    assert {k: row[k] for k in ("country", "wave", "kind", "state", "pending")} == {
        "country": "SL", "wave": "2026", "kind": "x25519", "state": "active", "pending": 3,
    }  # fmt: skip

    # The first key alone: SL's envelopes are left pending, and the run says for which key.
    alone = mss(runner, "server", "process", "--data-dir", str(server), "--key", first)
    assert alone.exit_code == 0, alone.output
    assert f"left 3 pending for survey key {wave_2026}" in alone.output

    made = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
               "--country", "SL", "--wave", "2027")  # fmt: skip
    assert made.exit_code == 0, made.output
    (wave_2027,) = set(listed(runner, server)) - {first, wave_2026}
    refused = mss(runner, "server", "survey-key", "retire", "--data-dir", str(server), wave_2026)
    assert refused.exit_code == 1
    assert "3 envelope(s) sealed to" in refused.output

    # Every key on this host (each ring key's passphrase may be its own variable).
    env = {f"MSS_KEY_PASSPHRASE_{wave_2026.upper()}": KEY}
    everything = mss(runner, "server", "process", "--data-dir", str(server), **env)
    assert everything.exit_code == 0, everything.output
    assert "quarantined 3" in everything.output and "left" not in everything.output

    retired = mss(runner, "server", "survey-key", "retire", "--data-dir", str(server), wave_2026)
    assert retired.exit_code == 0, retired.output
    keys = listed(runner, server)
    assert (keys[wave_2026]["state"], keys[wave_2026]["pending"]) == ("retired", 0)
    current = mss(runner, "server", "survey-key", "retire", "--data-dir", str(server), wave_2027)
    assert current.exit_code == 1 and "SL's stations seal to" in current.output
    unknown = mss(runner, "server", "process", "--data-dir", str(server), "--key", "a" * 16)
    assert unknown.exit_code == 1 and "no private file of survey key" in unknown.output


def test_new_refuses_a_bad_country_wave_or_kind(
    runner: CliRunner,  # noqa: F811 - fixture
    server: Path,  # noqa: F811 - fixture
    operator_key: list[str],
) -> None:
    for flags, message in (
        (("--country", "Sierra", "--wave", "2026"), "--country must be"),
        (("--country", "SL", "--wave", "20 26"), "--wave is"),
        (("--country", "SL", "--wave", "2026", "--kem", "rsa"), "--kem must be one of"),
    ):
        refused = mss(
            runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key, *flags
        )
        assert refused.exit_code == 1 and message in refused.output
    weak = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
               "--country", "SL", "--wave", "2026",
               MSS_KEY_PASSPHRASE="password123456")  # fmt: skip
    assert weak.exit_code == 1
    assert not (server / "keys" / "ring").exists()


def test_a_ring_key_goes_into_custody_and_its_shares_open_only_it(
    runner: CliRunner,  # noqa: F811 - fixture
    server: Path,  # noqa: F811 - fixture
    monkeypatch: pytest.MonkeyPatch,
    operator_key: list[str],
) -> None:
    custodians = {"amina": "amina keeps share one safe", "ravi": "ravi keeps another share"}
    for name, passphrase in custodians.items():
        monkeypatch.setenv(f"MSS_CUSTODIAN_PASSPHRASE_{name.upper()}", passphrase)
    first = read_public_key_file(server / "keys" / "survey-key.public").key_id()
    made = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
               "--country", "GH", "--wave", "2026")  # fmt: skip
    assert made.exit_code == 0, made.output
    (ghana,) = set(listed(runner, server)) - {first}
    folder = server / "keys" / "ring" / ghana
    deliver(server, read_public_key_file(folder / "survey-key.public").to_text(), 2, "GH")

    split = mss(runner, "server", "survey-key", "split", "--data-dir", str(server), "--key",
                ghana, "--threshold", "2", "--out", str(server.parent / "shares"),
                "--custodian=amina", "--custodian=ravi")  # fmt: skip
    assert split.exit_code == 0, split.output
    assert not (folder / "survey-key.private").exists() and (folder / "survey-key.shared").exists()
    assert (server / "keys" / "survey-key.private").exists()  # the first key is untouched
    shares = sorted((server.parent / "shares").iterdir())

    process = ["server", "process", "--data-dir", str(server)]
    alone = mss(runner, *process, "--key", ghana)
    assert alone.exit_code == 1 and "held by custodians" in alone.output
    stray = mss(runner, *process, "--key", first, "--share", str(shares[0]))
    assert stray.exit_code == 1 and f"--share given for survey key {ghana}" in stray.output
    together = mss(runner, *process, "--key", ghana, "--share", str(shares[0]), "--share",
                   str(shares[1]), MSS_SHARE_PASSPHRASE_1=custodians["amina"],
                   MSS_SHARE_PASSPHRASE_2=custodians["ravi"])  # fmt: skip
    assert together.exit_code == 0, together.output
    assert "quarantined 2" in together.output
    assert listed(runner, server)[ghana]["pending"] == 0


def test_new_signs_the_key_record_with_the_operator_key_kept_off_the_server(
    runner: CliRunner,  # noqa: F811 - fixture
    server: Path,  # noqa: F811 - fixture
    operator_key: list[str],
    tmp_path: Path,
) -> None:
    key_file = Path(operator_key[1])
    assert key_file.stat().st_mode & 0o777 == 0o600
    # The server holds the public half only: no file of the operator key under its data dir.
    assert not [p for p in server.rglob("*") if p.is_file() and "operator" in p.name]
    operator = read_operator_key_file(key_file, OPERATOR_PASSPHRASE).public_key()
    twice = mss(runner, "server", "operator-key", "new", "--data-dir", str(server), "--out",
                str(tmp_path / "second.key"))  # fmt: skip
    assert twice.exit_code == 1 and "has an operator key already" in twice.output

    wrong = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
                "--country", "SL", "--wave", "2026",
                MSS_OPERATOR_PASSPHRASE="not the one at all")  # fmt: skip
    assert wrong.exit_code == 1 and "does not open" in wrong.output
    stranger = tmp_path / "stranger.key"
    write_operator_key_file(
        stranger, OperatorKey.generate(), OPERATOR_PASSPHRASE, cost=KdfCost.FAST
    )
    other = mss(runner, "server", "survey-key", "new", "--data-dir", str(server),
                "--operator-key", str(stranger), "--country", "SL", "--wave", "2026")  # fmt: skip
    assert other.exit_code == 1 and "not the one stations pin" in other.output
    assert not (server / "keys" / "ring").exists()

    made = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
               "--country", "SL", "--wave", "2026")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"signed by operator key {operator.fingerprint()}" in made.output
    signed_flags = {row["country"]: row["signed"] for row in listed(runner, server).values()}
    assert signed_flags == {"*": False, "SL": True}  # the first key is nobody's to switch to
    engine = make_engine(f"sqlite:///{server / 'central.db'}")
    try:
        with make_session_factory(engine)() as session:
            row = session.scalars(select(RingKey).where(RingKey.country == "SL")).one()
            signed = signed_country_key(session, row.public_key)
    finally:
        engine.dispose()
    assert signed is not None and signed.record.wave == "2026"
    operator.verify(SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload(signed.record),
                    signed.signature_bytes())  # fmt: skip
    # Another wave in the same record: the signature no longer holds.
    moved = signed.record.model_copy(update={"wave": "2027"})
    with pytest.raises(BadSignature):
        operator.verify(SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload(moved),
                        signed.signature_bytes())  # fmt: skip
