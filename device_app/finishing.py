"""Finishing a response: seal it to the survey key and append it to the outbox, in ONE
transaction that also deletes the draft.

The session's `FinishedResponse` becomes the protocol's own model once
(`sealed_response`: `protocol.response.SealedResponse`, with the station's country and
region), which is encoded once
(`protocol.response.response_plaintext`, the compact encoding the processor decodes with the
same spec) and sealed; the envelope is built once and its canonical JSON bytes go to the
outbox with the columns the store keeps beside them (`outbox_row`), taken from the model;
the store checks them, and the slot, against the bytes.

The sealing happens inside the store's write transaction (the `build` callback), so a seal
that fails, a payload the protocol's response encoding refuses, or a crash anywhere leaves the
draft and no envelope; a committed transaction leaves the envelope and no draft. Only the
sealed bytes are kept: the station cannot open them (it has no survey private key).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from crypto import SurveyPublicKey, seal
from device_app.errors import InvalidAnswers
from device_app.store import SealedEnvelope
from protocol import (
    ENVELOPE_VERSION,
    PROTOCOL_VERSION,
    Envelope,
    SpecIdentityWire,
    canonical_json,
    envelope_seal_info,
)
from protocol.response import SealedResponse, response_plaintext
from protocol.wire import encode_base64

if TYPE_CHECKING:
    from device_app.session import FinishedResponse
    from device_app.store import OutboxEntry, StationStore
    from questionnaire_specs import Spec, SpecIdentity

Seal = Callable[..., bytes]  # seal(plaintext, public_key, *, info) -> bytes


@dataclass(frozen=True)
class Sealing:
    """Who seals: the survey's public key, and the station whose id the seal binds (so that
    no other tablet can send its envelopes as its own)."""

    public_key: SurveyPublicKey
    station_id: str
    seal_with: Seal = seal


def _unfit(spec: Spec | SpecIdentity) -> InvalidAnswers:
    # The schema's or the codec's own message may quote an answer: say only which spec
    # refused it.
    return InvalidAnswers(
        [f"the answers do not fit the response format of {spec.id} {spec.version}"]
    )


def sealed_response(finished: FinishedResponse, *, country: str, region: str) -> SealedResponse:
    """The session's finished response with where the station stands, as the protocol's
    model (docs/protocol.md, "The sealed response"); InvalidAnswers if it does not fit."""
    try:
        return SealedResponse(
            v=PROTOCOL_VERSION,
            answers=finished.answers,
            spec=SpecIdentityWire.model_validate(finished.spec.as_dict()),
            language=finished.language,
            population=finished.population,
            country=country,
            region=region,
            completed_on=finished.completed_on.isoformat(),
            duration_s=finished.duration_s,
            complete=finished.complete,
        )
    except ValidationError:
        raise _unfit(finished.spec) from None


def sealed_payload(
    spec: Spec, response: SealedResponse, envelope_id: str, sealing: Sealing
) -> bytes:
    """The protocol's compact response encoding for `spec`, HPKE-sealed with the
    envelope's context (envelope id, spec, station) as `info`."""
    try:
        plaintext = response_plaintext(spec, response)
    except ValueError:  # ResponseFormatError, or the codec meeting a wrong type
        raise _unfit(spec) from None
    info = envelope_seal_info(
        envelope_id,
        response.spec,
        station_id=sealing.station_id,
        key_id=sealing.public_key.key_id(),
    )
    return sealing.seal_with(plaintext, sealing.public_key, info=info)


def outbox_row(envelope: Envelope) -> SealedEnvelope:
    """The envelope's canonical JSON, its hash and the outer fields the outbox keeps."""
    data = canonical_json(envelope.model_dump(mode="json"))
    return SealedEnvelope(
        envelope_id=envelope.envelope_id,
        spec_id=envelope.spec.id,
        spec_version=envelope.spec.version,
        spec_sha256=envelope.spec.sha256,
        envelope=data,
        envelope_hash=hashlib.sha256(data).hexdigest(),
    )


def append_response(
    store: StationStore,
    spec: Spec,
    response: SealedResponse,
    sealing: Sealing,
    *,
    draft_id: str | None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> OutboxEntry:
    """Seal `response` into the next outbox slot and delete the draft: one transaction."""
    envelope_id = new_id()

    def build(seq: int, prev: str) -> SealedEnvelope:
        sealed = sealed_payload(spec, response, envelope_id, sealing)
        return outbox_row(
            Envelope(
                v=ENVELOPE_VERSION,
                envelope_id=envelope_id,
                seq=seq,
                prev=prev,
                spec=response.spec,
                sealed=encode_base64(sealed),
                key_id=sealing.public_key.key_id(),
            )
        )

    return store.append_envelope(build, draft_id=draft_id)
