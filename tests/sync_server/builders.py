"""Real stations in miniature for the server tests: keys, chained envelopes, signed batches."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import StationKey, SurveyPublicKey, generate_survey_key, seal
from protocol import (
    PROTOCOL_VERSION,
    ZERO_HASH,
    Batch,
    EnrolmentRequest,
    Envelope,
    SpecIdentityWire,
    canonical_json,
    envelope_hash,
    envelope_seal_info,
    sign_batch,
    signed_batch_bytes,
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
class StationChain:
    """A station as the server sees it: id, key and its outbox chain."""

    station_id: str
    key: StationKey
    spec: SpecIdentityWire
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    last_seq: int = 0
    last_hash: str = ZERO_HASH
    batch_seq: int = 0

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def append(self, sealed: bytes, envelope_id: str | None = None) -> Envelope:
        """The next envelope of the chain, carrying `sealed` bytes."""
        envelope = Envelope(
            v=PROTOCOL_VERSION,
            envelope_id=envelope_id or self.new_id(),
            seq=self.last_seq + 1,
            prev=self.last_hash,
            spec=self.spec,
            sealed=base64.b64encode(sealed).decode(),
        )
        self.last_seq, self.last_hash = envelope.seq, envelope_hash(envelope)
        return envelope

    def sealed(self, plaintext: bytes, public_key: SurveyPublicKey) -> Envelope:
        """The next envelope, with `plaintext` really sealed to its id and spec (HPKE)."""
        envelope_id = self.new_id()
        info = envelope_seal_info(envelope_id, self.spec)
        return self.append(seal(plaintext, public_key, info=info), envelope_id)

    def envelopes(self, count: int, sealed: bytes | None = None) -> list[Envelope]:
        return [self.append(sealed or self.rng.randbytes(300)) for _ in range(count)]

    def batch(self, envelopes: list[Envelope], *, batch_seq: int | None = None) -> Batch:
        if batch_seq is None:
            self.batch_seq += 1
            batch_seq = self.batch_seq
        return Batch(
            v=PROTOCOL_VERSION,
            batch_id=self.new_id(),
            station_id=self.station_id,
            batch_seq=batch_seq,
            created_at="2026-11-29T10:00:00Z",
            envelopes=envelopes,
        )

    def signed_bytes(self, batch: Batch) -> bytes:
        return signed_batch_bytes(sign_batch(batch, self.key.sign))


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
        return StationChain(answer.station_id, key, self.spec, random.Random(answer.station_id))


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
