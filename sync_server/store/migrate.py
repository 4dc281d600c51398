"""Apply the packaged Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    with engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        after = MigrationContext.configure(connection).get_current_revision()
        if connection.dialect.name == "postgresql":
            if before != after:
                # New tables and indexes have no statistics until analysed: without them the
                # planner reads a station's whole history per batch (revision 0012).
                _analyse_own_tables(connection)
            _warn_without_autovacuum(connection)


def _analyse_own_tables(connection: Connection) -> None:
    """ANALYZE the store's tables that hold rows (a bare ANALYZE would walk the whole
    database). An empty table is left unanalysed: PostgreSQL then assumes it holds at least
    10 pages, which keeps the first plans cached while it is tiny on its indexes."""
    names = connection.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
        " AND relkind = 'r' AND pg_relation_size(oid) > 0"
    ).scalars()
    for name in names.all():
        connection.exec_driver_sql(f'ANALYZE "{name}"')


def _warn_without_autovacuum(connection: Connection) -> None:
    """Intake's plans stay flat only while autovacuum keeps the statistics (deploy/README)."""
    if connection.exec_driver_sql("SHOW autovacuum").scalar_one() != "on":
        log.warning(
            "PostgreSQL's autovacuum is off: the intake tables' statistics will go stale and "
            "intake will slow as the store grows; turn it on (deploy/README.md)"
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
