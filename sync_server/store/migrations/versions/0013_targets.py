"""Fieldwork targets: a sample size per campaign (spec and wave), country and population.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fieldwork_targets",
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("population", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target > 0", name=op.f("ck_fieldwork_targets_target")),
        sa.ForeignKeyConstraint(["set_by"], ["users.name"]),
        sa.PrimaryKeyConstraint("spec_id", "wave", "country", "population"),
    )


def downgrade() -> None:
    op.drop_table("fieldwork_targets")
