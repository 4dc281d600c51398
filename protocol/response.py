"""The sealed response: what is inside the ciphertext (docs/protocol.md).

The station writes it with `response_plaintext`, the processor reads it back with
`read_response_plaintext`: one schema and one codec (response_codec.py) on both sides, so a
field cannot be added on one side and silently dropped on the other.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, field_validator

from protocol.response_codec import (
    ResponseCodecError,
    decode_response,
    encode_response,
)
from protocol.wire import ProtocolVersion, SpecIdentityWire, _Wire
from questionnaire_specs import Spec

AnswerValue = int | float | str | list[int | str]
ANSWER_KEY_CHARS = 100  # the longest question id an answer may name


class SealedResponse(_Wire):
    v: ProtocolVersion
    answers: dict[Annotated[str, StringConstraints(max_length=ANSWER_KEY_CHARS)], AnswerValue]
    spec: SpecIdentityWire
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    population: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    country: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    region: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # Day precision: no time of day is ever sealed.
    completed_on: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    duration_s: Annotated[int, Field(ge=0)]
    complete: bool

    @field_validator("completed_on")
    @classmethod
    def _a_real_day(cls, value: str) -> str:
        # The pattern admits 2026-02-30; the codec would then fail outside the error family.
        date.fromisoformat(value)
        return value

    @property
    def completed_date(self) -> date:
        return date.fromisoformat(self.completed_on)


class ResponseFormatError(ValueError):
    """An opened plaintext that is not a sealed response of ours to this spec."""


def _where(error: ValidationError) -> str:
    # Locations and rules only: a message that quoted the input could quote an answer.
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)[:5]
    )


def response_plaintext(spec: Spec, response: SealedResponse | dict[str, Any]) -> bytes:
    """The bytes that get sealed, for a response to `spec` (a model is already validated; a
    dict is validated here)."""
    try:
        checked = (
            response
            if isinstance(response, SealedResponse)
            else SealedResponse.model_validate({**response, "v": 1})
        )
        if checked.spec.triple() != (spec.id, spec.version, spec.identity.sha256):
            raise ResponseFormatError("the response names another spec")
        return encode_response(spec, checked.model_dump(mode="json"))
    except ValidationError as error:
        raise ResponseFormatError(f"the response cannot be encoded: {_where(error)}") from None
    except ResponseCodecError as error:
        raise ResponseFormatError(f"the response cannot be encoded: {error}") from None


def read_response_plaintext(spec: Spec, plaintext: bytes) -> SealedResponse:
    try:
        decoded = decode_response(spec, plaintext)
        answers = decoded["answers"]
        if max(map(len, answers), default=0) > ANSWER_KEY_CHARS:
            return SealedResponse.model_validate(decoded)  # refused, as the schema says why
        # The codec reads only the spec's question ids, each with a value of its wire type:
        # checking every answer against the schema again was a third of reading a response.
        header = SealedResponse.model_validate({**decoded, "answers": {}})
        return header.model_copy(update={"answers": answers})
    except ResponseCodecError as error:
        raise ResponseFormatError(f"the response is not one to this spec: {error}") from None
    except ValidationError as error:
        raise ResponseFormatError(
            f"the response does not fit the schema: {_where(error)}"
        ) from None
