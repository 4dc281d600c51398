"""The console's server-side sessions, each user's page language, its release jobs.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"]),
        sa.PrimaryKeyConstraint("id_sha256"),
    )
    op.create_index(
        op.f("ix_console_sessions_user_name"), "console_sessions", ["user_name"], unique=False
    )
    op.create_table(
        "console_languages",
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"]),
        sa.PrimaryKeyConstraint("user_name"),
    )

    op.create_table(
        "release_jobs",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("release_id", sa.String(length=32), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_release_jobs_state")
        ),
        sa.ForeignKeyConstraint(["requested_by"], ["users.name"]),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index(
        op.f("ix_release_jobs_state_created_at"), "release_jobs", ["state", "created_at"]
    )
    op.create_index(op.f("ix_release_jobs_requested_by"), "release_jobs", ["requested_by"])


def downgrade() -> None:
    op.drop_index(op.f("ix_release_jobs_requested_by"), table_name="release_jobs")
    op.drop_index(op.f("ix_release_jobs_state_created_at"), table_name="release_jobs")
    op.drop_table("release_jobs")
    op.drop_table("console_languages")
    op.drop_index(op.f("ix_console_sessions_user_name"), table_name="console_sessions")
    op.drop_table("console_sessions")
