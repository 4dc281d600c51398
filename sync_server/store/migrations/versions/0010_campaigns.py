"""Online-survey campaigns, their access codes and submission tokens, and the channel
("station" or "site") of each response.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("station_id", sa.String(length=44), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("wave", sa.String(length=20), nullable=False),
        sa.Column("populations", sa.JSON(), nullable=False),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("spec_version", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("requires_codes", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_campaigns_status")),
        sa.ForeignKeyConstraint(
            ["spec_id", "spec_version"],
            ["specs.spec_id", "specs.version"],
            name=op.f("fk_campaigns_spec_id_specs"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.station_id"], name=op.f("fk_campaigns_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("station_id", name=op.f("uq_campaigns_station_id")),
    )
    op.create_table(
        "campaign_access_codes",
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slug"], ["campaigns.slug"], name=op.f("fk_campaign_access_codes_slug_campaigns")
        ),
        sa.PrimaryKeyConstraint("code_sha256", name=op.f("pk_campaign_access_codes")),
    )
    op.create_table(
        "campaign_submission_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("spent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slug"], ["campaigns.slug"], name=op.f("fk_campaign_submission_tokens_slug_campaigns")
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_campaign_submission_tokens")),
    )
    with op.batch_alter_table("responses") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=8), server_default="station", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("channel")
    op.drop_table("campaign_submission_tokens")
    op.drop_table("campaign_access_codes")
    op.drop_table("campaigns")
