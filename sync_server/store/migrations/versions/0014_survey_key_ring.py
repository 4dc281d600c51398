"""Survey keys per country and wave: the ring's public facts, and each inbox envelope's key.

`survey_key_ring` lists every survey key the server has made (id, country, wave, kind,
state); the private halves stay files on the processor's host. `inbox.key_id` names the key
an envelope was sealed to (envelope v4 carries it); existing rows keep NULL, which means the
ring's first key: every envelope of before v4 was sealed to it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_key_ring",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("wave", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("first", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('active', 'retired')", name=op.f("ck_survey_key_ring_state")),
        sa.PrimaryKeyConstraint("key_id"),
    )
    # A plain ADD COLUMN on both databases: no table rebuild, the inbox's rows stay put.
    op.add_column("inbox", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild inbox, which responses'
    # foreign key forbids.
    op.execute("ALTER TABLE inbox DROP COLUMN key_id")
    op.drop_table("survey_key_ring")
