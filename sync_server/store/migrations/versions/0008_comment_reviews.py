"""The comments review queue: national releases carry only the scrubbed comments an
administrator cleared.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_reviews",
        sa.Column("review_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'cleared', 'withheld')", name=op.f("ck_comment_reviews_state")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.name"], name=op.f("fk_comment_reviews_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_comment_reviews")),
        sa.UniqueConstraint(
            "spec_id",
            "wave",
            "country",
            "question_id",
            "text_sha256",
            name=op.f("uq_comment_reviews_spec_id_wave_country_question_id_text_sha256"),
        ),  # fmt: skip
    )
    op.create_index(
        op.f("ix_comment_reviews_spec_id_wave_country_state"),
        "comment_reviews",
        ["spec_id", "wave", "country", "state"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_comment_reviews_spec_id_wave_country_state"), table_name="comment_reviews"
    )
    op.drop_table("comment_reviews")
