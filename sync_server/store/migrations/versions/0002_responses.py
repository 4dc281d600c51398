"""The processor's results: responses and answers; why an inbox envelope was quarantined.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("problem_detail", sa.Text(), nullable=True))
    op.create_table(
        "responses",
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("spec_version", sa.String(length=40), nullable=False),
        sa.Column("spec_sha256", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("population", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["envelope_id"], ["inbox.envelope_id"], name=op.f("fk_responses_envelope_id_inbox")
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_responses")),
        sa.UniqueConstraint("envelope_id", name=op.f("uq_responses_envelope_id")),
    )
    op.create_index(
        op.f("ix_responses_country_spec_id_spec_version"),
        "responses",
        ["country", "spec_id", "spec_version"],
    )
    op.create_table(
        "answers",
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.response_id"],
            name=op.f("fk_answers_response_id_responses"),
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_answers")),
    )


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_index(op.f("ix_responses_country_spec_id_spec_version"), table_name="responses")
    op.drop_table("responses")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("problem_detail")
