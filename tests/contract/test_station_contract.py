"""The real station code against the real server app: in-process (ASGI) and over uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from random import Random

import pytest

from device_app.scripted_respondent import simulate_respondents
from sync_server.ingest import fleet_status
from sync_server.ingest.usb_import import import_folder
from tests.contract.world import World, inbox_count, served


@contextmanager
def reachable(world: World, how: str) -> Iterator[None]:
    """Point new stations at the app in-process, or at uvicorn on 127.0.0.1."""
    if how == "asgi":
        yield
        return
    with served(world.app) as url:
        world.server_url, world.transport = url, None
        yield


@pytest.mark.parametrize("how", ["asgi", "uvicorn"])
def test_the_whole_station_story(world: World, tmp_path: Path, how: str) -> None:
    with reachable(world, how):
        station = world.station()
        outcome = simulate_respondents(station, 30, rng=Random(11))
        assert outcome.last_seq == 30

        first = station.sync()
        again = station.sync()
        assert (first.accepted, again.batches) == (30, 0)

        simulate_respondents(station, 5, rng=Random(12))
        usb = tmp_path / "usb"
        assert station.export_usb(usb).envelopes == 5
        imported = import_folder(world.session_factory, usb, clock=world.clock)
        assert imported.refused == [] and imported.total("accepted") == 5
        assert station.status().pending == 5  # only a receipt marks them

        last = station.sync()
        assert (last.accepted, last.duplicate) == (0, 5)
        status = station.status()
        assert (status.pending, status.acknowledged, status.last_seq) == (0, 35, 35)
        assert inbox_count(world) == 35
        (seen,) = fleet_status(world.session_factory).stations
        assert (seen.received, seen.last_envelope_seq, seen.gaps) == (35, 35, [])
        assert station.integrity_problems() == []
