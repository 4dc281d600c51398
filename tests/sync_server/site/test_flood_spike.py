"""A flood of code-free submissions shows on the fleet status as a spike: envelopes sent
through the real site app from many addresses (as a botnet would, each under the
per-address limit), counted by arrival time in the inbox, on SQLite and PostgreSQL; and the
same in `mss server status`. A normal day is not flagged."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import inspect

from sync_server.app import create_app
from sync_server.ingest import fleet_status
from sync_server.ingest.arrival_spikes import SPIKE_FLOOR, arrival_rate
from sync_server.settings import Settings
from sync_server.site.app import create_site_app
from sync_server.site.campaigns import campaign_view
from sync_server.store import make_engine, make_session_factory
from tests.sync_server.console.conftest import Visitor, add_people
from tests.sync_server.site.conftest import sealed_submission, site_response
from tests.sync_server.test_server_cli import mss, runner, server  # noqa: F401 - fixtures


def test_the_rule_weighs_the_last_hour_against_the_usual_rate():
    week = timedelta(days=7)
    assert arrival_rate(SPIKE_FLOOR, 0, timedelta(0)).spike  # a new campaign flooded
    assert not arrival_rate(SPIKE_FLOOR - 1, 0, timedelta(0)).spike
    assert arrival_rate(12, 0, timedelta(minutes=30)).usual is None  # too young to say
    busy = 10 * 24 * 7  # ten an hour, all week
    assert arrival_rate(45, busy, week).usual == 10.0
    assert not arrival_rate(45, busy, week).spike  # a busy hour on a busy campaign
    assert arrival_rate(50, busy, week).spike  # five times the usual
    assert not arrival_rate(3, 2 * 24 * 7, week).spike  # a quiet campaign's good hour


def send(app: FastAPI, slug: str, bodies: list[dict[str, Any]], *, first_address: int) -> None:
    """Each body from its own address, as many machines send."""

    async def go() -> None:
        for number, body in enumerate(bodies, start=first_address):
            address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://site.test") as c:
                answer = await c.post(f"/s/{slug}/envelopes", json=body)
                assert answer.status_code in (200, 201), answer.text

    asyncio.run(go())


def submissions(campaign, count: int) -> list[dict[str, Any]]:
    # Sealed to the campaign's key, its spec and station; intake never opens them.
    return [sealed_submission(campaign, site_response()) for _ in range(count)]


def test_a_flood_is_flagged_and_a_normal_day_is_not(site_app, campaign, session_factory, clock):
    # A normal day: one response an hour for a day.
    for hour in range(24):
        clock.advance(hours=1)
        send(site_app, campaign.slug, submissions(campaign, 1), first_address=hour)
    clock.advance(minutes=30)
    normal = fleet_status(session_factory, now=clock())
    [station] = [s for s in normal.stations if s.station_id == campaign.station_id]
    assert station.arrivals is not None
    assert station.arrivals.recent == 1 and not station.arrivals.spike
    assert 0.9 < (station.arrivals.usual or 0) < 1.1

    # Then a flood within minutes, from many addresses.
    send(site_app, campaign.slug, submissions(campaign, SPIKE_FLOOR + 5), first_address=1000)
    clock.advance(minutes=10)
    flooded = fleet_status(session_factory, now=clock())
    [station] = [s for s in flooded.stations if s.station_id == campaign.station_id]
    assert station.arrivals is not None and station.arrivals.spike
    assert station.arrivals.recent == SPIKE_FLOOR + 5 + 1  # with the normal day's last
    assert station.received == 24 + SPIKE_FLOOR + 5  # nothing refused: seen, not dropped

    # An hour on, the flood is past the window: the spike is gone, the rate remembers it.
    clock.advance(hours=1)
    later = fleet_status(session_factory, now=clock())
    [station] = [s for s in later.stations if s.station_id == campaign.station_id]
    assert station.arrivals is not None and not station.arrivals.spike
    assert station.arrivals.recent == 0


def test_mss_server_status_says_spike(runner, server):  # noqa: F811 - fixtures
    added = mss(runner, "server", "campaign", "add", "--data-dir", str(server), "--country",
                "SL", "--wave", "2026", "--population", "officials", "--spec",
                "cips-officials", "--json")  # fmt: skip
    assert added.exit_code == 0, added.output
    slug = json.loads(added.raw)["slug"]
    settings = Settings(data_dir=server, database_url=f"sqlite:///{server / 'central.db'}")
    app = create_site_app(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        view = campaign_view(make_session_factory(engine), slug)
        # A few now: not a spike.
        send(app, slug, submissions(view, 3), first_address=1)
        quiet = mss(runner, "server", "status", "--data-dir", str(server), COLUMNS="200")
        assert quiet.exit_code == 0 and "SPIKE" not in quiet.output
        send(app, slug, submissions(view, SPIKE_FLOOR), first_address=100)
        # Sent just now, so the real clock of the command sees them in its last hour.
        loud = mss(runner, "server", "status", "--data-dir", str(server), COLUMNS="200")
        assert f"SPIKE {view.station_id}: {SPIKE_FLOOR + 3} received in the last hour" in (
            loud.output
        )
        document = json.loads(mss(runner, "server", "status", "--data-dir", str(server),
                                  "--json").raw)  # fmt: skip
        [station] = document["stations"]
        assert station["arrivals"] == {"recent": SPIKE_FLOOR + 3, "usual": None, "spike": True}
        # The store holds arrival times only: no column for an address or an agent.
        columns = {c["name"] for t in inspect(engine).get_table_names()
                   for c in inspect(engine).get_columns(t)}  # fmt: skip
        assert not {"address", "client", "ip", "user_agent"} & columns
    finally:
        app.state.server.engine.dispose()
        engine.dispose()


def test_the_console_fleet_page_marks_the_flooded_campaign(
    site_app, campaign, session_factory, clock, tmp_path, database_url
):
    send(site_app, campaign.slug, submissions(campaign, 2), first_address=1)
    settings = Settings(data_dir=tmp_path / "console", database_url=database_url, clock=clock)
    add_people(session_factory, clock)
    console = create_app(settings)
    try:
        cole = Visitor(console)
        cole.sign_in("cole")  # a coordinator for SL, the campaign's country
        quiet = cole.get("/console/fleet").text
        row = quiet[quiet.index(f"station-{campaign.station_id}") :].split("</tr>")[0]
        assert 'data-mark="spike"' not in row
        send(site_app, campaign.slug, submissions(campaign, SPIKE_FLOOR), first_address=100)
        loud = cole.get("/console/fleet").text
        row = loud[loud.index(f"station-{campaign.station_id}") :].split("</tr>")[0]
        assert 'data-mark="spike"' in row and f"spike: {SPIKE_FLOOR + 2} in the last hour" in row
    finally:
        console.state.server.engine.dispose()
