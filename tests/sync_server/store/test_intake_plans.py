"""Intake stays flat as the store grows: no statement of a batch's intake scans a table or
reads a station's whole history (issue 16), on SQLite and PostgreSQL, judged by the
databases' own plans (no timing).

PostgreSQL, on tables never analysed (autovacuum off, as on this machine), once planned the
chain lookup `station_id = ? AND seq IN (…)` on the station alone and filtered every stored
envelope of it: intake fell from 4,000 to 2,000 responses/s by 50,000 stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from sync_server.ingest.batches import accept_batch
from sync_server.store import make_engine, make_session_factory, upgrade_to_head
from sync_server.store.migrate import alembic_config
from tests.sync_server.builders import FakeClock, World, make_world

BATCH = 5
STORED_BATCHES = 200  # 1,000 envelopes and 200 batches of one station before the examined one
INTAKE_TABLES = {"batches", "inbox", "quarantine", "receipts", "stations", "specs"}


def _selects_of_one_batch(
    engine: Engine, session_factory: sessionmaker[Session], world: World
) -> list[tuple[str, Any]]:
    """Every SELECT the intake of one further batch runs, with its parameters."""
    chain = world.station
    for _ in range(STORED_BATCHES):
        data = chain.signed_bytes(chain.batch(chain.envelopes(BATCH)))
        accept_batch(session_factory, data, via="http", clock=world.clock)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        data = chain.signed_bytes(chain.batch(chain.envelopes(BATCH)))
        receipt = accept_batch(session_factory, data, via="http", clock=world.clock)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert {result.status for result in receipt.results} == {"accepted"}
    assert any("inbox" in statement for statement, _ in captured), captured
    return captured


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_plan_nodes(child))
    return nodes


def _analyse_as_autovacuum_would(engine: Engine) -> None:
    """1,000 stored rows are past revision 0012's threshold: autovacuum would have analysed
    (this machine's PostgreSQL runs with autovacuum off)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in sorted(INTAKE_TABLES):
                connection.exec_driver_sql(f"ANALYZE {table}")


def _assert_bounded(engine: Engine, statements: list[tuple[str, Any]]) -> None:
    # What one batch may touch: its own envelopes, their neighbours, a few rows more. A
    # sequential scan of batches or inbox, or a station's whole history, reads far more.
    bound = 3 * BATCH + 3
    with engine.connect() as connection:
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                details = [row[-1] for row in rows]
                scans = [
                    d for d in details if d.split()[:2] in (["SCAN", t] for t in INTAKE_TABLES)
                ]
                assert not scans, (statement, details)
                continue
            explained = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
            ).scalar_one()
            document = explained if isinstance(explained, list) else json.loads(explained)
            for node in _plan_nodes(document[0]["Plan"]):
                read = (
                    node.get("Actual Rows", 0)
                    + node.get("Rows Removed by Filter", 0)
                    + node.get("Rows Removed by Index Recheck", 0)
                )
                assert read <= bound, (statement, node["Node Type"], node.get("Index Name"), read)
        connection.rollback()  # EXPLAIN ANALYZE of FOR UPDATE took locks: let them go


def test_no_intake_statement_scans_or_reads_a_stations_history(
    engine: Engine, session_factory: sessionmaker[Session], world: World
) -> None:
    statements = _selects_of_one_batch(engine, session_factory, world)
    _analyse_as_autovacuum_would(engine)
    _assert_bounded(engine, statements)


@pytest.mark.postgres
def test_the_chain_lookup_stays_bounded_without_statistics(postgres_schema_url: str) -> None:
    """The neighbour-seq lookup is bounded by its seq range, whatever the planner knows:
    with `seq IN (…)` alone it read the station's whole history on stale statistics."""
    engine = make_engine(postgres_schema_url)
    try:
        upgrade_to_head(engine)
        sessions = make_session_factory(engine)
        world = make_world(sessions, FakeClock())
        statements = _selects_of_one_batch(engine, sessions, world)
        # Analysed empty by the upgrade, 1,000 rows since, no autovacuum: stale statistics.
        chain = [(sql, params) for sql, params in statements if "BETWEEN" in sql]
        assert len(chain) == 1, statements
        _assert_bounded(engine, chain)
    finally:
        engine.dispose()


def _pg_tables(engine: Engine) -> dict[str, tuple[float, list[str]]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT relname, reltuples, reloptions FROM pg_class"
            " WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
        ).all()
    return {name: (tuples, options or []) for name, tuples, options in rows}


@pytest.mark.postgres
def test_upgrading_analyses_and_sets_intake_analyse_thresholds(postgres_schema_url: str) -> None:
    engine = make_engine(postgres_schema_url)
    try:
        upgrade_to_head(engine)
        fresh = _pg_tables(engine)
        # A store that held envelopes before 0012: upgrading analyses what holds rows.
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0011")
        world = make_world(make_session_factory(engine), FakeClock())
        chain = world.station
        chain.envelope_v = 2  # what a station sent then: no key id
        data = chain.signed_bytes(chain.batch(chain.envelopes(BATCH)))
        # Today's intake writes inbox.key_id (0014): lend it the column for the insert only.
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE inbox ADD COLUMN key_id VARCHAR(16)")
        accept_batch(world.session_factory, data, via="http", clock=world.clock)
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE inbox DROP COLUMN key_id")
        assert _pg_tables(engine)["inbox"][1] == []  # 0011: no thresholds
        upgrade_to_head(engine)
        upgraded = _pg_tables(engine)
    finally:
        engine.dispose()
    # reltuples is -1 until a table is first analysed (PostgreSQL 14+): an empty table is
    # left so (the planner then assumes 10 pages and keeps its first plans on indexes).
    assert fresh["inbox"][0] == -1, fresh["inbox"]
    assert upgraded["inbox"][0] == BATCH, upgraded["inbox"]
    assert upgraded["batches"][0] == 1, upgraded["batches"]
    for table, threshold in (("inbox", 1000), ("batches", 50), ("receipts", 50)):
        assert "autovacuum_analyze_scale_factor=0.02" in upgraded[table][1], upgraded[table]
        assert f"autovacuum_analyze_threshold={threshold}" in upgraded[table][1], upgraded[table]
