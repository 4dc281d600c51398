"""The console in Debian's Chromium against the real app over uvicorn, on a SQLite store:
each role signs in and sees exactly its pages (a direct URL to anything else refused and
audited), a form posted without its CSRF token is refused, signing out ends the session,
a station that stopped syncing is marked; screenshots in English and Arabic."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from fastapi import FastAPI
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from miniatures.browser import headless_chromium, keep_screenshot
from miniatures.served_app import served
from miniatures.station_chain import StationChain
from protocol import Beacon, canonical_json, sign_beacon
from protocol.provisioning import ProvisioningCode
from protocol.wire import wire_time
from sync_server.ingest.batches import accept_batch
from sync_server.ingest.beacons import record_beacon
from sync_server.settings import Settings
from tests.sync_server.access.conftest import PASSWORD, audit_rows
from tests.sync_server.access.test_release_api import seed_release
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.console.conftest import PEOPLE
from tests.sync_server.console.test_console_pages import ALLOWED, PAGES, ready_to_enrol

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DESKTOP = {"width": 1360, "height": 760}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as chromium:
        yield chromium


def signed_in(browser: Any, url: str, name: str, lang: str = "en") -> Any:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{url}/console/login?lang={lang}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#sign-out")
    return page


def menu(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("header nav a", "links => links.map(a => a.pathname)"))


def test_each_role_sees_exactly_its_pages_in_a_browser(
    app: FastAPI, browser: Any, session_factory: sessionmaker[Session]
) -> None:
    with served(app) as url:
        for name in PEOPLE:
            page = signed_in(browser, url, name)
            assert menu(page) == ALLOWED[name], name
            for path in PAGES:
                answer = page.goto(f"{url}{path}")
                if path in ALLOWED[name]:
                    assert answer.status == 200, (name, path)
                else:
                    assert answer.status == 403 and page.locator("#refused").is_visible()
            page.context.close()
    refused = {(row[0], row[4].split(" ")[1].rstrip(":")) for row in audit_rows(session_factory)
               if row[1] == "page"}  # fmt: skip
    assert refused == {(n, p) for n in PEOPLE for p in PAGES if p not in ALLOWED[n]}


def test_a_form_without_its_token_is_refused_and_sign_out_ends_the_session(
    app: FastAPI, browser: Any, session_factory: sessionmaker[Session]
) -> None:
    with served(app) as url:
        page = signed_in(browser, url, "cole")
        # What a forged form on another site would send: the cookie, but not the token.
        status = page.evaluate(
            """async () => (await fetch('/console/logout', {method: 'POST',
                 headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                 body: 'csrf=forged'})).status"""
        )
        assert status == 403
        assert page.goto(f"{url}/console/fleet").status == 200  # still signed in
        page.click("#sign-out")
        page.wait_for_selector("#sign-in")
        assert "signed_out=1" in page.url
        page.goto(f"{url}/console/fleet")
        assert page.url.endswith("/console/login")  # the old session opens nothing
        page.context.close()
    rows = audit_rows(session_factory)
    assert ("cole", "page", "refused") in [row[:3] for row in rows]
    assert [row[4] for row in rows if row[1] == "sign-in"] == [
        "console, from 127.0.0.1", "console, signed out",
    ]  # fmt: skip


def beacon(world: World, chain: StationChain, outbox_depth: int) -> bytes:
    report = Beacon(
        v=1, station_id=chain.station_id, sent_at=wire_time(world.clock()),
        app_version="test 1", specs=[world.spec], outbox_depth=outbox_depth,
        last_seq=chain.last_seq,
    )  # fmt: skip
    return canonical_json(sign_beacon(report, chain.key.sign).model_dump(mode="json"))


def shoot(page: Any, name: str) -> None:
    keep_screenshot(page, f"console-{name}")


def test_a_silent_station_is_marked_and_the_pages_in_english_and_arabic(
    app: FastAPI, browser: Any, world: World, clock: FakeClock, settings: Settings
) -> None:
    chain = world.station
    envelopes = chain.envelopes(6)
    withheld = envelopes[:2] + envelopes[3:]  # the third never arrives
    accept_batch(world.session_factory, chain.signed_bytes(chain.batch(withheld)), via="http",
                 clock=clock)  # fmt: skip
    silent = world.enrol()
    clock.advance(days=4)
    fresh = world.enrol()
    accept_batch(world.session_factory, fresh.signed_bytes(fresh.batch(fresh.envelopes(2))),
                 via="http", clock=clock)  # fmt: skip
    for station, depth in ((chain, 1), (fresh, 0)):
        record_beacon(world.session_factory, beacon(world, station, depth), clock=clock)
    for country, release_id in (("SL", "d" * 32), (None, "e" * 32)):
        scope = "national" if country else "pooled"
        seed_release(world.session_factory, settings, clock, release_id, scope, country)

    with served(app) as url:
        for lang in ("en", "ar"):
            login = browser.new_context(viewport=DESKTOP).new_page()
            login.goto(f"{url}/console/login?lang={lang}")
            assert login.evaluate("document.documentElement.dir") == (
                "rtl" if lang == "ar" else "ltr"
            )
            shoot(login, f"login-{lang}")
            login.context.close()

        page = signed_in(browser, url, "ada")
        for lang in ("en", "ar"):
            if lang == "ar":
                page.select_option("#lang", "ar")
                page.click("header form.inline button[type=submit]")
                page.wait_for_selector("html[dir=rtl]")
            page.goto(f"{url}/console/fleet")
            rows = page.eval_on_selector_all("table.fleet tbody tr", "rows => rows.map(r => r.id)")
            assert rows[:2] == [f"station-{silent.station_id}", f"station-{chain.station_id}"]
            for marked in (silent, chain):
                assert page.locator(f"#station-{marked.station_id} [data-mark=stale]").is_visible()
            assert page.locator(f"#station-{fresh.station_id} [data-mark=stale]").count() == 0
            gaps = page.locator(f"#station-{chain.station_id} td[data-gaps]")
            assert gaps.get_attribute("data-gaps") == "3"
            assert (
                "cips-officials 1.0.0" in page.locator(f"#station-{fresh.station_id}").inner_text()
            )
            shoot(page, f"fleet-{lang}")
            page.goto(f"{url}/console/releases")
            assert page.locator("table.releases tbody tr").count() == 2
            shoot(page, f"releases-{lang}")
        page.context.close()


def test_the_enrolment_qr_on_screen_reads_back_as_the_token(
    app: FastAPI, browser: Any, settings: Settings, session_factory: sessionmaker[Session],
    clock: FakeClock,
) -> None:  # fmt: skip
    ready_to_enrol(settings, session_factory, clock)
    with served(app) as url:
        page = signed_in(browser, url, "cole")
        page.click("a[href='/console/enrol']")
        page.fill("#region", "Port Loko")
        page.click("#issue")
        page.wait_for_selector("#token-qr")
        token = page.inner_text("#token")
        shot = page.locator("#token-qr").screenshot()
        shoot(page, "enrol-en")
        page.context.close()
    # zxing-cpp, not segno, reads what Chromium drew.
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert ProvisioningCode.from_text(found.text).token == token and len(token) > 20
