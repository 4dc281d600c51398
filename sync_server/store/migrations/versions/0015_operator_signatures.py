"""Survey keys vouched for by the operator: the operator's public signing key, and each ring
key's signature.

`operator_keys` holds the public half of the operator's Ed25519 key (`mss server
operator-key new`; the private half stays offline, with the operator): bundles and QR codes
carry it, stations pin it. `survey_key_ring.signature` is the operator's signature over the
key's record (protocol.codec.survey_key_record_payload), which beacon answers carry beside
the key. Keys made before have none (NULL): stations do not switch to them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator_keys",
        sa.Column("public_key", sa.String(length=80), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("public_key", name=op.f("pk_operator_keys")),
    )
    op.add_column("survey_key_ring", sa.Column("signature", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE survey_key_ring DROP COLUMN signature")
    op.drop_table("operator_keys")
