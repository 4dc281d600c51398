"""Releases built through the API by the real release engine, on simulated store rows:
the caller's scope decides what is built and downloaded, and the audit log has it all."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.release_requests import releases_root
from sync_server.settings import Settings
from sync_server.store.access_models import ReleaseRecord
from tests.sync_server.access.conftest import People, audit_rows, call, expect_problem
from tests.sync_server.builders import FakeClock
from tests.sync_server.releases.simulated import Simulation, simulate

Sessions = sessionmaker[Session]


@pytest.fixture
def responses(session_factory: Sessions, clock: FakeClock) -> Simulation:
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 60)
    simulation.add("GH", 60, region="Ashanti")
    return simulation


def release_dirs(settings: Settings) -> list[str]:
    root = releases_root(settings.data_dir)
    return sorted(p.name for p in root.iterdir() if p.name != "treated") if root.exists() else []


def test_an_analyst_gets_their_country_and_a_global_analyst_the_pool(
    app: FastAPI,
    settings: Settings,
    session_factory: Sessions,
    people: People,
    responses: Simulation,
) -> None:
    asked = {"scope": "national", "country": "SL", "spec": "cips-officials", "format": "csv",
             "lang": "fr"}  # fmt: skip
    answer = call(app, "POST", "/v1/releases", json=asked, headers=people.bearer("ana"))
    assert answer.status_code == 201, answer.text
    national = answer.json()
    assert (national["scope"], national["country"], national["wave"]) == ("national", "SL",
                                                                          "2026")  # fmt: skip
    assert 0 < national["rows"] <= 60 and national["requested_by"] == "ana"
    names = [f["name"] for f in national["files"]]
    assert {"codebook.json", "codebook.md"} <= set(names)
    [data_name] = [name for name in names if name.endswith(".csv")]
    folder = releases_root(settings.data_dir) / national["release_id"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)

    download = call(app, "GET", f"/v1/releases/{national['release_id']}/files/{data_name}",
                    headers=people.bearer("ana"))  # fmt: skip
    assert download.status_code == 200
    assert download.content == (folder / data_name).read_bytes()
    frame = pd.read_csv(io.BytesIO(download.content), dtype=str)
    assert len(frame) == national["rows"]
    assert set(frame["country"].dropna()) <= {"SL"}

    pooled_ask = {**asked, "scope": "pooled", "country": None, "format": "parquet"}
    answer = call(app, "POST", "/v1/releases", json=pooled_ask, headers=people.bearer("gus"))
    assert answer.status_code == 201, answer.text
    pooled = answer.json()
    [parquet_name] = [f["name"] for f in pooled["files"] if f["name"].endswith(".parquet")]
    url = f"/v1/releases/{pooled['release_id']}/files/{parquet_name}"
    expect_problem(call(app, "GET", url, headers=people.bearer("ana")), 403, "forbidden-scope")
    download = call(app, "GET", url, headers=people.bearer("gus"))
    assert download.status_code == 200
    table = pq.read_table(io.BytesIO(download.content))
    assert set(table.column("country").drop_null().to_pylist()) == {"GH", "SL"}

    listed = call(app, "GET", "/v1/releases", headers=people.bearer("ana")).json()
    assert [r["release_id"] for r in listed["releases"]] == [national["release_id"]]
    assert [(actor, action, outcome) for actor, action, outcome, _, _ in
            audit_rows(session_factory)] == [
        ("ana", "release", "ok"), ("ana", "download", "ok"), ("gus", "release", "ok"),
        ("ana", "download", "denied"), ("gus", "download", "ok"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "changes", "reason"),
    [
        ("ana", {"lang": "xx"}, "unknown-language"),
        ("ada", {"country": "ZA"}, "unknown-country"),
        ("ada", {"country": "KE"}, "fewer-than-k"),
        ("ada", {"spec": "no-such-spec"}, "unknown-spec"),
        ("gus", {"wave": "2019"}, "no-responses"),
    ],
)
def test_a_refused_release_writes_nothing_and_says_why(
    app: FastAPI, settings: Settings, session_factory: Sessions, people: People,
    responses: Simulation, who: str, changes: dict[str, str], reason: str,
) -> None:  # fmt: skip
    responses.add("KE", 3)  # too few to release: they could be identified
    asked = {"scope": "national", "country": "SL", "spec": "cips-officials", "format": "csv",
             "lang": "en"} | changes  # fmt: skip
    answer = call(app, "POST", "/v1/releases", json=asked, headers=people.bearer(who))
    expect_problem(answer, 422, "release-refused")
    assert f"(reason: {reason}" in answer.json()["detail"]
    assert release_dirs(settings) == []
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ReleaseRecord)) == 0
    [(actor, action, outcome, release_id, detail)] = audit_rows(session_factory)
    assert (actor, action, outcome) == (who, "release", "refused")
    assert reason in detail and release_id is not None
