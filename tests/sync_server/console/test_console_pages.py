"""The console through the real app, on SQLite and PostgreSQL: sign-in through the shared
throttle, cookies, CSRF, sign-out and `user disable` ending sessions at once, each role's
pages and nothing else (refusals audited), the fleet, revoking, quarantine and releases."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost, OperatorKey, StationKey, generate_survey_key
from miniatures.served_app import served
from protocol.problems import Problem
from questionnaire_specs import canonical_json, load_spec
from sync_server.access.sign_in import lift
from sync_server.access.throttle import HOLD_AFTER
from sync_server.access.users import disable_user
from sync_server.ingest.batches import accept_batch
from sync_server.ingest.specs import register_spec, register_survey_key
from sync_server.settings import Settings
from sync_server.store.models import Station
from sync_server.survey_keys import SurveyKeyFiles, register_operator_key
from tests.sync_server.access.conftest import PASSWORD, audit_rows, call
from tests.sync_server.access.test_release_api import seed_release
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.console.conftest import PEOPLE, Visitor, csrf_of

Sessions = sessionmaker[Session]
CIPS_TRADERS = Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "private_sector.yaml"
PAGES = ("/console/fleet", "/console/quarantine", "/console/enrol", "/console/import",
         "/console/releases", "/console/users", "/console/audit")  # fmt: skip
COORDINATOR_PAGES = {"/console/fleet", "/console/quarantine", "/console/enrol", "/console/import",
                     "/console/releases"}  # fmt: skip
ALLOWED = {
    "ada": set(PAGES),
    "cole": COORDINATOR_PAGES,
    "gina": COORDINATOR_PAGES,
    "ana": {"/console/releases"},
    "gus": {"/console/releases"},
}


def page_refusals(session_factory: Sessions) -> list[tuple[str | None, str, str]]:
    return [
        (actor, outcome, detail)
        for actor, action, outcome, _release, detail in audit_rows(session_factory)
        if action == "page"
    ]


def test_cookies_are_httponly_strict_and_secure_over_tls(app: FastAPI) -> None:
    plain = Visitor(app).sign_in("cole")
    tls = Visitor(app, base_url="https://127.0.0.1").sign_in("cole")

    assert plain.status_code == tls.status_code == 303
    for answer, secure in ((plain, False), (tls, True)):
        cookie = answer.headers["set-cookie"].split(", mss_console_login")[0]
        assert cookie.startswith("mss_console=")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
        assert ("Secure" in cookie) is secure


def test_each_role_sees_exactly_its_pages_and_refusals_are_audited(
    app: FastAPI, session_factory: Sessions
) -> None:
    for name in PEOPLE:
        visitor = Visitor(app)
        assert visitor.sign_in(name).headers["location"] == "/console"
        home = visitor.get("/console")
        assert home.status_code == 303 and home.headers["location"] in ALLOWED[name]
        for path in PAGES:
            answer = visitor.get(path)
            assert answer.status_code == (200 if path in ALLOWED[name] else 403), (name, path)
            if answer.status_code == 200:
                menu = {p for p in PAGES if f'href="{p}"' in answer.text}
                assert menu == ALLOWED[name], name
    refused = page_refusals(session_factory)
    expected = {(n, p) for n in PEOPLE for p in PAGES if p not in ALLOWED[n]}
    assert {(actor, detail.split(" ")[1].rstrip(":")) for actor, _, detail in refused} == expected
    assert all(outcome == "denied" for _, outcome, _ in refused)


def test_a_post_without_its_csrf_token_is_refused_and_audited(
    app: FastAPI, session_factory: Sessions, world: World
) -> None:
    stranger = Visitor(app)
    stranger.get("/console/login")
    answer = stranger.post("/console/login", {"name": "cole", "password": PASSWORD})
    assert answer.status_code == 403 and "mss_console=" not in answer.headers.get("set-cookie", "")

    cole = Visitor(app)
    cole.sign_in("cole")
    revoke = f"/console/stations/{world.station.station_id}/revoke"
    for path, fields in (
        ("/console/logout", {}),
        (revoke, {"csrf": "0" * 64}),
        ("/console/language", {"lang": "ar"}),
    ):
        assert cole.post(path, fields).status_code == 403, path
    assert cole.get("/console/fleet").status_code == 200  # still signed in
    with session_factory() as session:
        assert session.get(Station, world.station.station_id).status == "active"  # type: ignore[union-attr]
    assert [(actor, outcome) for actor, outcome, _ in page_refusals(session_factory)] == [
        (None, "refused"), ("cole", "refused"), ("cole", "refused"), ("cole", "refused"),
    ]  # fmt: skip
    assert all("CSRF" in detail for _, _, detail in page_refusals(session_factory))


def test_sign_out_and_user_disable_end_the_session_at_once(
    app: FastAPI, session_factory: Sessions, clock: FakeClock
) -> None:
    cole, ana = Visitor(app), Visitor(app)
    cole.sign_in("cole")
    ana.sign_in("ana")
    cookie = cole.client.cookies.get("mss_console")
    assert (
        cole.post("/console/logout", {"csrf": cole.csrf()})
        .headers["location"]
        .endswith("signed_out=1")
    )
    again = Visitor(app)
    again.client.cookies.set("mss_console", cookie, path="/console")  # type: ignore[arg-type]
    assert again.get("/console/fleet").headers["location"] == "/console/login"

    assert ana.get("/console/releases").status_code == 200
    disable_user(session_factory, "ana", clock=clock)  # what `mss server user disable` calls
    assert ana.get("/console/releases").headers["location"] == "/console/login"


def test_wrong_passwords_go_through_the_throttle_the_api_shares(
    app: FastAPI, session_factory: Sessions, clock: FakeClock
) -> None:
    visitor = Visitor(app)
    answers = [visitor.sign_in("cole", "not the password").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    page = visitor.sign_in("cole")  # the right password, while the wait lasts
    assert page.status_code == 429 and "try again in" in page.text
    # The API counts the same failures: its sign-in waits as well.
    token = call(app, "POST", "/v1/tokens", json={"name": "cole", "password": PASSWORD})
    assert token.status_code == 429 and token.json()["code"] == "too-many-attempts"
    clock.advance(minutes=20)
    assert visitor.sign_in("cole").status_code == 303

    for _ in range(HOLD_AFTER):
        clock.advance(minutes=16)  # past each wait: only the hold is left to stop it
        assert Visitor(app).sign_in("gina", "not the password").status_code == 401
    clock.advance(minutes=16)
    held = Visitor(app).sign_in("gina")  # the right password: held all the same
    assert held.status_code == 403 and "an administrator can lift" in held.text
    assert lift(session_factory, "gina")
    assert Visitor(app).sign_in("gina").status_code == 303
    wrong = [row for row in audit_rows(session_factory) if row[2] == "unauthenticated"]
    assert wrong and all(row[1] == "token" and "wrong name or password" in row[4] for row in wrong)
    signed = [row for row in audit_rows(session_factory) if row[1] == "sign-in"]
    assert [(row[0], row[2]) for row in signed] == [("cole", "ok"), ("gina", "ok")]


def test_the_fleet_marks_a_silent_station_and_shows_a_gap(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    chain = world.station
    envelopes = chain.envelopes(5)
    withheld = [e for e in envelopes if e.seq != 3]  # the third never arrives
    accept_batch(world.session_factory, chain.signed_bytes(chain.batch(withheld)), via="http",
                 clock=clock)  # fmt: skip
    register_survey_key(
        world.session_factory, "GH", generate_survey_key().public_key().to_text(), clock=clock
    )
    ghana = world.enrol(country="GH")
    silent = world.enrol()
    clock.advance(days=3)
    fresh = world.enrol()
    accept_batch(world.session_factory, fresh.signed_bytes(fresh.batch(fresh.envelopes(1))),
                 via="http", clock=clock)  # fmt: skip

    cole = Visitor(app)
    cole.sign_in("cole")
    page = cole.get("/console/fleet").text
    order = [page.index(f"station-{s.station_id}") for s in (silent, chain, fresh)]
    assert order == sorted(order)  # never synced, then silent for 3 days, then fresh
    assert ghana.station_id not in page
    row = page[page.index(f"station-{chain.station_id}") :].split("</tr>")[0]
    assert 'data-mark="stale"' in row and "not synced for 3 days" in row
    assert 'data-gaps="3"' in row
    fresh_row = page[page.index(f"station-{fresh.station_id}") :].split("</tr>")[0]
    assert 'data-mark="stale"' not in fresh_row
    assert cole.get("/console/fleet?country=GH").status_code == 403
    ada = Visitor(app)
    ada.sign_in("ada")
    assert ghana.station_id in ada.get("/console/fleet?country=GH").text
    assert chain.station_id not in ada.get("/console/fleet?country=GH").text


def test_revoking_takes_a_confirmation_and_the_stations_country(
    app: FastAPI, world: World, session_factory: Sessions, clock: FakeClock
) -> None:
    station_id = world.station.station_id
    url = f"/console/stations/{station_id}/revoke"
    gina, cole = Visitor(app), Visitor(app)
    gina.sign_in("gina")
    cole.sign_in("cole")
    assert gina.get(url).status_code == 403
    confirm = cole.get(url)
    assert confirm.status_code == 200 and 'id="confirm-revoke"' in confirm.text
    assert gina.post(url, {"csrf": gina.csrf()}).status_code == 403

    done = cole.post(url, {"csrf": csrf_of(confirm)})
    assert done.status_code == 303
    with session_factory() as session:
        assert session.scalar(select(Station.status).where(Station.station_id == station_id)) == (
            "revoked"
        )
    chain = world.station
    with pytest.raises(Problem) as refused:
        accept_batch(session_factory, chain.signed_bytes(chain.batch(chain.envelopes(1))),
                     via="http", clock=clock)  # fmt: skip
    assert refused.value.code == "station-revoked"
    rows = audit_rows(session_factory)
    assert ("cole", "revoke", "ok", None, f"station {station_id}") in rows
    refused = [row[:3] for row in rows if row[1] == "page"]
    assert refused == [("gina", "page", "denied"), ("gina", "page", "denied")]


def test_the_quarantine_shows_reasons_and_never_an_envelope(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    chain = world.station
    (first,) = chain.envelopes(1)
    accept_batch(world.session_factory, chain.signed_bytes(chain.batch([first])), via="http",
                 clock=clock)  # fmt: skip
    other = first.model_copy(update={"sealed": base64.b64encode(b"other bytes").decode()})
    accept_batch(world.session_factory, chain.signed_bytes(chain.batch([other])), via="http",
                 clock=clock)  # fmt: skip
    cole = Visitor(app)
    cole.sign_in("cole")
    page = cole.get("/console/quarantine").text
    assert first.envelope_id in page and "envelope-conflict" in page
    assert other.sealed not in page and first.sealed not in page
    gina = Visitor(app)
    gina.sign_in("gina")
    assert first.envelope_id not in gina.get("/console/quarantine").text


def test_releases_are_listed_and_downloaded_as_the_role_allows(
    app: FastAPI, settings: Settings, session_factory: Sessions, clock: FakeClock
) -> None:
    ids = {"SL": "a" * 32, "GH": "b" * 32, None: "c" * 32}
    files = {
        country: seed_release(session_factory, settings, clock, release_id,
                              "pooled" if country is None else "national", country)
        for country, release_id in ids.items()
    }  # fmt: skip
    ana, gus = Visitor(app), Visitor(app)
    ana.sign_in("ana")
    gus.sign_in("gus")
    listing = ana.get("/console/releases").text
    assert f"release-{ids['SL']}" in listing
    assert f"release-{ids['GH']}" not in listing and f"release-{ids[None]}" not in listing
    assert "codebook" in listing
    assert all(
        f"release-{release_id}" in gus.get("/console/releases").text for release_id in ids.values()
    )

    download = ana.get(f"/console/releases/{ids['SL']}/files/data.csv")
    assert download.status_code == 200 and download.content == files["SL"]["data.csv"]
    assert ana.get(f"/console/releases/{ids['GH']}/files/data.csv").status_code == 403
    assert ana.get(f"/console/releases/{ids['SL']}/files/secret.csv").status_code == 404
    downloads = [(r[0], r[2], r[3]) for r in audit_rows(session_factory) if r[1] == "download"]
    assert downloads == [("ana", "ok", ids["SL"]), ("ana", "denied", ids["GH"]),
                         ("ana", "not-found", ids["SL"])]  # fmt: skip


def test_each_user_chooses_the_language_and_arabic_reads_right_to_left(app: FastAPI) -> None:
    assert 'lang="fr"' in Visitor(app).get("/console/login?lang=fr").text
    assert "Connexion" in Visitor(app).get("/console/login?lang=fr").text
    ana, gus = Visitor(app), Visitor(app)
    ana.sign_in("ana")
    gus.sign_in("gus")
    moved = ana.post("/console/language", {"csrf": ana.csrf(), "lang": "ar",
                                           "back": "https://elsewhere.example/"})  # fmt: skip
    assert moved.headers["location"] == "/console"
    page = ana.get("/console/releases").text
    assert '<html lang="ar" dir="rtl">' in page and "الإصدارات" in page
    assert '<html lang="en" dir="ltr">' in gus.get("/console/releases").text


def test_a_coordinator_enrols_a_station_of_their_country_with_the_token_shown_once(
    app: FastAPI, settings: Settings, session_factory: Sessions, clock: FakeClock
) -> None:
    ready_to_enrol(settings, session_factory, clock)
    cole, gina = Visitor(app), Visitor(app)
    cole.sign_in("cole")
    gina.sign_in("gina")
    form = cole.get("/console/enrol")
    assert form.status_code == 200 and 'name="population-private_sector"' in form.text
    fields = {"csrf": csrf_of(form), "country": "SL", "region": "Port Loko", "days": "3",
              "server_url": "https://mss.example", "population-private_sector": "on"}  # fmt: skip
    assert gina.post("/console/enrol", {**fields, "csrf": gina.csrf()}).status_code == 403
    assert (
        cole.post("/console/enrol", {k: v for k, v in fields.items() if k != "csrf"}).status_code
        == 403
    )

    shown = cole.post("/console/enrol", fields)
    assert shown.status_code == 200 and 'src="data:image/svg+xml' in shown.text
    token = shown.text.split('<code id="token" dir="ltr">')[1].split("</code>")[0]
    bundle = json.loads(
        base64.b64decode(shown.text.split("data:application/json;base64,")[1].split('"')[0])
    )
    assert bundle["token"] == token and bundle["server_url"] == "https://mss.example"
    # No operator key on this server yet: the page says the station will never switch keys.
    assert bundle.get("operator_public_key") is None
    assert 'id="operator-key" class="notice bad"' in shown.text and "operator-key new" in shown.text
    assert (bundle["country"], bundle["region"], bundle["populations"]) == (
        "SL", "Port Loko", ["private_sector"],
    )  # fmt: skip
    # The token enrols a real station through the API, once.
    public_key = base64.b64encode(StationKey.generate().public_bytes()).decode()
    request = {"v": 1, "token": token, "app_version": "test 1", "public_key": public_key}
    assert call(app, "POST", "/v1/enrol", json=request).status_code == 201
    rows = audit_rows(session_factory)
    enrolled = [row for row in rows if row[1] == "enrol"]
    assert [(row[0], row[2]) for row in enrolled] == [("cole", "ok")]
    assert all(token not in row[4] for row in rows)
    assert [row[0] for row in rows if row[1] == "page"] == ["gina", "cole"]


def ready_to_enrol(settings: Settings, session_factory: Sessions, clock: FakeClock) -> None:
    """What `mss server init` leaves: the survey key files and a CIPS spec registered (the
    world's stand-in already holds the officials' id)."""
    SurveyKeyFiles(settings.data_dir).create("a long and unguessable phrase 7", cost=KdfCost.FAST)
    register_spec(session_factory, canonical_json(load_spec(CIPS_TRADERS)), clock=clock)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_behind_the_tls_proxy_the_cookie_is_secure(app: FastAPI) -> None:
    """Over uvicorn as deployed: nginx on 127.0.0.1 says the request came over TLS."""
    with served(app) as url, httpx.Client(base_url=url) as client:
        tls = {"X-Forwarded-Proto": "https"}
        form = client.get("/console/login", headers=tls)
        assert "Secure" in form.headers["set-cookie"]
        token = csrf_of(form)
        client.cookies.clear()  # a Secure cookie: sent by hand, since this hop is plain HTTP
        answer = client.post(
            "/console/login", headers={**tls, "Cookie": f"mss_console_login={token}"},
            follow_redirects=False, data={"csrf": token, "name": "ana", "password": PASSWORD},
        )  # fmt: skip
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"].split(", mss_console_login")[0]
        assert "Secure" not in client.get("/console/login").headers["set-cookie"]


def test_every_console_page_sends_a_stranger_to_sign_in(app: FastAPI, world: World) -> None:
    """Each GET route of the console (read off the app, so a page added without its door
    fails here) answers someone not signed in with the sign-in page and nothing else."""
    examples = {"station_id": world.station.station_id, "release_id": "1", "name": "codebook.csv"}
    open_doors = {"/console", "/console/login", "/console/static/{path:path}"}
    paths = {
        route.path
        for route in routes_of(app.router)
        if route.path.startswith("/console") and "GET" in route.methods
    } - open_doors
    assert set(PAGES) <= paths
    stranger = Visitor(app)
    for path in sorted(paths):
        url = path.replace("{name:path}", "{name}").format(**examples)
        answer = stranger.get(url)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/console/login", path
        assert "<form" not in answer.text, path


def routes_of(router: Any) -> Iterator[APIRoute]:
    """The app's routes, through the routers it included (FastAPI 0.165 keeps each included
    router whole, as `original_router`, instead of copying its routes up)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif getattr(route, "original_router", None) is not None:
            yield from routes_of(route.original_router)


def test_the_enrol_page_shows_the_operator_key_the_station_will_pin(
    app: FastAPI, settings: Settings, session_factory: Sessions, clock: FakeClock
) -> None:
    ready_to_enrol(settings, session_factory, clock)
    operator = OperatorKey.generate()
    register_operator_key(session_factory, operator.public_key(), clock=clock)
    cole = Visitor(app)
    cole.sign_in("cole")
    form = cole.get("/console/enrol")
    fields = {"csrf": csrf_of(form), "country": "SL", "region": "Bo", "days": "1",
              "server_url": "https://mss.example", "population-private_sector": "on"}  # fmt: skip
    shown = cole.post("/console/enrol", fields)
    bundle = json.loads(
        base64.b64decode(shown.text.split("data:application/json;base64,")[1].split('"')[0])
    )
    assert bundle["operator_public_key"] == operator.public_key().to_text()
    line = shown.text.split('<p id="operator-key">')[1].split("</p>")[0]
    assert operator.public_key().fingerprint() in line
