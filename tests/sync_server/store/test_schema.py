"""The migrated schema is the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from sync_server.store import Base, upgrade_to_head
from sync_server.store.migrate import current_revision, head_revision
from sync_server.store.models import SurveyKey


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(engine) == head_revision() is not None


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()


def test_times_come_back_aware_utc(engine: Engine) -> None:
    from sync_server.store import make_session_factory

    moment = datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC)
    with make_session_factory(engine)() as session, session.begin():
        session.add(SurveyKey(country="SL", public_key="k", registered_at=moment))
    with make_session_factory(engine)() as session:
        assert session.get(SurveyKey, "SL").registered_at == moment


def test_sqlite_is_set_up_for_intake(tmp_path: Path) -> None:
    from sync_server.store import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'central.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    engine.dispose()
