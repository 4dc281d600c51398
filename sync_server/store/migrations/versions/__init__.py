"""Alembic revisions, numbered; never edit a released one, add a new one."""
