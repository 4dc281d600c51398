"""The coordinator's new pages in Debian's Chromium against the real app over uvicorn, on
a SQLite store: a USB export uploaded from the file picker (twice: the second time all
already here), a quarantined envelope released by its button, a fieldwork target set and
seen on the fleet page with its gender split; screenshots in English and Arabic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from crypto import generate_survey_key
from miniatures.browser import headless_chromium
from miniatures.served_app import served
from sync_server.ingest.fleet import quarantine_entries
from sync_server.processor import process_inbox
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.console.test_console_browser import shoot, signed_in
from tests.sync_server.console.test_fieldwork_pages import Genders, add, responses_of
from tests.sync_server.console.test_import_pages import usb_export

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
Sessions = sessionmaker[Session]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as chromium:
        yield chromium


def counts(page: Any) -> tuple[str, ...]:
    marker = page.locator("#import-counts")
    return tuple(marker.get_attribute(f"data-{key}") or "" for key in ("accepted", "duplicate"))


def test_upload_release_and_targets_in_a_browser(
    app: FastAPI, browser: Any, world: World, session_factory: Sessions, clock: FakeClock,
    tmp_path: Path,
) -> None:  # fmt: skip
    stick = tmp_path / "stick"
    stick.mkdir()
    world.station.key_id = "xxxxxxxxxxxxxxxx"  # sealed to a key this server never made
    for name, data in usb_export(world.station, [4, 3]):
        (stick / name).write_bytes(data)
    simulation: Genders = responses_of(session_factory, clock)
    add(simulation, "SL", [1] * 14 + [2] * 9 + [9] * 5)

    with served(app) as url:
        page = signed_in(browser, url, "cole")
        page.click("a[href='/console/import']")
        page.set_input_files("#files", sorted(str(p) for p in stick.iterdir()))
        page.click("#import")
        page.wait_for_selector("#import-counts")
        assert counts(page) == ("7", "0")
        shoot(page, "import-en")
        page.set_input_files("#files", sorted(str(p) for p in stick.iterdir()))
        page.click("#import")
        page.wait_for_selector("#import-counts")
        assert counts(page) == ("0", "7")

        # They name a survey key the server never made: all seven set aside.
        process_inbox(session_factory, generate_survey_key(), clock=clock)
        page.goto(f"{url}/console/quarantine")
        assert page.locator("table.quarantine tbody tr").count() == 7
        shoot(page, "quarantine-en")
        page.locator("table.quarantine tbody tr").first.locator("button.release").click()
        page.wait_for_selector("#notice")
        assert page.locator("table.quarantine tbody tr").count() == 6
        assert len(quarantine_entries(session_factory)) == 6

        page.goto(f"{url}/console/targets")
        page.select_option("#spec", "cips-private-sector")
        page.fill("#wave", "2026")
        page.select_option("#population", "private_sector")
        page.fill("#target", "56")
        page.click("#set-target")
        page.wait_for_selector("table.fieldwork")
        page.goto(f"{url}/console/fleet")
        row = page.locator("#target-cips-private-sector-2026-SL-private_sector")
        assert row.get_attribute("data-received") == "28"
        assert row.locator("[data-split]").get_attribute("data-split") == "1:14,2:9,9:5"
        assert "50" in row.inner_text()
        page.locator("#fieldwork").scroll_into_view_if_needed()
        shoot(page, "fieldwork-en")

        page.select_option("#lang", "ar")
        page.click("header form.inline button[type=submit]")
        page.wait_for_selector("html[dir=rtl]")
        for path, name in (("/console/import", "import"), ("/console/quarantine", "quarantine"),
                           ("/console/targets", "targets")):  # fmt: skip
            page.goto(f"{url}{path}")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            shoot(page, f"{name}-ar")
        page.context.close()


def test_a_forged_upload_without_its_token_is_refused(
    app: FastAPI, browser: Any, world: World, tmp_path: Path
) -> None:
    with served(app) as url:
        page = signed_in(browser, url, "cole")
        status = page.evaluate(
            """async () => { const body = new FormData();
                 body.append('files', new Blob(['x']), 'a.mssb');
                 return (await fetch('/console/import', {method: 'POST', body})).status; }"""
        )
        assert status == 403
        page.context.close()
