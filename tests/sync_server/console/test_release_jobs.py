"""Release jobs in the real store, on SQLite and PostgreSQL, built by the real release
engine: each ends listed or failed with its reason (never a folder nobody lists), one
worker claims a job, and a job a crash left running is queued again and built."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KdfCost
from sync_server.access.release_requests import ReleaseRequest, releases_root, visible_releases
from sync_server.access.user_roles import Actor
from sync_server.access.users import add_user, disable_user, list_users
from sync_server.app import create_app
from sync_server.console.release_jobs import (
    INTERRUPTED_AFTER,
    claim_next,
    jobs_of,
    queue_release,
    requeue_interrupted,
    run_queued,
)
from sync_server.settings import Settings
from sync_server.store.console_models import ReleaseJob
from tests.sync_server.access.conftest import PASSWORD
from tests.sync_server.builders import FakeClock
from tests.sync_server.console.conftest import Visitor, csrf_of
from tests.sync_server.releases.simulated import Simulation, simulate

Sessions = sessionmaker[Session]
SL_CSV = ReleaseRequest("national", "SL", "cips-officials", None, "csv", "en")
SL_2019 = ReleaseRequest("national", "SL", "cips-officials", "2019", "csv", "en")  # no answers
GH_CSV = ReleaseRequest("national", "GH", "cips-officials", None, "csv", "en")  # not ana's


@pytest.fixture
def responses(session_factory: Sessions, clock: FakeClock) -> Simulation:
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 40)
    for name, role, countries in (("ana", "analyst", ["SL"]), ("gus", "global_analyst", [])):
        add_user(session_factory, name=name, role=role, countries=countries, password=PASSWORD,
                 clock=clock, cost=KdfCost.FAST)  # fmt: skip
    return simulation


def ana(session_factory: Sessions) -> Actor:
    return next(user.actor() for user in list_users(session_factory) if user.name == "ana")


def folders(data_dir: Path) -> list[str]:
    root = releases_root(data_dir)
    return sorted(p.name for p in root.iterdir() if p.name != "treated") if root.exists() else []


def states(session_factory: Sessions) -> dict[str, tuple[str, str | None, str | None]]:
    with session_factory() as session:
        return {
            row.job_id: (row.state, row.release_id, row.failure)
            for row in session.scalars(select(ReleaseJob))
        }


def test_jobs_end_listed_or_failed_with_their_reason(
    session_factory: Sessions, clock: FakeClock, tmp_path: Path, responses: Simulation
) -> None:
    actor = ana(session_factory)
    rng = random.Random(3).randbytes
    good = queue_release(session_factory, actor, SL_CSV, clock=clock, random_bytes=rng)
    empty = queue_release(session_factory, actor, SL_2019, clock=clock, random_bytes=rng)
    beyond = queue_release(session_factory, actor, GH_CSV, clock=clock, random_bytes=rng)
    assert {state for state, _, _ in states(session_factory).values()} == {"queued"}

    assert run_queued(session_factory, data_dir=tmp_path, clock=clock, random_bytes=rng) == 3
    found = states(session_factory)
    assert found[good][0] == "done" and found[good][2] is None
    assert found[empty][0] == "failed" and found[empty][2].startswith("release-refused")  # type: ignore[union-attr]
    assert found[beyond] == ("failed", None, found[beyond][2])
    assert found[beyond][2].startswith("forbidden-scope")  # type: ignore[union-attr]
    # Only the built release has a folder, and it is listed.
    listed = [r.release_id for r in visible_releases(session_factory, actor)]
    assert listed == [found[good][1]] and folders(tmp_path) == listed
    assert [job.job_id for job in jobs_of(session_factory, actor)][0] in {good, empty, beyond}


def test_one_worker_claims_a_job_and_a_crashed_one_is_built_again(
    session_factory: Sessions, clock: FakeClock, tmp_path: Path, responses: Simulation
) -> None:
    actor = ana(session_factory)
    rng = random.Random(4).randbytes
    job = queue_release(session_factory, actor, SL_CSV, clock=clock, random_bytes=rng)
    claimed = claim_next(session_factory, clock=clock)
    assert claimed is not None and claimed.job_id == job
    assert claim_next(session_factory, clock=clock) is None  # nobody else gets it
    # The worker dies here. Not yet given up on:
    clock.advance(seconds=INTERRUPTED_AFTER.total_seconds() - 1)
    assert requeue_interrupted(session_factory, clock=clock) == 0
    clock.advance(seconds=2)
    assert requeue_interrupted(session_factory, clock=clock) == 1
    assert run_queued(session_factory, data_dir=tmp_path, clock=clock, random_bytes=rng) == 1
    state, release_id, _ = states(session_factory)[job]
    assert state == "done" and folders(tmp_path) == [release_id]


def test_a_user_disabled_while_queued_gets_nothing(
    session_factory: Sessions, clock: FakeClock, tmp_path: Path, responses: Simulation
) -> None:
    rng = random.Random(5).randbytes
    job = queue_release(
        session_factory, ana(session_factory), SL_CSV, clock=clock, random_bytes=rng
    )
    disable_user(session_factory, "ana", clock=clock)
    run_queued(session_factory, data_dir=tmp_path, clock=clock, random_bytes=rng)
    state, release_id, failure = states(session_factory)[job]
    assert (state, release_id) == ("failed", None) and failure.startswith("forbidden-scope")  # type: ignore[union-attr]
    assert folders(tmp_path) == []


@pytest.fixture
def built_app(
    tmp_path: Path, database_url: str, clock: FakeClock, responses: Simulation
) -> Iterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path / "server", database_url=database_url, clock=clock,
        random_bytes=random.Random(9).randbytes,
    )  # fmt: skip
    app = create_app(settings)
    yield app
    app.state.server.engine.dispose()


def test_a_release_built_from_the_page_is_listed_and_downloads(
    built_app: FastAPI, session_factory: Sessions
) -> None:
    visitor = Visitor(built_app)
    visitor.sign_in("ana")
    page = visitor.get("/console/releases")
    assert 'id="build"' in page.text and 'value="pooled"' not in page.text
    form = {"csrf": csrf_of(page), "scope": "national", "country": "SL",
            "spec": "cips-officials", "wave": "", "format": "csv", "lang": "fr"}  # fmt: skip
    assert visitor.post("/console/releases/jobs", form).status_code == 303
    assert visitor.post("/console/releases/jobs", {**form, "wave": "2019"}).status_code == 303
    assert visitor.post("/console/releases/jobs", {**form, "scope": "pooled"}).status_code == 403
    assert visitor.post("/console/releases/jobs", {**form, "format": "exe"}).status_code == 422

    # The builds ran after each answer was sent, not inside the request.
    (built,) = visible_releases(session_factory, ana(session_factory))
    page = visitor.get("/console/releases").text
    assert page.count('data-state="done"') == 1 and page.count('data-state="failed"') == 1
    assert "release-refused" in page and f"release-{built.release_id}" in page
    assert 'http-equiv="refresh"' not in page  # nothing left to wait for
    data = next(name for name in built.files if name.endswith(".csv"))
    download = visitor.get(f"/console/releases/{built.release_id}/files/{data}")
    assert download.status_code == 200 and download.content.count(b"\n") == built.rows + 1
    assert folders(built_app.state.server.settings.data_dir) == [built.release_id]


def test_a_job_left_waiting_by_a_restart_is_built_when_its_page_is_read(
    built_app: FastAPI, session_factory: Sessions, clock: FakeClock
) -> None:
    job = queue_release(session_factory, ana(session_factory), SL_CSV, clock=clock,
                        random_bytes=random.Random(6).randbytes)  # fmt: skip
    visitor = Visitor(built_app)
    visitor.sign_in("ana")
    waiting = visitor.get("/console/releases").text
    assert f'id="job-{job}" class="queued"' in waiting and 'http-equiv="refresh"' in waiting
    state, release_id, _ = states(session_factory)[job]
    assert state == "done"
    assert f"release-{release_id}" in visitor.get("/console/releases").text
