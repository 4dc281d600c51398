"""Alembic migrations of the central store; applied by sync_server.store.upgrade_to_head."""
