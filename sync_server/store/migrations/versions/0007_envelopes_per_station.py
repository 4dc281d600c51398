"""Envelopes belong to the station that sent them: the inbox is keyed by (station, envelope
id), a response points at that pair, and quarantine dedups within a station.

Before, the inbox was keyed by envelope id alone. The id is the station's own choice, so a
second tablet sending a first one's envelope ids first (a USB stick passes through many
hands) had them stored as its own and turned the real ones into "duplicates" or
"conflicts". `envelope_v` keeps the envelope's version: from v2 the sealed context names the
station, and the processor opens an envelope only under the station that sent it. Existing
rows are v1 (sealed before that).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_responses = sa.table(
    "responses",
    sa.column("envelope_id", sa.String()),
    sa.column("station_id", sa.String()),
)
_inbox = sa.table(
    "inbox",
    sa.column("envelope_id", sa.String()),
    sa.column("station_id", sa.String()),
)


def upgrade() -> None:
    # responses lets go of inbox first: on SQLite, batch mode rebuilds inbox by dropping the
    # old table, which a foreign key still pointing at it would forbid.
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("station_id", sa.String(length=44), nullable=True))
        batch.drop_constraint("fk_responses_envelope_id_inbox", type_="foreignkey")
        batch.drop_constraint("uq_responses_envelope_id", type_="unique")
    op.execute(
        _responses.update().values(
            station_id=sa.select(_inbox.c.station_id)
            .where(_inbox.c.envelope_id == _responses.c.envelope_id)
            .scalar_subquery()
        )
    )
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("envelope_v", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint("pk_inbox", type_="primary")
        batch.create_primary_key("pk_inbox", ["station_id", "envelope_id"])
        batch.create_index("ix_inbox_envelope_id", ["envelope_id"])
    with op.batch_alter_table("responses") as batch:
        batch.alter_column("station_id", existing_type=sa.String(length=44), nullable=False)
        batch.create_unique_constraint(
            "uq_responses_station_id_envelope_id", ["station_id", "envelope_id"]
        )
        batch.create_foreign_key(
            "fk_responses_station_id_inbox", "inbox",
            ["station_id", "envelope_id"], ["station_id", "envelope_id"],
        )  # fmt: skip
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_constraint("uq_quarantine_envelope_id_envelope_hash", type_="unique")
        batch.create_unique_constraint(
            "uq_quarantine_station_id_envelope_id_envelope_hash",
            ["station_id", "envelope_id", "envelope_hash"],
        )


def downgrade() -> None:
    # Only possible while every envelope id is unique across stations, as it was before.
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_constraint("uq_quarantine_station_id_envelope_id_envelope_hash", type_="unique")
        batch.create_unique_constraint(
            "uq_quarantine_envelope_id_envelope_hash", ["envelope_id", "envelope_hash"]
        )
    with op.batch_alter_table("responses") as batch:
        batch.drop_constraint("fk_responses_station_id_inbox", type_="foreignkey")
        batch.drop_constraint("uq_responses_station_id_envelope_id", type_="unique")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_envelope_id")
        batch.drop_constraint("pk_inbox", type_="primary")
        batch.create_primary_key("pk_inbox", ["envelope_id"])
        batch.drop_column("envelope_v")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("station_id")
        batch.create_unique_constraint("uq_responses_envelope_id", ["envelope_id"])
        batch.create_foreign_key(
            "fk_responses_envelope_id_inbox", "inbox", ["envelope_id"], ["envelope_id"]
        )
