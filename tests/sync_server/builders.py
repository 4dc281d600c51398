"""Real stations in miniature for the server tests: keys, chained envelopes, signed batches."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import StationKey, SurveyPublicKey, generate_survey_key
from miniatures.station_chain import StationChain
from protocol import (
    EnrolmentRequest,
    Envelope,
    SpecIdentityWire,
    canonical_json,
)
from sync_server.ingest import enrol_station, issue_enrolment_token, register_spec
from sync_server.ingest.specs import register_survey_key
from sync_server.store.models import Base

SPEC_BODY = canonical_json(
    {"id": "cips-officials", "version": "1.0.0", "languages": ["en"], "questions": []}
)


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def deterministic_random(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


@dataclass
class World:
    session_factory: sessionmaker[Session]
    clock: FakeClock
    spec: SpecIdentityWire
    survey_public_key: str
    station: StationChain = field(init=False)

    def enrol(self, key: StationKey | None = None, *, country: str = "SL") -> StationChain:
        key = key or StationKey.generate()
        token, _ = issue_enrolment_token(
            self.session_factory,
            country=country,
            region="Western Area",
            populations=["officials"],
            lifetime=timedelta(days=1),
            clock=self.clock,
            random_bytes=random.Random(key.public_bytes()).randbytes,
        )
        answer = enrol_station(
            self.session_factory,
            EnrolmentRequest(
                v=1,
                token=token,
                public_key=base64.b64encode(key.public_bytes()).decode(),
                app_version="test 1",
            ),
            clock=self.clock,
            random_bytes=random.Random(key.public_bytes()).randbytes,
        )
        # Its envelopes name the key stations are given (answer.survey_public_key).
        key_id = SurveyPublicKey.from_text(answer.survey_public_key).key_id()
        return StationChain(
            answer.station_id, key, self.spec, random.Random(answer.station_id), key_id=key_id
        )


def make_world(session_factory: sessionmaker[Session], clock: FakeClock) -> World:
    survey_key = generate_survey_key().public_key()
    register_survey_key(session_factory, "SL", survey_key.to_text(), clock=clock)
    spec = register_spec(session_factory, SPEC_BODY, clock=clock)
    world = World(session_factory, clock, spec, survey_key.to_text())
    world.station = world.enrol()
    return world


def really_sealed(chain: StationChain, survey_public_key: str) -> Envelope:
    """One envelope whose `sealed` is real HPKE output bound to its id and spec."""
    return chain.sealed(b'{"v":1}', SurveyPublicKey.from_text(survey_public_key))


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
