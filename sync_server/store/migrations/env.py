"""Alembic environment: runs inside upgrade_to_head, which hands over a connection."""

from __future__ import annotations

from alembic import context

from sync_server.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through sync_server.store.upgrade_to_head(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
