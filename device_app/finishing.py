"""Finishing a response: seal it to the survey key and append it to the outbox, in ONE
transaction that also deletes the draft.

The sealing happens inside the store's write transaction (the `build` callback), so a seal
that fails, a payload the protocol's response encoding refuses, or a crash anywhere leaves the
draft and no envelope; a committed transaction leaves the envelope and no draft. Only the
sealed bytes are kept: the station cannot open them (it has no survey private key).

The plaintext is `protocol.response.response_plaintext` (the compact encoding the
processor decodes with the same spec), so station and server share one codec.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from crypto import SurveyPublicKey, seal
from device_app.errors import InvalidAnswers
from device_app.store import SealedEnvelope
from protocol import (
    PROTOCOL_VERSION,
    Envelope,
    SpecIdentityWire,
    canonical_json,
    envelope_seal_info,
)
from protocol.response import response_plaintext
from protocol.wire import encode_base64

if TYPE_CHECKING:
    from device_app.store import OutboxEntry, StationStore
    from questionnaire_specs import Spec

Seal = Callable[..., bytes]  # seal(plaintext, public_key, *, info) -> bytes


@dataclass(frozen=True)
class ResponseRecord:
    """Everything the sealed payload carries (docs/protocol.md, "The sealed response")."""

    answers: dict[str, Any]
    spec: SpecIdentityWire
    language: str
    population: str
    country: str
    region: str
    completed_on: date  # day precision: no time of day ever leaves the seal
    duration_s: int
    complete: bool

    def payload(self) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "answers": self.answers,
            "spec": self.spec.model_dump(mode="json"),
            "language": self.language,
            "population": self.population,
            "country": self.country,
            "region": self.region,
            "completed_on": self.completed_on.isoformat(),
            "duration_s": int(self.duration_s),
            "complete": bool(self.complete),
        }


def sealed_payload(
    spec: Spec,
    record: ResponseRecord,
    envelope_id: str,
    public_key: SurveyPublicKey,
    *,
    seal_with: Seal = seal,
) -> bytes:
    """The protocol's compact response encoding for `spec`, HPKE-sealed with the
    envelope's context as `info`."""
    try:
        plaintext = response_plaintext(spec, record.payload())
    except ValueError:  # ResponseFormatError, or the codec meeting a wrong type
        # The codec's own message may quote an answer: say only which spec refused it.
        raise InvalidAnswers(
            [f"the answers do not fit the response format of {spec.id} {spec.version}"]
        ) from None
    info = envelope_seal_info(envelope_id, record.spec)
    return seal_with(plaintext, public_key, info=info)


def append_response(
    store: StationStore,
    spec: Spec,
    record: ResponseRecord,
    public_key: SurveyPublicKey,
    *,
    draft_id: str | None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    seal_with: Seal = seal,
) -> OutboxEntry:
    """Seal `record` into the next outbox slot and delete the draft: one transaction."""
    envelope_id = new_id()

    def build(seq: int, prev: str) -> SealedEnvelope:
        sealed = sealed_payload(spec, record, envelope_id, public_key, seal_with=seal_with)
        envelope = Envelope(
            v=PROTOCOL_VERSION,
            envelope_id=envelope_id,
            seq=seq,
            prev=prev,
            spec=record.spec,
            sealed=encode_base64(sealed),
        )
        return SealedEnvelope.from_json(canonical_json(envelope.model_dump(mode="json")))

    return store.append_envelope(build, draft_id=draft_id)
