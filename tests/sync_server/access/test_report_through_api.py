"""Results reports made through the API from listed releases: the same rule as downloading
them, the files listed and downloadable with the release, every attempt audited, and the
figures those of the release's own file."""

from __future__ import annotations

import io
import json
import math
from datetime import date

import pandas as pd
import pytest
from fastapi import FastAPI
from scipy import stats
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.release_requests import releases_root
from sync_server.settings import Settings
from tests.sync_server.access.conftest import People, audit_rows, call, expect_problem
from tests.sync_server.builders import FakeClock
from tests.sync_server.releases.simulated import PRIVATE_SECTOR, Simulation, simulate
from tests.sync_server.reports.test_figures import assert_mean, plain_scores

Sessions = sessionmaker[Session]


@pytest.fixture
def responses(session_factory: Sessions, clock: FakeClock) -> Simulation:
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 120, days=(date(2024, 3, 1), date(2024, 10, 30)))
    simulation.add("SL", 120)
    simulation.add("GH", 60, region="Ashanti")
    return simulation


def _release(app: FastAPI, people: People, who: str, **asked: object) -> dict:
    order = {"scope": "national", "country": "SL", "spec": "cips-officials",
             "format": "parquet", "lang": "en", **asked}  # fmt: skip
    answer = call(app, "POST", "/v1/releases", json=order, headers=people.bearer(who))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_report_of_a_listed_release_with_the_change_since_the_last_wave(
    app: FastAPI, settings: Settings, session_factory: Sessions, people: People,
    responses: Simulation,
) -> None:  # fmt: skip
    now = _release(app, people, "ana", wave="2026")
    then = _release(app, people, "ana", wave="2024")
    url = f"/v1/releases/{now['release_id']}/reports"
    ask = {"lang": "ar", "compare": then["release_id"]}
    answer = call(app, "POST", url, json=ask, headers=people.bearer("ana"))
    assert answer.status_code == 201, answer.text
    made = answer.json()
    folder = f"report-ar-since-{then['release_id']}"
    assert sorted(f["name"] for f in made["report"]) == [
        f"{folder}/figures.json", f"{folder}/report-officials-ar.html",
        f"{folder}/report-officials-ar.pdf",
    ]  # fmt: skip
    # listed with the release, downloadable by the same rule as its data
    listed = call(app, "GET", "/v1/releases", headers=people.bearer("ana")).json()["releases"]
    names = next(r for r in listed if r["release_id"] == now["release_id"])["files"]
    assert {f["name"] for f in made["report"]} <= {f["name"] for f in names}
    figures_url = next(f["url"] for f in made["report"] if f["name"].endswith("figures.json"))
    figures = call(app, "GET", figures_url, headers=people.bearer("ana")).json()
    [parquet] = [f["url"] for f in now["files"] if f["name"].endswith(".parquet")]
    rows = pd.read_parquet(
        io.BytesIO(call(app, "GET", parquet, headers=people.bearer("ana")).content)
    )
    officials = figures["populations"]["officials"]
    kept = rows[rows["careless"].isna()]
    for figure in officials["factors"]:
        assert_mean(figure["index"], plain_scores(kept, figure["factor"]))
        assert figure["change"] is not None
    # asked again: the same report, not a second one
    again = call(app, "POST", url, json=ask, headers=people.bearer("ana"))
    assert again.status_code == 201 and again.json()["report"] == made["report"]
    release_dir = releases_root(settings.data_dir) / now["release_id"]
    assert sorted(p.name for p in release_dir.iterdir() if p.name.startswith(("report", "."))) == [
        folder
    ]
    assert [r[1:3] for r in audit_rows(session_factory) if r[1] == "report"] == [("report", "ok")]
    pdf = call(app, "GET", next(f["url"] for f in made["report"] if f["name"].endswith(".pdf")),
               headers=people.bearer("ana"))  # fmt: skip
    assert pdf.content.startswith(b"%PDF")
    assert json.loads((release_dir / folder / "figures.json").read_text("utf-8")) == figures


