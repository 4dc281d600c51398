"""Who may do what: users, API tokens, releases and the append-only audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_APPEND_ONLY = "the audit log is append-only"

# The audit log refuses UPDATE and DELETE in the database itself, so no code path (ours or
# a hand-typed statement) can rewrite what an administrator reads there.
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
        BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('administrator', 'coordinator', 'analyst', 'global_analyst')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_users")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_name"], ["users.name"], name=op.f("fk_api_tokens_user_name_users")
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_user_name"), "api_tokens", ["user_name"])
    op.create_table(
        "releases",
        sa.Column("release_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('national', 'pooled')", name=op.f("ck_releases_scope")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.name"], name=op.f("fk_releases_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("release_id", name=op.f("pk_releases")),
    )
    op.create_index(op.f("ix_releases_scope_country"), "releases", ["scope", "country"])
    op.create_table(
        "audit_log",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("release_id", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ok', 'denied', 'refused', 'unauthenticated', 'not-found', 'invalid')",
            name=op.f("ck_audit_log_outcome"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_releases_scope_country"), table_name="releases")
    op.drop_table("releases")
    op.drop_index(op.f("ix_api_tokens_user_name"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
