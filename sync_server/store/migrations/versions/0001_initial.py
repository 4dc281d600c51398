"""Initial schema: survey keys, specs, stations, tokens, batches, receipts, inbox, quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "specs",
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("spec_id", "version", name=op.f("pk_specs")),
    )
    op.create_table(
        "stations",
        sa.Column("station_id", sa.String(length=44), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("populations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("app_version", sa.String(length=200), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_batch_seq", sa.Integer(), nullable=False),
        sa.Column("last_envelope_seq", sa.Integer(), nullable=False),
        sa.Column("envelopes_received", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_beacon", sa.JSON(), nullable=True),
        sa.Column("last_beacon_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'revoked')", name=op.f("ck_stations_status")),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_stations")),
        sa.UniqueConstraint("public_key", name=op.f("uq_stations_public_key")),
    )
    op.create_table(
        "survey_keys",
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_survey_keys")),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=44), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope_count", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.CheckConstraint("via IN ('http', 'usb')", name=op.f("ck_batches_via")),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.station_id"], name=op.f("fk_batches_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batches")),
        sa.UniqueConstraint(
            "station_id", "batch_seq", name=op.f("uq_batches_station_id_batch_seq")
        ),
    )
    op.create_table(
        "enrolment_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("populations", sa.JSON(), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("station_id", sa.String(length=44), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.station_id"],
            name=op.f("fk_enrolment_tokens_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_enrolment_tokens")),
    )
    op.create_table(
        "inbox",
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=44), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("spec_version", sa.String(length=40), nullable=False),
        sa.Column("spec_sha256", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("envelope_hash", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem_code", sa.String(length=60), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'processed', 'quarantined')", name=op.f("ck_inbox_state")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name=op.f("fk_inbox_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["spec_id", "spec_version"],
            ["specs.spec_id", "specs.version"],
            name=op.f("fk_inbox_spec_id_specs"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.station_id"], name=op.f("fk_inbox_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("envelope_id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("station_id", "seq", name=op.f("uq_inbox_station_id_seq")),
    )
    op.create_index(op.f("ix_inbox_state_received_at"), "inbox", ["state", "received_at"])

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("envelope_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=44), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("envelope_hash", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name=op.f("fk_quarantine_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.station_id"], name=op.f("fk_quarantine_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint(
            "envelope_id", "envelope_hash", name=op.f("uq_quarantine_envelope_id_envelope_hash")
        ),
    )
    op.create_table(
        "receipts",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name=op.f("fk_receipts_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_receipts")),
    )


def downgrade() -> None:
    op.drop_table("receipts")
    op.drop_table("quarantine")
    op.drop_index(op.f("ix_inbox_state_received_at"), table_name="inbox")
    op.drop_table("inbox")
    op.drop_table("enrolment_tokens")
    op.drop_table("batches")
    op.drop_table("survey_keys")
    op.drop_table("stations")
    op.drop_table("specs")
