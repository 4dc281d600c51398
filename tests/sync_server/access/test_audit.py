"""The audit log is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from sync_server.access.audit import read_audit, record_event
from sync_server.store import make_engine, upgrade_to_head
from tests.sync_server.builders import FakeClock


def test_entries_are_appended_and_read_newest_first(
    session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    record_event(session_factory, clock=clock, actor="ana", action="release", outcome="ok",
                 release_id="r1", detail="national SL")  # fmt: skip
    clock.advance(minutes=1)
    record_event(session_factory, clock=clock, actor=None, action="download",
                 outcome="unauthenticated", release_id="x" * 500, detail="d" * 5000)  # fmt: skip
    newest, oldest = read_audit(session_factory)
    assert (oldest.actor, oldest.outcome, oldest.release_id, oldest.at) == (
        "ana",
        "ok",
        "r1",
        clock.now.replace(minute=0),
    )
    # What a prober typed is kept, cut to size.
    assert (newest.actor, len(newest.release_id), len(newest.detail)) == (None, 100, 1000)
    assert [e.actor for e in read_audit(session_factory, actor="ana")] == ["ana"]
    assert [e.outcome for e in read_audit(session_factory, outcome="unauthenticated")] == [
        "unauthenticated"
    ]
    with pytest.raises(ValueError, match="unknown audit outcome"):
        record_event(session_factory, clock=clock, actor="ana", action="release", outcome="meh")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_rewrite_the_audit_log(
    engine: Engine, session_factory: sessionmaker[Session], clock: FakeClock, statement: str
) -> None:
    record_event(session_factory, clock=clock, actor="ana", action="download", outcome="ok")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    assert [(e.actor, e.outcome) for e in read_audit(session_factory)] == [("ana", "ok")]


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_audit_log(postgres_schema_url: str) -> None:
    engine = make_engine(postgres_schema_url)
    try:
        upgrade_to_head(engine)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    finally:
        engine.dispose()
