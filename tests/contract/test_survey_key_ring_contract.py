"""Survey keys per country and wave, against the real app, stations and processor, on SQLite
and PostgreSQL: each country's stations seal to its own key and a processor opens only what
its keys open; a new wave's key reaches enrolled stations in their beacon answer, their
next responses name it, the old ones still open, and the old key retires only once nothing
sealed to it waits."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crypto import KdfCost, SurveyPrivateKey, SurveyPublicKey
from device_app.errors import BundleInvalid
from sync_server.ingest.bundles import StationPlace, issue_bundle
from sync_server.processor import HeldKeys, process_inbox
from sync_server.settings import utc_now
from sync_server.store.models import InboxEnvelope, ResponseRecord
from sync_server.survey_keys import (
    KeyStillNeeded,
    SurveyKeyFiles,
    make_ring_key,
    retire_ring_key,
    ring_entries,
)
from tests.contract.world import World, make_world, seal_records
from tests.sync_server.conftest import postgres_schema_url  # noqa: F401 - fixture

KEY_PASSPHRASE = "violet harbour quietly folds nine copper kites"  # noqa: S105 - a test's


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None: the world's own SQLite file; else a fresh PostgreSQL schema."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_schema_url")


def new_key(
    world: World, country: str, wave: str, *, made: Callable[[], datetime] = utc_now
) -> SurveyPublicKey:
    """A ring key signed by the world's operator. Made by the server's clock (the one the
    app answers enrolments by, not the world's fixed one): a station takes only keys made
    after its enrolment."""
    return make_ring_key(
        world.session_factory, world.settings.data_dir, country=country, wave=wave,
        passphrase=KEY_PASSPHRASE, clock=made, cost=KdfCost.FAST, operator=world.operator,
    )  # fmt: skip


def unlocked(world: World, public: SurveyPublicKey) -> SurveyPrivateKey:
    """The private half, from its file under keys/ring/<id>/ and its passphrase."""
    return SurveyKeyFiles(world.settings.data_dir, public.key_id()).unlock(KEY_PASSPHRASE)


def holding(world: World, *keys: SurveyPublicKey) -> HeldKeys:
    first = world.survey_key.public_key().key_id()
    return HeldKeys({key.key_id(): unlocked(world, key) for key in keys}, first)


def inbox_keys(world: World) -> Counter[tuple[str, str | None]]:
    with world.session_factory() as session:
        rows = session.execute(select(InboxEnvelope.station_id, InboxEnvelope.key_id)).all()
    return Counter((station, key_id) for station, key_id in rows)


def pending(world: World) -> dict[str, int]:
    first = world.survey_key.public_key().key_id()
    return {e.key_id: e.pending for e in ring_entries(world.session_factory, first)}


def test_each_country_seals_to_its_key_and_a_processor_opens_only_its_own(
    tmp_path: Path, store_url: str | None
) -> None:
    world = make_world(tmp_path, database_url=store_url)
    sl, gh = new_key(world, "SL", "2026"), new_key(world, "GH", "2026")
    sl_station = world.station("sl", country="SL", survey_public_key=sl.to_text())
    gh_station = world.station("gh", country="GH", survey_public_key=gh.to_text())
    seal_records(sl_station, 3)
    seal_records(gh_station, 2)
    assert sl_station.sync().accepted == 3 and gh_station.sync().accepted == 2
    assert inbox_keys(world) == {
        (sl_station.station_id, sl.key_id()): 3,
        (gh_station.station_id, gh.key_id()): 2,
    }

    # A processor holding only Sierra Leone's key: Ghana's envelopes wait, named.
    only_sl = process_inbox(world.session_factory, holding(world, sl), clock=world.clock)
    assert (only_sl.processed, only_sl.quarantined) == (3, 0)
    assert only_sl.left_for_keys == {gh.key_id(): 2}
    assert pending(world) == {sl.key_id(): 0, gh.key_id(): 2}

    # Ghana's processor opens the rest; nothing is opened twice.
    only_gh = process_inbox(world.session_factory, holding(world, gh), clock=world.clock)
    assert (only_gh.processed, only_gh.quarantined, only_gh.left_for_keys) == (2, 0, {})
    with world.session_factory() as session:
        countries = Counter(session.scalars(select(ResponseRecord.country)))
    assert countries == {"SL": 3, "GH": 2}


def test_a_new_wave_key_is_announced_used_at_once_and_the_old_one_retires_after_processing(
    tmp_path: Path, store_url: str | None
) -> None:
    # Loopback http: the channel a station trusts an announcement on without TLS.
    world = make_world(tmp_path, database_url=store_url, server_url="http://127.0.0.1:8080")
    first = world.survey_key.public_key().key_id()
    wave_2026 = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=wave_2026.to_text())
    seal_records(station, 2)
    assert station.sync().survey_key_switched_to is None  # the key it has is current

    wave_2027 = new_key(world, "SL", "2027")
    seal_records(station, 1)  # sealed before it heard: the 2026 key
    heard = station.sync()
    assert heard.accepted == 1 and heard.survey_key_switched_to == wave_2027.key_id()
    assert station.status().survey_key_id == wave_2027.key_id()  # what the coordinator sees
    seal_records(station, 2)  # the very next responses: the 2027 key
    assert station.sync().accepted == 2
    reopened = world.unlock()  # the switch is kept in the station's store
    assert reopened._survey_key == wave_2027
    reopened.close()
    assert inbox_keys(world) == {
        (station.station_id, wave_2026.key_id()): 3,
        (station.station_id, wave_2027.key_id()): 2,
    }

    # Retiring 2026 is refused while its envelopes wait, with how many.
    with pytest.raises(KeyStillNeeded) as refused:
        retire_ring_key(world.session_factory, wave_2026.key_id(), first, clock=world.clock)
    assert refused.value.pending == 3 and "3 envelope(s)" in str(refused.value)
    both = process_inbox(world.session_factory, holding(world, wave_2026, wave_2027),
                         clock=world.clock)  # fmt: skip
    assert (both.processed, both.quarantined, both.left_for_keys) == (5, 0, {})
    retire_ring_key(world.session_factory, wave_2026.key_id(), first, clock=world.clock)
    states = {e.key_id: e.state for e in ring_entries(world.session_factory, first)}
    assert states[wave_2026.key_id()] == "retired" and states[wave_2027.key_id()] == "active"
    # The key Sierra Leone's stations are given is never retired from under them.
    with pytest.raises(KeyStillNeeded, match="stations seal to"):
        retire_ring_key(world.session_factory, wave_2027.key_id(), first, clock=world.clock)


def test_an_announcement_over_plain_http_to_another_host_is_refused(tmp_path: Path) -> None:
    world = make_world(tmp_path)  # http://mss.test: a network, no TLS
    wave_2026 = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=wave_2026.to_text())
    new_key(world, "SL", "2027")
    report = station.sync()
    assert report.survey_key_switched_to is None
    assert "plain http" in (report.survey_key_refused or "")
    seal_records(station, 1)
    assert station.sync().accepted == 1
    assert inbox_keys(world) == {(station.station_id, wave_2026.key_id()): 1}


def test_a_new_enrolment_is_given_its_countrys_current_key(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    wave_2026 = new_key(world, "SL", "2026")
    wave_2027 = new_key(world, "SL", "2027")
    # The bundle `enroll-token` writes: the country's current key; a country without a key
    # of its own gets the server's first key (what the command passes).
    first_text = world.survey_key.public_key().to_text()
    for country, expected in (("SL", wave_2027), ("GH", world.survey_key.public_key())):
        place = StationPlace(country, "Region", ("officials",), world.server_url)
        bundle = issue_bundle(world.session_factory, place, lifetime=timedelta(days=1),
                              survey_public_key=first_text, clock=world.clock,
                              random_bytes=os.urandom)  # fmt: skip
        assert SurveyPublicKey.from_text(bundle.survey_public_key) == expected
    # A bundle carrying an older key does not match what enrolment gives: refused.
    with pytest.raises(BundleInvalid, match="is not the bundle's"):
        world.station("old", survey_public_key=wave_2026.to_text())
    station = world.station(survey_public_key=wave_2027.to_text())
    seal_records(station, 1)
    station.sync()
    assert inbox_keys(world) == {(station.station_id, wave_2027.key_id()): 1}
