"""Revision 0004 moves the answers into one document per response, and back (both databases)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text, update

from sync_server.store import Base, make_session_factory, upgrade_to_head
from sync_server.store.migrate import alembic_config, current_revision, head_revision
from sync_server.store.models import ResponseRecord
from tests.sync_server.releases.simulated import simulate


def downgrade_to(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def documents(engine: Engine) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        rows = session.execute(select(ResponseRecord.response_id, ResponseRecord.answers))
        return {rid: document for rid, document in rows}


def test_answers_survive_a_downgrade_and_an_upgrade(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    simulation = simulate(sessions, lambda: datetime(2026, 11, 29, tzinfo=UTC))
    ids = simulation.add("SL", 30)
    with sessions.begin() as session:  # a response without any answer
        session.execute(
            update(ResponseRecord).where(ResponseRecord.response_id == ids[0]).values(answers="{}")
        )
    before = documents(engine)
    with_comment = next(rid for rid, doc in before.items() if "comment" in json.loads(doc))

    downgrade_to(engine, "0003")
    assert "answers" not in {c["name"] for c in inspect(engine).get_columns("responses")}
    [foreign_key] = inspect(engine).get_foreign_keys("answers")
    assert foreign_key["referred_table"] == "responses"
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT response_id, question_id, value_json, value_number FROM answers")
        ).all()
    assert len(rows) == sum(len(json.loads(document)) for document in before.values())
    by_key = {(rid, qid): (value, number) for rid, qid, value, number in rows}
    assert by_key[(ids[1], "consent")] == ("1", 1.0)
    comment, number = by_key[(with_comment, "comment")]
    assert json.loads(comment) == json.loads(before[with_comment])["comment"] and number is None
    assert not any(rid == ids[0] for rid, *_ in rows)

    upgrade_to_head(engine)
    assert "answers" not in inspect(engine).get_table_names()
    assert documents(engine) == before  # the very same canonical text
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(engine) == head_revision()
