"""The pydantic schemas of what travels between station and server (docs/protocol.md).

Strict and closed: no coercion, no unknown fields, so what is validated is exactly what was
signed and hashed.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from crypto import CryptoError, SurveyPublicKey
from protocol.limits import (
    ENVELOPE_V_KEYED,
    ENVELOPE_VERSION,
    MAX_ENVELOPES_PER_BATCH,
    MAX_SEALED_CHARS,
    MAX_SEQUENCE,
    SITE_ENVELOPE_VERSIONS,
)

ProtocolVersion = Annotated[int, Field(strict=True, ge=1, le=1)]
EnvelopeVersion = Annotated[int, Field(strict=True, ge=1, le=ENVELOPE_VERSION)]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Uuid4Text = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ),
]
# A survey key's id: crypto's SurveyPublicKey.key_id() (16 lowercase base32 characters).
SurveyKeyId = Annotated[str, StringConstraints(pattern=r"^[a-z2-7]{16}$")]
StationId = Annotated[str, StringConstraints(pattern=r"^st_[a-z0-9]{1,40}$")]
# UTC, second precision, written with a Z: what the station's clock said.
UtcTimestamp = Annotated[
    str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
]


def wire_time(moment: datetime) -> str:
    """A datetime as a UtcTimestamp (second precision); an aware one is converted to UTC,
    a naive one is taken as UTC already (the server's stored times)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_wire_time(text: str) -> datetime:
    """A UtcTimestamp back as an aware UTC datetime; ValueError if it is not one."""
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


SpecId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^\d{1,9}\.\d{1,9}\.\d{1,9}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]

ZERO_HASH = "0" * 64

_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def decode_base64(text: str, *, what: str) -> bytes:
    """Standard canonical base64 with padding, nothing else (no whitespace, no URL
    alphabet, no spare bits set)."""
    raw = text.encode("ascii", errors="replace")
    if len(raw) % 4 or not set(raw) <= _BASE64_ALPHABET:
        raise ValueError(f"{what} is not standard padded base64")
    if b"=" in raw[:-2]:
        raise ValueError(f"{what} is not standard padded base64")
    try:
        decoded = base64.b64decode(raw, validate=True)
    except binascii.Error as error:
        raise ValueError(f"{what} is not valid base64: {error}") from error
    # Only one spelling of each byte string: flipped spare bits in a padded last group
    # ("J+Cw==" and "J+C7==" are the same bytes) would make one signature two batches.
    padding = raw[-2:].count(b"=")
    if padding and base64.b64encode(decoded[-(3 - padding) :]) != raw[-4:]:
        raise ValueError(f"{what} is not canonical base64 (its spare bits are set)")
    return decoded


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _signature_is_base64(value: str) -> str:
    decode_base64(value, what="signature")
    return value


Signature = Annotated[
    str,
    StringConstraints(min_length=4, max_length=200),
    AfterValidator(_signature_is_base64),
]


_SITE_VERSIONS_TEXT = " or ".join(map(str, SITE_ENVELOPE_VERSIONS))


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SpecIdentityWire(_Wire):
    """A questionnaire spec's identity: (id, version, sha256 of its canonical JSON)."""

    id: SpecId
    version: SemVer
    sha256: Sha256Hex

    def triple(self) -> tuple[str, str, str]:
        return (self.id, self.version, self.sha256)


class Envelope(_Wire):
    """One sealed response as the outbox holds it and the wire carries it."""

    v: EnvelopeVersion
    envelope_id: Uuid4Text
    seq: Annotated[int, Field(ge=1, le=MAX_SEQUENCE)]
    prev: Sha256Hex
    spec: SpecIdentityWire
    sealed: Annotated[str, StringConstraints(min_length=4, max_length=MAX_SEALED_CHARS)]
    # From v4: which survey key sealed it (also bound in the sealed context).
    key_id: SurveyKeyId | None = None

    # Only SiteEnvelope is built by the site (v3, v5); a station's envelope never is one.
    built_by_site: ClassVar[bool] = False

    @model_validator(mode="after")
    def _version_fits(self) -> Envelope:
        if (self.v in SITE_ENVELOPE_VERSIONS) != self.built_by_site:
            raise ValueError(f"a station envelope is not of version {_SITE_VERSIONS_TEXT}")
        if self.v >= ENVELOPE_V_KEYED and self.key_id is None:
            raise ValueError(f"an envelope of version {self.v} names its key_id")
        if self.v < ENVELOPE_V_KEYED and self.key_id is not None and not self.built_by_site:
            raise ValueError(f"an envelope of version {self.v} has no key_id")
        return self

    @model_serializer(mode="wrap")
    def _without_absent_key_id(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Absent, not null: the documents (and so the hashes and signatures) of envelopes
        # made before v4 stay byte for byte what they were.
        document: dict[str, Any] = handler(self)
        if document.get("key_id") is None:
            document.pop("key_id", None)
        return document

    @field_validator("sealed")
    @classmethod
    def _sealed_is_base64(cls, value: str) -> str:
        decode_base64(value, what="sealed")
        return value

    def sealed_bytes(self) -> bytes:
        return base64.b64decode(self.sealed)


def _site_version(value: int) -> int:
    if value not in SITE_ENVELOPE_VERSIONS:
        raise ValueError(f"a site envelope is of version {_SITE_VERSIONS_TEXT}")
    return value


class SiteEnvelope(Envelope):
    """An envelope the online site builds around what a browser sealed (sync_server/site): the
    site assigns seq and prev; a station batch (list[Envelope]) can never carry one. Its
    `key_id` is the campaign's key, set by the site; from v5 the browser's context binds it
    as a station's v4 does (v3's does not)."""

    v: Annotated[int, Field(strict=True), AfterValidator(_site_version)]
    built_by_site: ClassVar[bool] = True


class Batch(_Wire):
    v: ProtocolVersion
    batch_id: Uuid4Text
    station_id: StationId
    batch_seq: Annotated[int, Field(ge=1, le=MAX_SEQUENCE)]
    created_at: UtcTimestamp
    envelopes: Annotated[list[Envelope], Field(min_length=1, max_length=MAX_ENVELOPES_PER_BATCH)]


class _Signed(_Wire):
    """A message and the station's base64 Ed25519 signature over it. The fields are declared
    in each subclass, so the message comes first on the wire."""

    if TYPE_CHECKING:
        signature: str

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature)


