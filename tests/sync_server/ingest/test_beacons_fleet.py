"""Beacons and the fleet view."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from crypto import StationKey
from protocol import Beacon, Problem, canonical_json, sign_beacon
from sync_server.ingest import fleet_status, record_beacon, revoke_station
from tests.sync_server.builders import World, count_rows


def beacon_bytes(
    world: World, sent_at: str, *, key: StationKey | None = None, last_seq: int = 9
) -> bytes:
    chain = world.station
    beacon = Beacon(
        v=1,
        station_id=chain.station_id,
        sent_at=sent_at,
        app_version="test 1",
        specs=[world.spec],
        outbox_depth=4,
        last_seq=last_seq,
    )
    signed = sign_beacon(beacon, (key or chain.key).sign)
    return canonical_json(signed.model_dump(mode="json"))


def test_the_latest_beacon_is_kept(world: World) -> None:
    record_beacon(
        world.session_factory, beacon_bytes(world, "2026-11-29T10:00:00Z"), clock=world.clock
    )
    record_beacon(
        world.session_factory, beacon_bytes(world, "2026-11-29T09:00:00Z"), clock=world.clock
    )  # late delivery of an older one
    (status,) = fleet_status(world.session_factory).stations
    assert status.last_beacon["sent_at"] == "2026-11-29T10:00:00Z"
    assert status.last_beacon["outbox_depth"] == 4
    assert status.last_beacon_at == world.clock()


def test_a_clock_in_the_future_does_not_hide_later_beacons(world: World) -> None:
    """A tablet whose clock once said 2300 (then was set right) is not stuck on that beacon:
    its later beacons arrive and are kept."""
    record_beacon(
        world.session_factory, beacon_bytes(world, "2300-01-01T00:00:00Z"), clock=world.clock
    )
    record_beacon(
        world.session_factory, beacon_bytes(world, "2026-11-29T10:05:00Z"), clock=world.clock
    )  # same outbox sequence, clock set right
    (status,) = fleet_status(world.session_factory).stations
    assert status.last_beacon["sent_at"] == "2026-11-29T10:05:00Z"
    assert status.clock_skew_seconds == 300  # the clock, five minutes ahead of arrival
    record_beacon(
        world.session_factory,
        beacon_bytes(world, "1970-01-01T00:00:00Z", last_seq=12),
        clock=world.clock,
    )  # a flat clock battery, but more responses sealed since: later news
    (status,) = fleet_status(world.session_factory).stations
    assert (status.last_beacon["sent_at"], status.last_beacon["last_seq"]) == (
        "1970-01-01T00:00:00Z",
        12,
    )
    assert status.clock_skew_seconds < -50 * 365 * 24 * 3600  # shown as a wrong clock
    record_beacon(
        world.session_factory, beacon_bytes(world, "2026-11-29T11:00:00Z"), clock=world.clock
    )  # a late delivery from before those responses (lower sequence): older news
    (status,) = fleet_status(world.session_factory).stations
    assert status.last_beacon["last_seq"] == 12


@pytest.mark.parametrize("case", ["forged", "revoked", "garbage"])
def test_bad_beacons_change_nothing(world: World, engine: Engine, case: str) -> None:
    data = beacon_bytes(world, "2026-11-29T10:00:00Z")
    expected = {
        "forged": "bad-signature",
        "revoked": "station-revoked",
        "garbage": "malformed-request",
    }[case]
    if case == "forged":
        data = beacon_bytes(world, "2026-11-29T10:00:00Z", key=StationKey.generate())
    elif case == "revoked":
        revoke_station(world.session_factory, world.station.station_id, clock=world.clock)
    else:
        data = b"{"
    before = count_rows(engine)
    with pytest.raises(Problem) as caught:
        record_beacon(world.session_factory, data, clock=world.clock)
    assert caught.value.code == expected
    assert count_rows(engine) == before
    assert fleet_status(world.session_factory).stations[0].last_beacon is None


def test_fleet_status_counts_and_totals(world: World) -> None:
    from sync_server.ingest import accept_batch

    chain = world.station
    envelopes = chain.envelopes(3)
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch(envelopes)),
        via="http",
        clock=world.clock,
    )
    other = world.enrol()
    other_envelopes = other.envelopes(4)
    accept_batch(
        world.session_factory,
        other.signed_bytes(other.batch(other_envelopes[3:])),
        via="usb",
        clock=world.clock,
    )
    status = fleet_status(world.session_factory)
    assert status.pending == 4 and status.processed == 0 and status.quarantined == 0
    by_id = {s.station_id: s for s in status.stations}
    assert by_id[chain.station_id].gaps == []
    assert by_id[chain.station_id].last_sync_at == world.clock()
    assert by_id[other.station_id].gaps == [(1, 3)]
    assert by_id[other.station_id].last_batch_seq == 1
