"""The sealed response: what is inside the ciphertext (docs/protocol.md).

The station writes it with `response_plaintext`, the processor reads it back with
`read_response_plaintext`: one schema on both sides, so a field cannot be added on one side
and silently dropped on the other.
"""

from __future__ import annotations

import zlib
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from sync_server.protocol.canonical import CanonicalJsonError, canonical_json, load_json
from sync_server.protocol.limits import PROTOCOL_VERSION
from sync_server.protocol.wire import ProtocolVersion, SpecIdentityWire, _Wire

# A response is small; a plaintext that inflates past this is not one of ours.
MAX_RESPONSE_PLAINTEXT_BYTES = 256 * 1024

AnswerValue = int | float | str | list[int | str]


class SealedResponse(_Wire):
    v: ProtocolVersion
    answers: dict[Annotated[str, StringConstraints(max_length=100)], AnswerValue]
    spec: SpecIdentityWire
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    population: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    country: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    region: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # Day precision: no time of day is ever sealed.
    completed_on: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    duration_s: Annotated[int, Field(ge=0)]
    complete: bool

    @property
    def completed_date(self) -> date:
        return date.fromisoformat(self.completed_on)


class ResponseFormatError(ValueError):
    """An opened plaintext that is not a sealed response of ours."""


def response_plaintext(response: SealedResponse | dict[str, Any]) -> bytes:
    """Canonical JSON, zlib level 9: the bytes that get sealed."""
    if isinstance(response, SealedResponse):
        response = response.model_dump(mode="json")
    return zlib.compress(canonical_json({**response, "v": PROTOCOL_VERSION}), 9)


def read_response_plaintext(plaintext: bytes) -> SealedResponse:
    try:
        inflater = zlib.decompressobj()
        body = inflater.decompress(plaintext, MAX_RESPONSE_PLAINTEXT_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ResponseFormatError("the response is truncated or too large")
        document = load_json(body)
        return SealedResponse.model_validate(document)
    except zlib.error as error:
        raise ResponseFormatError(f"the response is not zlib data: {error}") from None
    except (CanonicalJsonError, ValueError) as error:
        if isinstance(error, ValidationError):
            raise ResponseFormatError(f"the response does not fit the schema: {error}") from None
        if isinstance(error, ResponseFormatError):
            raise
        raise ResponseFormatError(f"the response is not JSON: {error}") from None
