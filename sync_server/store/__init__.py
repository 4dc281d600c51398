"""The central store: SQLAlchemy 2 models, engines for SQLite and PostgreSQL, migrations."""

from sync_server.store import (  # noqa: F401
    access_models,
    campaign_models,
    console_models,
    review_models,
    target_models,
)
from sync_server.store.engine import make_engine, make_session_factory
from sync_server.store.migrate import upgrade_to_head
from sync_server.store.models import Base

__all__ = ["Base", "make_engine", "make_session_factory", "upgrade_to_head"]
