"""A results report asked for from the releases page, through the real app (SQLite): the
same service as POST /v1/releases/{id}/reports, its files then listed with the release and
downloaded; a release of another country refused and audited, a bad form refused."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.release_requests import ReleaseRequest, request_release
from sync_server.access.user_roles import Actor
from sync_server.settings import Settings
from tests.sync_server.access.conftest import audit_rows
from tests.sync_server.builders import FakeClock
from tests.sync_server.console.conftest import Visitor
from tests.sync_server.releases.simulated import PRIVATE_SECTOR, simulate

Sessions = sessionmaker[Session]
GLOBAL = Actor.of("gus", "global_analyst", [], False)
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def released(settings: Settings, session_factory: Sessions, clock: FakeClock, country: str) -> str:
    view = request_release(
        session_factory, GLOBAL,
        ReleaseRequest("national", country, "cips-private-sector", "2026", "parquet", "en"),
        data_dir=settings.data_dir, clock=clock, random_bytes=settings.random_bytes,
    )  # fmt: skip
    return view.release_id


def test_a_report_is_made_from_the_page_listed_and_downloaded(
    app: FastAPI, settings: Settings, session_factory: Sessions, clock: FakeClock
) -> None:
    simulation = simulate(session_factory, clock, spec_file=PRIVATE_SECTOR)
    simulation.add("SL", 60)
    simulation.add("GH", 30, region="Ashanti")
    sl, gh = (released(settings, session_factory, clock, c) for c in ("SL", "GH"))
    ana = Visitor(app)
    ana.sign_in("ana")
    page = ana.get("/console/releases").text
    assert f'action="/console/releases/{sl}/reports"' in page
    assert f'action="/console/releases/{gh}/reports"' not in page

    form = {"csrf": ana.csrf(), "lang": "fr", "compare": "", "alongside": "", "min_n": "10"}
    assert ana.post(f"/console/releases/{gh}/reports", form).status_code == 403
    assert ana.post(f"/console/releases/{sl}/reports", {**form, "min_n": "1"}).status_code == 422
    assert ana.post(f"/console/releases/{sl}/reports", {**form, "csrf": ""}).status_code == 403
    made = ana.post(f"/console/releases/{sl}/reports", form)
    assert made.status_code == 303, made.text[:300]
    listing = ana.get(made.headers["location"]).text
    folder = "report-fr"
    names = [f"{folder}/figures.json", f"{folder}/report-private_sector-fr.pdf"]
    for name in names:
        assert f"/console/releases/{sl}/files/{name}" in listing
    figures = ana.get(f"/console/releases/{sl}/files/{names[0]}")
    assert figures.status_code == 200
    assert "private_sector" in json.loads(figures.content)["populations"]
    pdf = ana.get(f"/console/releases/{sl}/files/{names[1]}")
    assert pdf.content.startswith(b"%PDF")

    rows = audit_rows(session_factory)
    assert [(r[0], r[2], r[3]) for r in rows if r[1] == "report"] == [
        ("ana", "denied", gh),
        ("ana", "ok", sl),
    ]
    assert [(r[0], r[2]) for r in rows if r[1] == "page"] == [
        ("ana", "invalid"),
        ("ana", "refused"),
    ]
