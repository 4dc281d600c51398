"""Simulated processed responses, written straight into the store's tables (SQLAlchemy Core):
the real CIPS officials spec, one station, batch and inbox row per envelope (responses
reference the inbox), and plausible answers with a few comments holding personal data."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Disclosure, QuestionType, Spec, canonical_json, load_spec
from questionnaire_specs.answers import is_relevant
from sync_server.ingest import register_spec
from sync_server.processor.run import answers_document
from sync_server.store.models import (
    BatchRecord,
    InboxEnvelope,
    ResponseRecord,
    Station,
)

OFFICIALS = Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml"
PRIVATE_SECTOR = OFFICIALS.with_name("private_sector.yaml")
ZERO = "0" * 64
COMMENTS = [
    "Write to jean.dupont@douane.example or call +232 76 123 456.",
    "Inspecteur Kamara asks for money at the gate.",
    "Nothing to add.",
]


def officials() -> Spec:
    return load_spec(OFFICIALS)


def register(
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    spec_file: Path = OFFICIALS,
) -> Spec:
    spec = load_spec(spec_file)
    register_spec(session_factory, canonical_json(spec), clock=clock)
    return spec


@dataclass
class Simulation:
    session_factory: sessionmaker[Session]
    spec: Spec
    rng: random.Random

    @property
    def population(self) -> str:
        return self.spec.populations[0].id

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def answers(self) -> dict[str, Any]:
        """Valid answers; quasi-identifiers skewed to a few values, as in a real post."""
        rng = self.rng
        answers: dict[str, Any] = {"consent": 1}
        for question in self.spec.questions_for(self.population):
            if not question.is_answered or question.id in answers:
                continue
            if not is_relevant(question, answers):
                continue
            options = [o.code for o in self.spec.options_for(question)]
            if question.disclosure is Disclosure.QUASI_IDENTIFIER:
                answers[question.id] = rng.choice(options[:2] * 4 + options)
            elif question.type is QuestionType.MULTI_CHOICE:
                picked = {rng.choice(options[:-1]), rng.choice(options[:-1])}
                answers[question.id] = [code for code in options if code in picked]
            elif question.type is QuestionType.TEXT:
                if rng.random() < 0.3:
                    answers[question.id] = rng.choice(COMMENTS)
            else:
                answers[question.id] = rng.choice(options)
        return answers

    def add(
        self,
        country: str,
        count: int,
        *,
        days: tuple[date, date] = (date(2026, 3, 1), date(2026, 11, 28)),
        region: str = "Western Area",
        processed_at: datetime = datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
    ) -> list[str]:
        """`count` processed responses from one new station of `country`; their ids."""
        station_id = self.new_id()
        batch_id = self.new_id()
        identity = self.spec.identity
        span = (days[1] - days[0]).days
        inbox, responses = [], []
        for seq in range(1, count + 1):
            envelope_id, response_id = self.new_id(), self.new_id()
            inbox.append({
                "envelope_id": envelope_id, "station_id": station_id, "seq": seq,
                "prev_hash": ZERO, "spec_id": identity.id, "spec_version": identity.version,
                "spec_sha256": identity.sha256, "sealed": b"sealed", "envelope_hash": ZERO,
                "batch_id": batch_id, "received_at": processed_at, "state": "processed",
            })  # fmt: skip
            responses.append({
                "response_id": response_id, "station_id": station_id,
                "envelope_id": envelope_id, "spec_id": identity.id,
                "spec_version": identity.version, "spec_sha256": identity.sha256,
                "country": country, "region": region,
                "population": self.population, "language": self.rng.choice(["en", "fr"]),
                "completed_on": days[0] + timedelta(days=self.rng.randint(0, span)),
                "duration_s": self.rng.randint(300, 1500), "complete": True,
                "processed_at": processed_at, "answers": answers_document(self.answers()),
            })  # fmt: skip
        with self.session_factory.begin() as session:
            session.execute(insert(Station), [{
                "station_id": station_id, "public_key": self.rng.randbytes(32),
                "country": country, "region": region, "populations": [self.population],
                "status": "active", "app_version": "test", "enrolled_at": processed_at,
                "last_batch_seq": 1, "last_envelope_seq": count, "envelopes_received": count,
                "duplicates": 0, "conflicts": 0,
            }])  # fmt: skip
            session.execute(insert(BatchRecord), [{
                "batch_id": batch_id, "station_id": station_id, "batch_seq": 1,
                "content_sha256": ZERO, "received_at": processed_at, "envelope_count": count,
                "via": "http", "signature": "signature",
            }])  # fmt: skip
            session.execute(insert(InboxEnvelope), inbox)
            session.execute(insert(ResponseRecord), responses)
        return [row["response_id"] for row in responses]


def simulate(
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    seed: int = 5,
    spec_file: Path = OFFICIALS,
) -> Simulation:
    spec = register(session_factory, clock, spec_file)
    return Simulation(session_factory, spec, random.Random(seed))
