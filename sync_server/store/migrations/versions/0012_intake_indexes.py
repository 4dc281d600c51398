"""Planner statistics that keep intake flat as the store grows (PostgreSQL only).

Measured (bench/ingest.py, issue 16): no intake statement lacked an index. What grew was a
plan: on tables never analysed, PostgreSQL's planner guesses that `station_id = ?` picks a
handful of rows, so it looks a batch's envelope ids and neighbour seqs up by station alone
and filters every stored envelope of that station (intake 4,000/s at 10,000 stored, 2,000/s
at 50,000). With statistics it uses both key columns. So the intake tables are analysed
after every 2 % of change (plus a threshold per table) instead of autovacuum's 10 %, which
on an insert-only inbox of millions of rows would leave the statistics weeks behind
(sync_server/store/migrate.py analyses the tables that hold rows after every upgrade).

This only works with autovacuum on: deploy/README.md says so, and the server warns at start
when it is off. SQLite plans by its index rules without statistics: nothing to do there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The tables every batch reads and writes (our own names only), each analysed after this
# many rows + 2 % changed. The inbox grows 100 rows a batch: 1,000 rows is ten batches. The
# others grow a row a batch: PostgreSQL's 50, else a plan cached while `batches` fitted one
# page (a sequential scan for every foreign-key check of its envelopes) is kept for 100,000
# responses.
ANALYZE_THRESHOLDS = {"inbox": 1000, "batches": 50, "receipts": 50, "quarantine": 50}
ANALYZE_SCALE_FACTOR = "0.02"
# An insert-only table is vacuumed for its visibility map sooner, too.
VACUUM_INSERT_SCALE_FACTOR = "0.05"
SETTINGS = (
    "autovacuum_analyze_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_vacuum_insert_scale_factor",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, threshold in ANALYZE_THRESHOLDS.items():
        op.execute(
            f"ALTER TABLE {table} SET (autovacuum_analyze_scale_factor = {ANALYZE_SCALE_FACTOR},"
            f" autovacuum_analyze_threshold = {threshold},"
            f" autovacuum_vacuum_insert_scale_factor = {VACUUM_INSERT_SCALE_FACTOR})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    names = ", ".join(SETTINGS)
    for table in ANALYZE_THRESHOLDS:
        op.execute(f"ALTER TABLE {table} RESET ({names})")
