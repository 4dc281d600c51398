"""A server whose survey key is the post-quantum hybrid (MLKEM768-X25519): `mss server init
--kem`, stations that seal to it through the real finishing path, sync, and the processor
that opens every response; the online site, which seals with WebCrypto, is refused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from crypto import MLKEM768_X25519, seal_overhead
from crypto.survey_keys import read_public_key_file
from sync_server.processor import process_inbox
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.contract.world import make_world, seal_records
from tests.sync_server.test_server_cli import mss, runner  # noqa: F401 - fixtures


def test_stations_seal_to_a_hybrid_key_and_the_processor_opens_every_response(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, kem=MLKEM768_X25519)
    station = world.station()
    seal_records(station, 7)

    report = station.sync()
    processed = process_inbox(world.session_factory, world.survey_key, clock=world.clock)

    assert report.accepted == 7 and processed.processed == 7 and processed.quarantined == 0
    with world.session_factory() as session:
        sizes = session.scalars(select(func.length(InboxEnvelope.sealed))).all()
        stored = session.scalar(select(func.count()).select_from(ResponseRecord))
    assert stored == 7
    assert min(sizes) > seal_overhead(MLKEM768_X25519)


def test_init_makes_a_hybrid_key_and_a_campaign_is_refused_with_the_reason(
    runner,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    data = tmp_path / "server"
    made = mss(runner, "server", "init", "--data-dir", str(data), "--kem", "mlkem768-x25519")
    assert made.exit_code == 0, made.output
    assert "mlkem768-x25519" in made.output
    assert read_public_key_file(data / "keys" / "survey-key.public").kem == MLKEM768_X25519

    campaign = mss(runner, "server", "campaign", "add", "--data-dir", str(data), "--country",
                   "SL", "--wave", "2026", "--population", "officials", "--spec",
                   "cips-officials")  # fmt: skip
    assert campaign.exit_code == 1
    assert "X25519 only" in campaign.output

    unknown = mss(runner, "server", "init", "--data-dir", str(tmp_path / "b"), "--kem", "rsa")
    assert unknown.exit_code == 1 and "--kem must be one of" in unknown.output
