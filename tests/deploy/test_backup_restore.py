"""deploy/mss-backup.sh and deploy/mss-restore.sh on the real PostgreSQL: a store with
enrolled stations, an inbox and processed responses is dumped, restored into a new
database, and every table's rows agree; the restore refuses an existing database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.sql import SQL, Identifier
from sqlalchemy.engine import make_url

from crypto import KdfCost
from miniatures.postgres_schemas import libpq_dsn
from sync_server.app import create_app
from sync_server.ingest import register_spec, register_survey_key
from sync_server.processor import process_inbox
from sync_server.settings import Settings, utc_now
from sync_server.survey_keys import SurveyKeyFiles
from tests.contract.world import COUNTRY, AsgiBridge, World, seal_records, spec_bodies
from tests.deploy.postgres_databases import admin, database_url, own_database, unique_name

pytestmark = pytest.mark.postgres

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROWS_AS_TEXT = SQL("SELECT t::text FROM {} t")
KEY_PASSPHRASE = "the processor's long survey key passphrase"


def _libpq_env(url: str) -> dict[str, str]:
    parts = make_url(url)
    env = {**os.environ, "PGHOST": parts.host or "127.0.0.1", "PGPORT": str(parts.port or 5432),
           "PGUSER": parts.username or "postgres"}  # fmt: skip
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def _fill(url: str, root: Path) -> None:
    """A store as the field leaves it: stations, batches, receipts, inbox, responses."""
    data_dir = root / "server"
    data_dir.mkdir(mode=0o700)
    app = create_app(Settings(data_dir=data_dir, database_url=url))
    keys = SurveyKeyFiles(data_dir)
    keys.create(KEY_PASSPHRASE, cost=KdfCost.FAST)
    world = World(root=root, settings=app.state.server.settings, app=app,
                  survey_key=keys.unlock(KEY_PASSPHRASE))  # fmt: skip
    world.transport = AsgiBridge(app)
    register_survey_key(world.session_factory, COUNTRY, keys.public_key().to_text(),
                        clock=world.clock)  # fmt: skip
    for body in spec_bodies():
        register_spec(world.session_factory, body, clock=world.clock)
    for name in ("tablet-a", "tablet-b"):
        with world.station(name) as station:
            seal_records(station, 7)
            assert station.sync().accepted == 7
    report = process_inbox(world.session_factory, world.survey_key, clock=utc_now)
    assert report.processed == 14
    with world.station("tablet-c") as station:  # left pending in the inbox
        seal_records(station, 3)
        station.sync()
    app.state.server.engine.dispose()


def _tables(url: str) -> dict[str, list[str]]:
    """Every table's rows, as text, sorted: what a restore must bring back."""
    with psycopg.connect(libpq_dsn(url)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            name: sorted(
                row[0] for row in connection.execute(ROWS_AS_TEXT.format(Identifier(name)))
            )
            for name in names
        }


def test_a_dump_restores_into_a_new_database_with_every_row(tmp_path: Path) -> None:
    with own_database("mss_h7_backup") as source_url:
        _fill(source_url, tmp_path)
        source = make_url(source_url).database
        env = {**_libpq_env(source_url), "MSS_BACKUP_DATABASE": source,
               "MSS_BACKUP_DIR": str(tmp_path / "backups")}  # fmt: skip
        made = subprocess.run([str(DEPLOY / "mss-backup.sh")], env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip
        assert made.returncode == 0, made.stderr
        dump = Path(made.stdout.strip())
        assert dump.parent == tmp_path / "backups" and dump.is_file()
        assert dump.stat().st_mode & 0o077 == 0  # as secret as the database
        assert list(dump.parent.glob(".*partial")) == []

        target = unique_name("mss_h7_restored")
        try:
            restored = subprocess.run([str(DEPLOY / "mss-restore.sh"), str(dump), target],
                                      env=env, capture_output=True, text=True, timeout=120,
                                      check=False)  # fmt: skip
            assert restored.returncode == 0, restored.stderr
            before = _tables(source_url)
            after = _tables(database_url(source_url, target))
            assert len(before["responses"]) == 14 and len(before["inbox"]) == 17
            assert after == before
            printed = dict(
                line.rsplit(" ", 1) for line in restored.stdout.strip().splitlines() if line
            )
            assert printed["responses"] == "14" and printed["inbox"] == "17"
            # The audit log stays append-only after a restore (its triggers came back).
            with psycopg.connect(libpq_dsn(database_url(source_url, target))) as connection:
                triggers = {
                    row[0]
                    for row in connection.execute(
                        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                    )
                }
            assert {"audit_log_no_change", "audit_log_no_truncate"} <= triggers
            # Never over an existing database.
            again = subprocess.run(restored.args, env=env, capture_output=True, text=True,
                                   timeout=120, check=False)  # fmt: skip
            assert again.returncode != 0 and "already exists" in again.stderr
        finally:
            with admin(source_url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