def test_reports_are_refused_by_the_download_rule_and_when_they_cannot_be_made(
    app: FastAPI, settings: Settings, session_factory: Sessions, people: People,
    responses: Simulation,
) -> None:  # fmt: skip
    sl = _release(app, people, "ana", wave="2026")
    gh = _release(app, people, "gus", country="GH", wave="2026")
    csv_only = _release(app, people, "ana", wave="2024", format="csv")

    def ask(who: str, release: dict, **body: object):  # noqa: ANN202
        url = f"/v1/releases/{release['release_id']}/reports"
        return call(app, "POST", url, json=body, headers=people.bearer(who) if who else {})

    # an SL analyst may not have a GH release read, nor compare with one
    expect_problem(ask("ana", gh), 403, "forbidden-scope")
    expect_problem(ask("ana", sl, compare=gh["release_id"]), 403, "forbidden-scope")
    # a GH release is no earlier wave of SL's; a CSV-only release has no file to read
    expect_problem(ask("gus", sl, compare=gh["release_id"]), 422, "report-refused")
    expect_problem(ask("ana", csv_only), 422, "report-refused")
    expect_problem(ask("ana", sl, lang="de"), 422, "report-refused")
    expect_problem(ask("ana", {"release_id": "0" * 32}), 404, "not-found")
    expect_problem(ask("ana", sl, lang="en", surprise=1), 422, "invalid-request")
    assert ask("", sl).status_code == 401
    outcomes = [(r[0], r[2]) for r in audit_rows(session_factory) if r[1] == "report"]
    assert outcomes == [
        ("ana", "denied"), ("ana", "denied"), ("gus", "refused"), ("ana", "refused"),
        ("ana", "refused"), ("ana", "not-found"), (None, "unauthenticated"),
    ]  # fmt: skip
    for release in (sl, gh, csv_only):  # nothing was left behind
        folder = releases_root(settings.data_dir) / release["release_id"]
        assert not [p for p in folder.iterdir() if p.name.startswith(("report", "."))]


def _scores(frame: pd.DataFrame, spec, population: str, factor: int) -> pd.Series:  # noqa: ANN001
    """A factor's scores by hand, from the spec's own statements for that population."""
    ids = [q.id for q in spec.questions_for(population) if q.key_factor == factor and q.id in frame]
    items = frame[ids].where(frame[ids].isin([1, 2, 3, 4, 5]))
    score = (items - 1).mul(25).mean(axis=1)
    return score.where(items.notna().sum(axis=1) >= math.ceil(len(ids) / 2)).dropna()


def test_officials_beside_the_private_sector_of_the_same_wave(
    app: FastAPI, session_factory: Sessions, people: People, clock: FakeClock,
    responses: Simulation,
) -> None:  # fmt: skip
    traders = simulate(session_factory, clock, seed=8, spec_file=PRIVATE_SECTOR)
    traders.add("SL", 90)
    officials = _release(app, people, "ana", wave="2026")
    private = _release(app, people, "ana", wave="2026", spec="cips-private-sector")
    earlier = _release(app, people, "ana", wave="2024")
    url = f"/v1/releases/{officials['release_id']}/reports"
    answer = call(app, "POST", url, json={"alongside": private["release_id"]},
                  headers=people.bearer("ana"))  # fmt: skip
    assert answer.status_code == 201, answer.text
    files = {f["name"].rsplit("/", 1)[1]: f["url"] for f in answer.json()["report"]}
    figures = call(app, "GET", files["figures.json"], headers=people.bearer("ana")).json()
    report = figures["populations"]["officials"]
    assert report["alongside"]["population"] == "private_sector"

    def rows(release: dict) -> pd.DataFrame:
        [url] = [f["url"] for f in release["files"] if f["name"].endswith(".parquet")]
        frame = pd.read_parquet(
            io.BytesIO(call(app, "GET", url, headers=people.bearer("ana")).content)
        )
        return frame[frame["careless"].isna()]

    ours, theirs = rows(officials), rows(private)
    for figure in report["factors"]:
        mine = _scores(ours, responses.spec, "officials", figure["factor"])
        other = _scores(theirs, traders.spec, "private_sector", figure["factor"])
        assert_mean(figure["alongside"]["index"], other)
        welch = stats.ttest_ind(mine, other, equal_var=False)
        difference = figure["alongside"]["difference"]
        assert difference["difference"] == pytest.approx(mine.mean() - other.mean())
        assert difference["p_value"] == pytest.approx(welch.pvalue)
    page = call(app, "GET", files["report-officials-en.html"], headers=people.bearer("ana")).text
    label = traders.spec.population("private_sector").label["en"]
    assert f"Compared with {label}" in page
    # the same questionnaire, or another wave, is no other population of this wave
    for other in (officials, earlier):
        refused = call(app, "POST", url, json={"alongside": other["release_id"]},
                       headers=people.bearer("ana"))  # fmt: skip
        expect_problem(refused, 422, "report-refused")
