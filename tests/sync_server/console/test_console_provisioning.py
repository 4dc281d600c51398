"""From the console's enrolment page to a syncing station, in Debian's Chromium against the
real app over uvicorn: the coordinator issues a token on the page, the QR code Chromium
draws is read back by zxing-cpp (a picture, as a tablet's camera would take it), a real
station (its SQLCipher store, the fast KDF cost) is provisioned from it and syncs once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from device_app.provisioning import provision, read_code_image
from device_app.scripted_respondent import simulate_respondents
from miniatures.browser import headless_chromium
from miniatures.served_app import served
from sync_server.settings import Settings
from sync_server.store.models import InboxEnvelope, Station
from tests.sync_server.builders import FakeClock
from tests.sync_server.console.test_console_browser import signed_in
from tests.sync_server.console.test_console_pages import ready_to_enrol

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PASSPHRASE = "a coordinator passphrase for the tablet"
PIN = "246810"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as chromium:
        yield chromium


def test_a_station_provisioned_from_the_qr_on_the_page_syncs(
    app: FastAPI, browser: Any, settings: Settings, session_factory: sessionmaker[Session],
    clock: FakeClock, tmp_path: Path,
) -> None:  # fmt: skip
    ready_to_enrol(settings, session_factory, clock)
    with served(app) as url:
        page = signed_in(browser, url, "cole")
        page.goto(f"{url}/console/enrol")
        page.fill("#region", "Port Loko")
        page.click("#issue")
        page.wait_for_selector("#token-qr")
        token = page.inner_text("#token")
        picture = tmp_path / "qr.png"
        page.locator("#token-qr").screenshot(path=str(picture))
        page.context.close()

        code = read_code_image(picture)
        assert (code.server_url, code.token) == (url, token)
        station_dir = tmp_path / "tablet"
        with provision(station_dir, code, PASSPHRASE, PIN, clock=clock,
                       cost=KdfCost.FAST) as station:  # fmt: skip
            assert (station.country, station.region) == ("SL", "Port Loko")
            simulate_respondents(station, 3, rng=random.Random(5))
            report = station.sync()
            station_id = station.station_id
            pending = station.status().pending
    assert (report.accepted, report.rejected, pending) == (3, 0, 0)
    with session_factory() as session:
        enrolled = session.get(Station, station_id)
        assert (enrolled.country, enrolled.region) == ("SL", "Port Loko")
        received = session.scalar(
            select(func.count()).select_from(InboxEnvelope)
            .where(InboxEnvelope.station_id == station_id)
        )  # fmt: skip
    assert received == 3
