"""Sync against the real server app in-process: batches, receipts, retries, refusals."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from device_app.batching import BatchLimits
from device_app.errors import ServerUnreachable, StationRevoked
from device_app.sync import Backoff
from sync_server.ingest import fleet_status, revoke_station
from tests.contract.world import Tripwire, World, inbox_count, make_world, seal_records


@pytest.fixture
def world(tmp_path: Path) -> World:
    made = make_world(tmp_path)
    made.transport = Tripwire(made.transport)
    return made


def batch_posts(world: World) -> list[bytes]:
    return [body for path, body in world.transport.sent if path == "/v1/batches"]


def test_sync_sends_every_envelope_in_bounded_signed_gzip_batches(world: World) -> None:
    station = world.station(limits=BatchLimits(max_envelopes=4))
    seal_records(station, 10)
    seen: list[tuple[int, int]] = []

    report = station.sync(progress=lambda done, total: seen.append((done, total)))

    assert (report.batches, report.accepted, report.pending_after) == (3, 10, 0)
    assert [len(json.loads(gzip.decompress(b))["batch"]["envelopes"]) for b in batch_posts(world)] \
        == [4, 4, 2]  # fmt: skip
    assert seen[-1] == (10, 10)
    assert inbox_count(world) == 10
    status = station.status()
    assert (status.pending, status.acknowledged, status.last_seq) == (0, 10, 10)
    assert status.last_sync == world.clock() and status.last_sync_ok is True
    assert report.beacon_sent
    (seen_by_server,) = fleet_status(world.session_factory).stations
    assert seen_by_server.last_beacon["outbox_depth"] == 0
    assert seen_by_server.last_beacon["last_seq"] == 10
    assert {s["id"] for s in seen_by_server.last_beacon["specs"]} == {
        "test-officials",
        "test-private",
    }
    assert seen_by_server.gaps == [] and seen_by_server.duplicates == 0


def test_a_second_sync_sends_nothing_new(world: World) -> None:
    station = world.station()
    seal_records(station, 5)
    station.sync()
    posts = len(batch_posts(world))

    again = station.sync()

    assert again.batches == 0 and again.accepted == 0
    assert len(batch_posts(world)) == posts
    assert inbox_count(world) == 5


def test_byte_budget_bounds_batches(world: World) -> None:
    sizer = world.station("sizer")
    seal_records(sizer, 1)
    size = next(iter(sizer._store.entries())).size
    station = world.station(limits=BatchLimits(max_envelopes=100, max_bytes=2 * size + 10))
    seal_records(station, 6)
    report = station.sync()
    assert report.batches == 3 and report.accepted == 6


def test_lost_receipt_then_retry_resends_identical_bytes_and_counts_once(world: World) -> None:
    station = world.station()
    seal_records(station, 7)
    world.transport.fail_after_send("/v1/batches")

    report = station.sync(max_attempts=3)

    first, second = batch_posts(world)
    assert first == second  # the same signed batch, byte for byte
    assert report.accepted == 7 and report.duplicate == 0  # the server's stored receipt
    assert inbox_count(world) == 7
    assert len(world.sleeps) == 1


def test_crash_between_server_commit_and_local_mark_ends_in_duplicates(world: World) -> None:
    station = world.station()
    seal_records(station, 7)
    world.transport.fail_after_send("/v1/batches")

    with pytest.raises(ServerUnreachable) as failed:
        station.sync(max_attempts=1)  # the station "dies" before it can mark anything
    assert failed.value.retry
    station.close()
    assert inbox_count(world) == 7  # the server did commit

    station = world.unlock()
    assert station.status().pending == 7
    assert station.status().last_sync_ok is False
    report = station.sync()

    assert (report.duplicate, report.accepted, report.pending_after) == (7, 0, 0)
    assert inbox_count(world) == 7  # nothing counted twice
    assert station.status().acknowledged == 7


def test_5xx_then_success_backs_off_with_full_jitter(world: World) -> None:
    station = world.station()
    seal_records(station, 3)
    world.transport.answer_first("/v1/batches", 503, 500)

    report = station.sync()

    assert report.accepted == 3
    assert len(world.sleeps) == 2
    assert 0 <= world.sleeps[0] <= 1.0 and 0 <= world.sleeps[1] <= 2.0


def test_a_4xx_the_catalogue_marks_retry_is_retried(world: World) -> None:
    """A body that reached the server too slowly (408) or too many attempts (429) say
    `retry` in their problem: the station backs off and tries again instead of giving up."""
    from protocol.problems import CATALOGUE

    assert CATALOGUE["request-timeout"].retry and CATALOGUE["too-many-attempts"].retry
    station = world.station()
    seal_records(station, 2)
    world.transport.answer_first("/v1/batches", 408, 429)

    report = station.sync()

    assert report.accepted == 2
    assert len(world.sleeps) == 2
    assert inbox_count(world) == 2


def test_5xx_every_time_gives_up_keeps_everything_and_says_retry(world: World) -> None:
    station = world.station()
    seal_records(station, 2)
    world.transport.answer_first("/v1/batches", *([503] * 10))

    with pytest.raises(ServerUnreachable, match="after 4 attempt"):
        station.sync(max_attempts=4)
    assert len(world.sleeps) == 3
    assert station.status().pending == 2
    assert inbox_count(world) == 0


def test_backoff_ceiling_doubles_and_is_capped() -> None:
    from random import Random

    backoff = Backoff(attempts=10, first_delay_s=1.0, longest_delay_s=8.0)

    class Top(Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    assert [backoff.delay(n, Top()) for n in range(6)] == [1, 2, 4, 8, 8, 8]


def test_revoked_station_stops_at_once_with_the_servers_message(world: World) -> None:
    station = world.station()
    seal_records(station, 3)
    revoke_station(world.session_factory, station.station_id, clock=world.clock)

    with pytest.raises(StationRevoked) as refused:
        station.sync()

    assert refused.value.status == 403
    assert "revoked" in str(refused.value)
    assert not refused.value.retry
    assert world.sleeps == []  # a 4xx is never retried
    assert station.status().pending == 3
    assert inbox_count(world) == 0


def test_sync_to_the_real_server_over_http(world: World) -> None:
    from tests.contract.world import served

    station = world.station()
    seal_records(station, 3)
    with served(world.app) as url:
        station._transport = None  # plain httpx over TCP
        report = station.sync(server_url=url)
    assert report.accepted == 3 and report.beacon_sent
