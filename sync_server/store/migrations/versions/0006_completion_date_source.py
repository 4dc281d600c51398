"""Where a response's completion date comes from: the tablet, or the day it arrived when
the tablet's clock was impossible.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(
            sa.Column(
                "completed_on_source", sa.String(length=10), nullable=False,
                server_default="station",
            )
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("completed_on_source")
