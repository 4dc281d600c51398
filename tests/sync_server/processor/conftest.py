"""The processor's fixtures: a registered example spec, a survey key, an enrolled station."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crypto import StationKey, generate_survey_key
from questionnaire_specs import canonical_json as spec_canonical_json
from questionnaire_specs import load_spec
from sync_server.ingest import register_spec
from sync_server.ingest.specs import register_survey_key
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.processor.test_process import SPEC_PATH


@pytest.fixture
def survey_key():
    return generate_survey_key()


@pytest.fixture
def setup(session_factory: sessionmaker[Session], clock: FakeClock, survey_key):
    spec = load_spec(SPEC_PATH)
    identity = register_spec(session_factory, spec_canonical_json(spec), clock=clock)
    register_survey_key(session_factory, "SL", survey_key.public_key().to_text(), clock=clock)
    world = World(session_factory, clock, identity, survey_key.public_key().to_text())
    return world, world.enrol(StationKey.generate())
