"""The comments review queue: national releases carry only the comments an administrator
cleared, pooled ones none; every decision is audited; `mss server comments review`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from crypto import KdfCost
from sync_server.access.audit import read_audit, record
from sync_server.access.users import add_user
from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.releases.comment_reviews import ReviewError, comments, decide
from sync_server.server_commands import app as server_app
from sync_server.store import Base, make_engine, make_session_factory, upgrade_to_head
from sync_server.store.review_models import CommentReview
from tests.sync_server.releases.simulated import simulate

SEED = bytes.fromhex("5a" * 32)
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test user's
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EMAIL = "Write to [EMAIL] or call [PHONE]."
NAMED = "Inspecteur Kamara asks for money at the gate."


def national(session_factory, out_dir: Path, scope="national", country="SL"):
    order = ReleaseOrder(scope, country, "cips-officials", None, "parquet", "en", out_dir)
    result = build_release(
        session_factory, order, release_seed=SEED, cache_dir=out_dir.parent / "treated",
        clock=lambda: NOW,
    )  # fmt: skip
    data = pq.read_table(next(out_dir.glob("*.parquet"))).to_pandas()
    return result, data


def audited(actor: str):
    def audit(session, at, view):
        record(session, at=at, actor=actor, action="release", outcome="ok",
               detail=f"comments review: {view.state} {view.describe()}")  # fmt: skip

    return audit


def test_the_table_is_the_model(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert CommentReview.__table__ in Base.metadata.tables.values()
        assert compare_metadata(context, Base.metadata) == []


def test_national_releases_carry_only_cleared_comments(session_factory, clock, tmp_path):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 120)
    simulation.add("GH", 80, region="Ashanti")
    add_user(session_factory, name="ada", role="administrator", countries=[],
             password=PASSWORD, clock=clock, cost=KdfCost.FAST)  # fmt: skip
    first, data = national(session_factory, tmp_path / "first")
    assert data["comment"].dropna().empty  # nothing reviewed yet: nothing released
    book = json.loads((tmp_path / "first" / "codebook.json").read_text(encoding="utf-8"))
    comment = next(v for v in book["variables"] if v["name"] == "comment")
    assert "cleared" in comment["treatment"] and "0 kept" in comment["treatment"]

    queued = comments(session_factory, "cips-officials", "2026", state="pending")
    assert {(v.country, v.text) for v in queued} == {
        ("SL", EMAIL),
        ("SL", NAMED.replace("Kamara", "[NAME]")),
        ("SL", "Nothing to add."),
    }  # fmt: skip (the release queued its own country's scrubbed texts, once each)
    assert not any("Kamara" in v.text or "douane" in v.text for v in queued)
    by_text = {v.text: v.review_id for v in queued}
    decide(session_factory, [by_text[EMAIL], by_text["Nothing to add."]], "cleared", by="ada",
           clock=lambda: NOW, audit=audited("ada"))  # fmt: skip
    withheld = NAMED.replace("Kamara", "[NAME]")
    decide(session_factory, [by_text[withheld]], "withheld", by="ada", clock=lambda: NOW,
           audit=audited("ada"))  # fmt: skip
    with pytest.raises(ReviewError):  # all or none: an unknown id decides nothing
        decide(session_factory, [by_text[withheld], 999_999], "cleared", by="ada",
               clock=lambda: NOW, audit=audited("ada"))  # fmt: skip
    assert comments(session_factory, "cips-officials", "2026", state="withheld")[0].text == (
        withheld
    )

    again, data = national(session_factory, tmp_path / "again")
    released = set(data["comment"].dropna())
    assert released == {EMAIL, "Nothing to add."}
    # The same respondents as before, the rows unchanged but for the cleared comments.
    pd.testing.assert_frame_equal(
        data.drop(columns="comment"),
        national(session_factory, tmp_path / "third")[1].drop(columns="comment"),
    )
    assert again.rows == first.rows == 120
    _, pooled = national(session_factory, tmp_path / "pooled", scope="pooled", country=None)
    assert "comment" not in pooled.columns
    _, ghana = national(session_factory, tmp_path / "gh", country="GH")
    assert ghana["comment"].dropna().empty  # GH's texts are GH's own entries, still pending
    entries = read_audit(session_factory, limit=10)
    assert [e.detail.split(" comment #")[0] for e in entries[::-1]] == [
        "comments review: cleared", "comments review: cleared", "comments review: withheld",
    ]  # fmt: skip
    assert not any("Kamara" in e.detail or "[EMAIL]" in e.detail for e in entries)


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "server"
    engine = make_engine(f"sqlite:///{folder / 'central.db'}")
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    simulation = simulate(sessions, lambda: NOW)
    simulation.add("SL", 100)
    for name, role, countries in (("ada", "administrator", []), ("amara", "analyst", ["SL"])):
        add_user(sessions, name=name, role=role, countries=countries, password=PASSWORD,
                 clock=lambda: NOW, cost=KdfCost.FAST)  # fmt: skip
    engine.dispose()
    return folder


def review(data_dir, *arguments: str, user="ada", password=PASSWORD, stdin=None):
    return CliRunner().invoke(
        server_app,
        ["comments", "review", "--data-dir", str(data_dir), "--user", user, *arguments],
        env={"MSS_USER_PASSWORD": password, "MSS_DATABASE_URL": ""},
        input=stdin,
    )


def audit_of(data_dir):
    engine = make_engine(f"sqlite:///{data_dir / 'central.db'}")
    try:
        return [(e.actor, e.outcome, e.detail) for e in read_audit(make_session_factory(engine))]
    finally:
        engine.dispose()


def test_the_review_command_lists_clears_and_withholds(data_dir, monkeypatch):
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    listed = review(data_dir, "--json")
    assert listed.exit_code == 0, listed.output
    pending = json.loads(listed.output)["pending"]
    assert {p["text"] for p in pending} == {
        EMAIL, NAMED.replace("Kamara", "[NAME]"), "Nothing to add.",
    }  # fmt: skip
    ids = {p["text"]: p["review_id"] for p in pending}
    decided = review(data_dir, "--json", "--clear", str(ids[EMAIL]),
                     "--withhold", str(ids["Nothing to add."]))  # fmt: skip
    assert decided.exit_code == 0, decided.output
    document = json.loads(decided.output)
    assert {(d["text"], d["state"], d["decided_by"]) for d in document["decided"]} == {
        (EMAIL, "cleared", "ada"), ("Nothing to add.", "withheld", "ada"),
    }  # fmt: skip
    assert [p["text"] for p in document["pending"]] == [NAMED.replace("Kamara", "[NAME]")]
    # --ask: one by one.
    asked = review(data_dir, "--ask", stdin="w\n")
    assert asked.exit_code == 0, asked.output
    assert "0 pending" in asked.output and "[NAME]" in asked.output
    # Analysts do not review; a wrong password and an unknown id are refused, all audited.
    denied = review(data_dir, "--clear", str(ids[EMAIL]), user="amara")
    assert denied.exit_code == 2 and "administrator" in denied.output
    wrong = review(data_dir, password="not the password")
    assert wrong.exit_code == 2
    unknown = review(data_dir, "--clear", "424242")
    assert unknown.exit_code == 2 and "#424242" in unknown.output
    log = audit_of(data_dir)
    outcomes = [(actor, outcome) for actor, outcome, _ in log]
    assert outcomes[:3] == [("ada", "refused"), ("ada", "unauthenticated"), ("amara", "denied")]
    assert ("ada", "ok") in outcomes
    decisions = [d for _, _, d in log if d.startswith("comments review: cleared")
                 or d.startswith("comments review: withheld")]  # fmt: skip
    assert len(decisions) == 3
    assert all("[EMAIL]" not in d and "Nothing to add" not in d for _, _, d in log)
