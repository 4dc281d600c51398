"""Realistic traffic for the benchmarks: CIPS responses, sealed and signed as a station does.

Answers are drawn for the officials questionnaire (choice codes, numbers in range), sealed
with the real survey key through the real protocol functions, chained and batched.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crypto import StationKey, SurveyPublicKey, seal
from questionnaire_specs import Question, QuestionType, Spec, load_spec
from questionnaire_specs.answers import check_answer, is_relevant
from sync_server.protocol import (
    Batch,
    Envelope,
    SpecIdentityWire,
    envelope_hash,
    envelope_seal_info,
    sign_batch,
    signed_batch_bytes,
)
from sync_server.protocol.response import response_plaintext
from sync_server.protocol.wire import ZERO_HASH

ROOT = Path(__file__).resolve().parent.parent
OFFICIALS = ROOT / "questionnaire_specs" / "cips" / "officials.yaml"


def officials_spec() -> Spec:
    return load_spec(OFFICIALS)


def random_answers(spec: Spec, rng: random.Random, count: int = 60) -> dict[str, Any]:
    """Up to `count` valid answers to relevant choice and number questions, consent given
    (free text is left out: it is optional)."""
    answers: dict[str, Any] = {}
    for question in spec.questions_for("officials"):
        if len(answers) == count:
            break
        if not is_relevant(question, answers):
            continue
        for _attempt in range(20):
            value = _draw(spec, question, rng)
            if value is None or check_answer(spec, question, value, answers) is None:
                break
        if value is not None:
            answers[question.id] = value
    return answers


def _draw(spec: Spec, question: Question, rng: random.Random) -> Any:
    if question.id == "consent":
        return 1
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.LIKERT):
        return rng.choice(spec.options_for(question)).code
    if question.type is QuestionType.MULTI_CHOICE:
        options = [o.code for o in spec.options_for(question) if not o.exclusive]
        return [code for code in options if code in rng.sample(options, k=min(2, len(options)))]
    if question.type is QuestionType.NUMBER:
        return rng.randint(int(question.min or 0), int(question.max or 40))
    return None


def response_payload(spec: Spec, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": 1,
        "answers": answers,
        "spec": spec.identity.as_dict(),
        "language": "en",
        "population": "officials",
        "country": "SL",
        "region": "Western Area",
        "completed_on": "2026-11-29",
        "duration_s": 600,
        "complete": True,
    }


@dataclass
class BenchStation:
    """A station's chain and key, producing signed batches of sealed envelopes."""

    station_id: str
    key: StationKey
    spec: SpecIdentityWire
    public_key: SurveyPublicKey
    spec_model: Spec
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    last_seq: int = 0
    last_hash: str = ZERO_HASH
    batch_seq: int = 0

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def envelope(self, payload: dict[str, Any]) -> Envelope:
        envelope_id = self.new_id()
        sealed = seal(
            response_plaintext(self.spec_model, payload),
            self.public_key,
            info=envelope_seal_info(envelope_id, self.spec),
        )
        envelope = Envelope(
            v=1,
            envelope_id=envelope_id,
            seq=self.last_seq + 1,
            prev=self.last_hash,
            spec=self.spec,
            sealed=base64.b64encode(sealed).decode(),
        )
        self.last_seq, self.last_hash = envelope.seq, envelope_hash(envelope)
        return envelope

    def batch_bytes(self, envelopes: list[Envelope]) -> bytes:
        self.batch_seq += 1
        batch = Batch(
            v=1,
            batch_id=self.new_id(),
            station_id=self.station_id,
            batch_seq=self.batch_seq,
            created_at="2026-11-29T10:00:00Z",
            envelopes=envelopes,
        )
        return signed_batch_bytes(sign_batch(batch, self.key.sign))
