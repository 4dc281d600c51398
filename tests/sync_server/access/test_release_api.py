"""The release API's gatekeeping through the real app: 401, 403, 404 as problem+json, the
scope checked before any release work, and an audit entry for every attempt."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.release_requests import releases_root
from sync_server.access.tokens import issue_token, revoke_token
from sync_server.access.users import disable_user
from sync_server.settings import Settings
from sync_server.store.access_models import ReleaseRecord
from tests.sync_server.access.conftest import PASSWORD, People, audit_rows, call, expect_problem
from tests.sync_server.builders import FakeClock, deterministic_random

Sessions = sessionmaker[Session]
SL_RELEASE = "a" * 32
GH_RELEASE = "b" * 32
POOLED_RELEASE = "c" * 32
NATIONAL_SL = {"scope": "national", "country": "SL", "spec": "cips-officials",
               "format": "csv", "lang": "en"}  # fmt: skip


def release_rows(session_factory: Sessions) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(ReleaseRecord)) or 0


def seed_release(
    session_factory: Sessions,
    settings: Settings,
    clock: FakeClock,
    release_id: str,
    scope: str,
    country: str | None,
) -> dict[str, bytes]:
    """A release as if built: its row and its files (the engine is tested elsewhere)."""
    files = {"data.csv": f"respondent,country\nr1,{country}\n".encode(),
             "codebook.json": b"{}"}  # fmt: skip
    folder = releases_root(settings.data_dir) / release_id
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    with session_factory() as session, session.begin():
        session.add(
            ReleaseRecord(
                release_id=release_id,
                scope=scope,
                country=country,
                spec_id="cips-officials",
                wave="2026",
                format="csv",
                lang="en",
                rows=1,
                files=sorted(files),
                requested_by="ada",
                created_at=clock(),
            )  # fmt: skip
        )
    clock.advance(seconds=1)
    return files


@pytest.fixture
def seeded(
    session_factory: Sessions, settings: Settings, clock: FakeClock, people: People
) -> dict[str, dict[str, bytes]]:
    return {
        SL_RELEASE: seed_release(session_factory, settings, clock, SL_RELEASE, "national", "SL"),
        GH_RELEASE: seed_release(session_factory, settings, clock, GH_RELEASE, "national", "GH"),
        POOLED_RELEASE: seed_release(
            session_factory, settings, clock, POOLED_RELEASE, "pooled", None
        ),
    }


def test_no_token_or_a_wrong_one_is_401_and_audited(
    app: FastAPI, session_factory: Sessions, people: People
) -> None:
    answer = call(app, "POST", "/v1/releases", json=NATIONAL_SL)
    expect_problem(answer, 401, "not-authenticated")
    assert answer.headers["www-authenticate"].startswith("Bearer")
    wrong = {"Authorization": "Bearer mss_" + "A" * 43}
    expect_problem(call(app, "POST", "/v1/releases", json=NATIONAL_SL, headers=wrong), 401,
                   "not-authenticated")  # fmt: skip
    expect_problem(call(app, "GET", f"/v1/releases/{SL_RELEASE}/files/data.csv",
                        headers={"Authorization": "Basic YWRhOmFkYQ=="}), 401,
                   "not-authenticated")  # fmt: skip
    expect_problem(call(app, "GET", "/v1/releases"), 401, "not-authenticated")
    assert [(actor, action, outcome, release) for actor, action, outcome, release, _ in
            audit_rows(session_factory)] == [
        (None, "release", "unauthenticated", None),
        (None, "release", "unauthenticated", None),
        (None, "download", "unauthenticated", SL_RELEASE),
    ]  # fmt: skip
    assert release_rows(session_factory) == 0


def test_expired_revoked_and_disabled_get_401(
    app: FastAPI, session_factory: Sessions, clock: FakeClock, people: People
) -> None:
    rng = deterministic_random(7)
    short = issue_token(session_factory, user_name="ana", lifetime=timedelta(minutes=5),
                        clock=clock, random_bytes=rng)  # fmt: skip
    revoked = issue_token(session_factory, user_name="ana", clock=clock, random_bytes=rng)
    revoke_token(session_factory, revoked.token_id, clock=clock)
    disable_user(session_factory, "cole", clock=clock)
    clock.advance(minutes=5)
    for token in (short.token, revoked.token, people.tokens["cole"]):
        headers = {"Authorization": f"Bearer {token}"}
        expect_problem(call(app, "GET", "/v1/releases", headers=headers), 401,
                       "not-authenticated")  # fmt: skip
    # ana's own long-lived token still works.
    assert call(app, "GET", "/v1/releases", headers=people.bearer("ana")).status_code == 200


@pytest.mark.parametrize(
    ("who", "body"),
    [
        ("ana", {**NATIONAL_SL, "country": "GH"}),  # analyst for SL asks for GH
        ("cole", {**NATIONAL_SL, "country": "GH"}),  # coordinator for SL asks for GH
        ("ana", {**NATIONAL_SL, "scope": "pooled", "country": None}),
        ("cole", {**NATIONAL_SL, "scope": "pooled", "country": None}),
    ],
)
def test_the_scope_is_checked_before_any_release_work(
    app: FastAPI, settings: Settings, session_factory: Sessions, people: People, who: str,
    body: dict[str, str | None],
) -> None:  # fmt: skip
    answer = call(app, "POST", "/v1/releases", json=body, headers=people.bearer(who))
    expect_problem(answer, 403, "forbidden-scope")
    assert who in answer.json()["detail"]
    # Nothing was built, nor even a folder made for it.
    assert not releases_root(settings.data_dir).exists()
    assert release_rows(session_factory) == 0
    [(actor, action, outcome, release_id, detail)] = audit_rows(session_factory)
    assert (actor, action, outcome, release_id) == (who, "release", "denied", None)
    assert body["scope"] in detail


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**NATIONAL_SL, "country": None}, "names its country"),
        ({**NATIONAL_SL, "scope": "pooled"}, "name none"),
        ({**NATIONAL_SL, "format": "pdf"}, "format"),
        ({**NATIONAL_SL, "country": "Sierra Leone"}, "country"),
        ({**NATIONAL_SL, "lang": "../../etc"}, "lang"),
        ({**NATIONAL_SL, "spec": "../cips"}, "spec"),
        ({**NATIONAL_SL, "out_dir": "/tmp"}, "out_dir"),
    ],
)
def test_a_bad_request_is_422_and_audited(
    app: FastAPI, settings: Settings, session_factory: Sessions, people: People,
    body: dict[str, str | None], words: str,
) -> None:  # fmt: skip
    answer = call(app, "POST", "/v1/releases", json=body, headers=people.bearer("ada"))
    expect_problem(answer, 422, "invalid-request")
    assert words in answer.json()["detail"]
    assert not releases_root(settings.data_dir).exists()
    [(actor, action, outcome, _, detail)] = audit_rows(session_factory)
    assert (actor, action, outcome) == ("ada", "release", "invalid")


def test_a_body_that_is_not_json_is_refused_and_audited(
    app: FastAPI, session_factory: Sessions, people: People
) -> None:
    headers = {**people.bearer("ada"), "Content-Type": "text/plain"}
    answer = call(app, "POST", "/v1/releases", content=b"national SL", headers=headers)
    expect_problem(answer, 415, "unsupported-media-type")
    headers["Content-Type"] = "application/json"
    answer = call(app, "POST", "/v1/releases", content=b"{national", headers=headers)
    expect_problem(answer, 400, "malformed-request")
    assert [row[2] for row in audit_rows(session_factory)] == ["invalid", "invalid"]


def test_each_caller_lists_only_the_releases_they_may_see(
    app: FastAPI, people: People, seeded: dict[str, dict[str, bytes]]
) -> None:
    def listed(who: str) -> list[str]:
        answer = call(app, "GET", "/v1/releases", headers=people.bearer(who))
        assert answer.status_code == 200
        return [release["release_id"] for release in answer.json()["releases"]]

    newest_first = [POOLED_RELEASE, GH_RELEASE, SL_RELEASE]
    assert listed("ada") == newest_first
    assert listed("gus") == newest_first  # a global analyst reads national releases too
    assert listed("ana") == [SL_RELEASE]
    assert listed("cole") == [SL_RELEASE]
    answer = call(app, "GET", "/v1/releases", headers=people.bearer("ana")).json()
    [release] = answer["releases"]
    assert release["files"][1] == {
        "name": "data.csv",
        "url": f"/v1/releases/{SL_RELEASE}/files/data.csv",
    }


def test_downloads_check_the_scope_and_are_all_audited(
    app: FastAPI, session_factory: Sessions, people: People,
    seeded: dict[str, dict[str, bytes]],
) -> None:  # fmt: skip
    def get(who: str, release_id: str, name: str) -> httpx.Response:
        url = f"/v1/releases/{release_id}/files/{name}"
        return call(app, "GET", url, headers=people.bearer(who))

    answer = get("ana", SL_RELEASE, "data.csv")
    assert answer.status_code == 200
    assert answer.content == seeded[SL_RELEASE]["data.csv"]
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="data.csv"' in answer.headers["content-disposition"]
    expect_problem(get("ana", GH_RELEASE, "data.csv"), 403, "forbidden-scope")
    expect_problem(get("cole", POOLED_RELEASE, "data.csv"), 403, "forbidden-scope")
    assert get("gus", POOLED_RELEASE, "codebook.json").content == b"{}"
    assert get("gus", GH_RELEASE, "data.csv").status_code == 200
    expect_problem(get("ana", "f" * 32, "data.csv"), 404, "not-found")
    expect_problem(get("ana", SL_RELEASE, "secret.csv"), 404, "not-found")
    # A name outside the release folder is not one of its files.
    expect_problem(get("ana", SL_RELEASE, f"..%2F{GH_RELEASE}%2Fdata.csv"), 404, "not-found")
    rows = [(actor, outcome, release_id, detail.split(";")[0])
            for actor, action, outcome, release_id, detail in audit_rows(session_factory)
            if action == "download"]  # fmt: skip
    assert rows == [
        ("ana", "ok", SL_RELEASE, "data.csv"),
        ("ana", "denied", GH_RELEASE, "data.csv"),
        ("cole", "denied", POOLED_RELEASE, "data.csv"),
        ("gus", "ok", POOLED_RELEASE, "codebook.json"),
        ("gus", "ok", GH_RELEASE, "data.csv"),
        ("ana", "not-found", "f" * 32, "data.csv"),
        ("ana", "not-found", SL_RELEASE, "secret.csv"),
        ("ana", "not-found", SL_RELEASE, f"../{GH_RELEASE}/data.csv"),
    ]


def test_a_password_buys_a_token_and_a_wrong_one_is_audited(
    app: FastAPI, session_factory: Sessions, people: People
) -> None:
    answer = call(app, "POST", "/v1/tokens", json={"name": "ana", "password": PASSWORD,
                                                   "lifetime_days": 2})  # fmt: skip
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert issued["user"] == "ana" and issued["expires_at"] == "2026-12-01T10:00:00Z"
    listed = call(app, "GET", "/v1/releases",
                  headers={"Authorization": f"Bearer {issued['token']}"})  # fmt: skip
    assert listed.status_code == 200
    wrong = call(app, "POST", "/v1/tokens", json={"name": "ana", "password": "guess" * 3})
    expect_problem(wrong, 401, "not-authenticated")
    nobody = call(app, "POST", "/v1/tokens", json={"name": "eve", "password": PASSWORD})
    expect_problem(nobody, 401, "not-authenticated")
    expect_problem(call(app, "POST", "/v1/tokens", json={"name": "ana"}), 422, "invalid-request")
    rows = [(a, action, outcome) for a, action, outcome, _, _ in audit_rows(session_factory)]
    assert rows == [("ana", "token", "ok"), ("ana", "token", "unauthenticated"),
                    ("eve", "token", "unauthenticated")]  # fmt: skip
    assert not any(PASSWORD in row[4] or "guess" in row[4] for row in audit_rows(session_factory))


def test_only_an_administrator_reads_the_audit_log(
    app: FastAPI, people: People, seeded: dict[str, dict[str, bytes]]
) -> None:
    call(app, "GET", f"/v1/releases/{GH_RELEASE}/files/data.csv", headers=people.bearer("ana"))
    expect_problem(call(app, "GET", "/v1/audit", headers=people.bearer("ana")), 403,
                   "forbidden-scope")  # fmt: skip
    expect_problem(call(app, "GET", "/v1/audit", headers=people.bearer("gus")), 403,
                   "forbidden-scope")  # fmt: skip
    answer = call(app, "GET", "/v1/audit?outcome=denied", headers=people.bearer("ada"))
    assert answer.status_code == 200
    [entry] = answer.json()["entries"]
    assert (entry["actor"], entry["action"], entry["release_id"]) == ("ana", "download",
                                                                      GH_RELEASE)  # fmt: skip
    expect_problem(call(app, "GET", "/v1/audit?outcome=meh", headers=people.bearer("ada")), 422,
                   "invalid-request")  # fmt: skip
