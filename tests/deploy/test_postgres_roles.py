"""deploy/postgres-roles.sql on the real PostgreSQL: applied with psql as the file says, then
a station syncs through the real intake app connected as mss_intake, `mss server process`
loads the inbox as mss_processor, a release job's read works as mss_release, and what each
role must not do is refused by PostgreSQL itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from crypto import KdfCost
from miniatures.postgres_schemas import libpq_dsn
from questionnaire_specs import canonical_json as spec_canonical_json
from sync_server.app import create_app
from sync_server.ingest import register_spec, register_survey_key
from sync_server.settings import Settings
from sync_server.site.app import create_site_app
from sync_server.site.campaigns import CampaignPlan, open_campaign
from sync_server.store import make_engine, make_session_factory, upgrade_to_head
from sync_server.survey_keys import SurveyKeyFiles
from tests.contract.world import COUNTRY, AsgiBridge, World, seal_records, spec_bodies
from tests.deploy.postgres_databases import (
    admin,
    database_url,
    drop_roles,
    own_database,
    reachable_base,
)
from tests.sync_server.site.conftest import SPEC as SITE_SPEC
from tests.sync_server.site.conftest import call, sealed_submission, site_response

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
ROLES_SQL = ROOT / "deploy" / "postgres-roles.sql"
KEY_PASSPHRASE = "the processor's long survey key passphrase"
RESPONSES = 5

# What each role must be refused (each statement in a transaction of its own).
FORBIDDEN = {
    "intake": [
        "SELECT answers FROM responses",
        "UPDATE inbox SET state = 'processed'",
        "INSERT INTO survey_key_ring (key_id) VALUES ('x')",
        "UPDATE survey_key_ring SET signature = NULL",
        "INSERT INTO operator_keys (public_key) VALUES ('x')",
        "UPDATE campaigns SET public_key = ''",
        "DELETE FROM inbox",
        "SELECT * FROM users",
        "CREATE TABLE intruder (x int)",
    ],
    "processor": [
        "DELETE FROM inbox",
        "UPDATE inbox SET sealed = ''",
        "UPDATE inbox SET key_id = NULL",
        "UPDATE survey_key_ring SET public_key = ''",
        "SELECT * FROM users",
        "DELETE FROM responses",
    ],
    "release": [
        "SELECT sealed FROM inbox",
        "UPDATE responses SET answers = '{}'",
        "DELETE FROM audit_log",
        "INSERT INTO stations (station_id) VALUES ('x')",
    ],
}


class OperatorWorld(World):
    """The contract world, with the operator's steps (enrolment tokens) done as the owner:
    intake's role cannot issue them."""

    owner_sessions: object = None

    @property
    def session_factory(self):  # noqa: ANN201 - the owner's sessionmaker
        return self.owner_sessions


def _named(roles: dict[str, str]) -> str:
    """The SQL file with its role names made unique to this run (roles are cluster-wide)."""
    text = ROLES_SQL.read_text(encoding="utf-8")
    return re.sub(r"\bmss_(owner|intake|processor|release)\b", lambda m: roles[m.group(1)], text)


def test_each_role_does_its_work_and_is_refused_the_rest(tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    roles = {kind: f"h7_{run}_{kind}" for kind in ("owner", "intake", "processor", "release")}
    base = reachable_base()
    with own_database("mss_h7_roles", base) as superuser_url:
        name = make_url(superuser_url).database
        try:
            with admin(base) as connection:
                connection.execute(f'CREATE ROLE "{roles["owner"]}" LOGIN')
                connection.execute(f'ALTER DATABASE "{name}" OWNER TO "{roles["owner"]}"')
            urls = {kind: database_url(base, name, user=role) for kind, role in roles.items()}
            urls["superuser"] = superuser_url
            _work_as_each_role(tmp_path, urls, roles)
        finally:
            # The roles must go, but the database holds their grants: drop it first.
            with admin(base) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            drop_roles(base, list(roles.values()))


def _work_as_each_role(tmp_path: Path, urls: dict[str, str], roles: dict[str, str]) -> None:
    # `mss server init`'s part, as the owner: the schema, the key pair, the specs.
    owner_engine = make_engine(urls["owner"])
    upgrade_to_head(owner_engine)
    owner_sessions = make_session_factory(owner_engine)
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    keys = SurveyKeyFiles(data_dir)
    keys.create(KEY_PASSPHRASE, cost=KdfCost.FAST)
    sql = tmp_path / "postgres-roles.sql"
    sql.write_text(_named(roles), encoding="utf-8")
    applied = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d",
         libpq_dsn(urls["superuser"]), "-f", str(sql)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    # Twice: after an upgrade the operator runs it again.
    again = subprocess.run(applied.args, capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 0, again.stderr

    # Intake as mss_intake: enrolment and a sync through the real app.
    intake = create_app(Settings(data_dir=data_dir, database_url=urls["intake"],
                                 migrate_on_start=False))  # fmt: skip
    world = OperatorWorld(root=tmp_path, settings=intake.state.server.settings, app=intake,
                          survey_key=keys.unlock(KEY_PASSPHRASE))  # fmt: skip
    world.owner_sessions = owner_sessions
    world.transport = AsgiBridge(intake)
    register_survey_key(owner_sessions, COUNTRY, keys.public_key().to_text(), clock=world.clock)
    for body in spec_bodies():
        register_spec(owner_sessions, body, clock=world.clock)
    with world.station("tablet") as station:
        seal_records(station, RESPONSES)
        report = station.sync()
        assert (report.accepted, report.problems) == (RESPONSES, [])
    intake.state.server.engine.dispose()

    # The processor as mss_processor, through the command the timer runs.
    env = {**os.environ, "MSS_DATABASE_URL": urls["processor"], "PYTHONPATH": str(ROOT),
           "MSS_KEY_PASSPHRASE": KEY_PASSPHRASE}  # fmt: skip
    processed = subprocess.run(
        [sys.executable, "-m", "mss", "server", "process", "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert processed.returncode == 0, processed.stderr
    assert f"processed {RESPONSES}, quarantined 0" in processed.stdout

    # The site as mss_intake (its unit's role): a browser's envelope into the inbox, the
    # campaign's key read, never changed.
    register_spec(owner_sessions, spec_canonical_json(SITE_SPEC), clock=world.clock)
    plan = CampaignPlan(COUNTRY, "2026", ("officials",), SITE_SPEC.id, None)
    view = open_campaign(owner_sessions, plan, public_key=keys.public_key().to_text(),
                         clock=world.clock, random_bytes=os.urandom)  # fmt: skip
    site = create_site_app(Settings(data_dir=data_dir, database_url=urls["intake"],
                                    migrate_on_start=False))  # fmt: skip
    try:
        body = sealed_submission(view, site_response())
        answer = call(site, "POST", f"/s/{view.slug}/envelopes", json=body)
        assert answer.status_code == 200, answer.text
    finally:
        site.state.server.engine.dispose()

    # A release job's read as mss_release.
    with psycopg.connect(libpq_dsn(urls["release"])) as release:
        assert release.execute("SELECT count(*) FROM responses").fetchone() == (RESPONSES,)

    for kind, statements in FORBIDDEN.items():
        with psycopg.connect(libpq_dsn(urls[kind])) as connection:
            for statement in statements:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(statement)
                connection.rollback()
    owner_engine.dispose()