class SignedBatch(_Signed):
    """`signature` is base64 Ed25519 over b"MSS/v1/batch\\x00" + canonical_json(batch)."""

    batch: Batch
    signature: Signature


EnvelopeStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class EnvelopeResult(_Wire):
    envelope_id: Uuid4Text
    status: EnvelopeStatus
    # Set for `conflict` and `rejected`: a code from the problem catalogue.
    code: str | None = None

    @property
    def acknowledged(self) -> bool:
        """The station may mark the envelope as delivered."""
        return self.status in ("accepted", "duplicate")


class Receipt(_Wire):
    batch_id: Uuid4Text
    results: list[EnvelopeResult]

    def wire_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


class EnrolmentRequest(_Wire):
    v: ProtocolVersion
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    # base64 of the station's 32-byte Ed25519 public key.
    public_key: Annotated[str, StringConstraints(min_length=4, max_length=100)]
    app_version: ShortText

    @field_validator("public_key")
    @classmethod
    def _public_key_is_32_bytes(cls, value: str) -> str:
        if len(decode_base64(value, what="public_key")) != 32:
            raise ValueError("public_key must be 32 bytes (Ed25519), base64")
        return value

    def public_key_bytes(self) -> bytes:
        return base64.b64decode(self.public_key)


class EnrolmentResponse(_Wire):
    v: ProtocolVersion
    station_id: StationId
    country: ShortText
    region: ShortText
    populations: list[ShortText]
    # The survey's HPKE public key, in crypto's text form.
    survey_public_key: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    specs: list[SpecIdentityWire]
    server_time: UtcTimestamp


# Why a station kept its survey key when a beacon answer announced another (it reports the
# latest in its next beacons, so the fleet view shows it): device_app/key_rotation.py.
KeyRefusal = Literal[
    "survey-key-other-server",  # the answer came from another URL than the enrolled one
    "survey-key-plain-http",  # not https (nor loopback): anyone on the way could write it
    "survey-key-unusable",  # not a well-formed survey key, or a malformed record
    "survey-key-unsigned",  # no record signed by the operator came with it
    "survey-key-no-operator-key",  # the station pinned no operator key at provisioning
    "survey-key-forged",  # the record's signature does not verify under the pinned key
    "survey-key-other-country",  # signed, but for another country than the station's
    "survey-key-older",  # signed, but older than the key the station holds (a replay)
]


class SurveyKeyRecord(_Wire):
    """What the operator signs for a new survey key (`mss server survey-key new
    --operator-key`): the key and the one place it is for. The signed bytes are
    codec.survey_key_record_payload."""

    key_id: SurveyKeyId
    country: ShortText
    wave: ShortText
    public_key: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    kem: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    created: UtcTimestamp

    @model_validator(mode="after")
    def _names_its_key(self) -> SurveyKeyRecord:
        try:
            key = SurveyPublicKey.from_text(self.public_key)
        except CryptoError as error:
            raise ValueError(f"public_key is not a survey key ({error})") from None
        if (key.key_id(), key.kem) != (self.key_id, self.kem):
            raise ValueError("key_id and kem must be those of public_key")
        return self

    def survey_public_key(self) -> SurveyPublicKey:
        return SurveyPublicKey.from_text(self.public_key)


class SignedSurveyKey(_Wire):
    """A survey key record and the operator's base64 Ed25519 signature over it."""

    record: SurveyKeyRecord
    signature: Signature

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature)


class Beacon(_Wire):
    """A station's periodic health report: nothing about any respondent."""

    v: ProtocolVersion
    station_id: StationId
    sent_at: UtcTimestamp
    app_version: ShortText
    specs: Annotated[list[SpecIdentityWire], Field(max_length=100)]
    outbox_depth: Annotated[int, Field(ge=0, le=MAX_SEQUENCE)]
    last_seq: Annotated[int, Field(ge=0, le=MAX_SEQUENCE)]
    # Set while the station keeps its key against the latest announcement (why, as a code).
    survey_key_refused: KeyRefusal | None = None

    @model_serializer(mode="wrap")
    def _without_absent_refusal(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Absent, not null: a beacon with nothing to report is what it was before.
        document: dict[str, Any] = handler(self)
        if document.get("survey_key_refused") is None:
            document.pop("survey_key_refused", None)
        return document


class SignedBeacon(_Signed):
    """`signature` is base64 Ed25519 over b"MSS/v1/beacon\\x00" + canonical_json(beacon)."""

    beacon: Beacon
    signature: Signature


class BeaconAnswer(_Wire):
    """The server's answer to a beacon. `survey_public_key` announces the key the station's
    country seals to now (crypto's text form), and `survey_key` the operator's signed record
    of it: a station that holds another switches to it for its next responses, if the
    record verifies under the operator key it pinned and the announcement came the way its
    rule allows (device_app/key_rotation.py; docs/protocol.md "Key announcements")."""

    status: Literal["recorded"]
    station_id: StationId
    survey_public_key: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = (
        None
    )
    survey_key: SignedSurveyKey | None = None

    def wire_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


class SpecList(_Wire):
    specs: list[SpecIdentityWire]
