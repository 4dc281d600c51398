"""Bytes in, models out (and back): hashing, seal context, signing payloads, batch files.

The station's USB export and the server's HTTP and USB import all go through these, so a
batch file and an HTTP body are the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from crypto import AES_128_GCM, CHACHA20_POLY1305
from protocol.canonical import (
    CanonicalJsonError,
    canonical_json,
    canonical_json_of_parsed,
    json_string,
    load_json,
)
from protocol.limits import (
    ENVELOPE_V_KEYED,
    MAX_BATCH_BYTES,
    MAX_BATCH_DECOMPRESSED_BYTES,
    SITE_ENVELOPE_VERSIONS,
    STATION_BOUND_ENVELOPE_VERSION,
)
from protocol.problems import Problem
from protocol.wire import (
    Batch,
    Beacon,
    Envelope,
    SignedBatch,
    SignedBeacon,
    SignedSurveyKey,
    SpecIdentityWire,
    SurveyKeyRecord,
    encode_base64,
)

BATCH_SIGNING_DOMAIN = "batch"
BEACON_SIGNING_DOMAIN = "beacon"
# The operator's signature over a survey key record (crypto.OperatorKey).
SURVEY_KEY_SIGNING_DOMAIN = "survey-key"
SEAL_INFO_PREFIX = b"MSS envelope v1\x00"  # unbound: sealed before stations were named
BOUND_SEAL_INFO_PREFIX = b"MSS envelope v2\x00"
KEYED_SEAL_INFO_PREFIX = b"MSS envelope v4\x00"

ModelT = TypeVar("ModelT", bound=BaseModel)

# What a station signer looks like: StationKey.sign(domain, message) -> signature bytes.
Signer = Callable[[str, bytes], bytes]


class ProtocolError(Problem):
    """Bytes that are not a valid protocol message; `code` says which problem."""


def signing_prefix(domain: str) -> bytes:
    """The domain-separation prefix `crypto` puts before a signed message."""
    return b"MSS/v1/" + domain.encode("ascii") + b"\x00"


def envelope_document(envelope: Envelope) -> dict[str, Any]:
    return envelope.model_dump(mode="json")


def envelope_hash(envelope: Envelope | dict[str, Any]) -> str:
    """sha256 hex of the envelope's canonical JSON: the chain link and the dedup check."""
    document = envelope if isinstance(envelope, dict) else envelope_document(envelope)
    return hashlib.sha256(canonical_json(document)).hexdigest()


def envelope_seal_info(
    envelope_id: str,
    spec_identity: SpecIdentityWire | Any,
    *,
    station_id: str | None,
    key_id: str | None = None,
) -> bytes:
    """The HPKE `info` that binds a sealed response to its envelope id, spec, the station
    that sealed it and the survey key it was sealed to (envelope v4). Without `key_id`, the
    v2 context (no key named: envelopes of before v4 and the site's v3); `station_id=None`
    too, the v1 context, which names no station: both only for opening old envelopes.

    The canonical JSON of {"envelope_id", "key_id", "spec": {"id", "sha256", "version"},
    "station_id"} (keys in that sorted order), written out piece by piece: the processor
    builds one per envelope, and the whole encoder cost more than the open's own setup.
    Each string goes through the canonical encoder's own string writer, so the bytes are
    canonical_json's (tests/protocol/test_canonical_pieces.py compares them)."""
    text = '{"envelope_id":' + json_string(envelope_id)
    if station_id is not None and key_id is not None:
        text += ',"key_id":' + json_string(key_id)
    text += (
        ',"spec":{"id":' + json_string(spec_identity.id)
        + ',"sha256":' + json_string(spec_identity.sha256)
        + ',"version":' + json_string(spec_identity.version) + "}"
    )  # fmt: skip
    if station_id is None:
        return SEAL_INFO_PREFIX + (text + "}").encode("utf-8")
    text += ',"station_id":' + json_string(station_id) + "}"
    prefix = BOUND_SEAL_INFO_PREFIX if key_id is None else KEYED_SEAL_INFO_PREFIX
    return prefix + text.encode("utf-8")


def seal_info_of(
    envelope_v: int,
    envelope_id: str,
    spec_identity: Any,
    station_id: str,
    key_id: str | None = None,
) -> bytes:
    """The `info` an envelope of version `envelope_v`, sent by `station_id` (and from v4
    naming `key_id`), was sealed with."""
    bound = envelope_v >= STATION_BOUND_ENVELOPE_VERSION
    keyed = envelope_v >= ENVELOPE_V_KEYED
    return envelope_seal_info(
        envelope_id,
        spec_identity,
        station_id=station_id if bound else None,
        key_id=key_id if keyed else None,
    )


def envelope_aead(envelope_v: int) -> str:
    """The AEAD an envelope of version `envelope_v` is sealed with: the site's (v3, v5) with
    AES-128-GCM, which a browser's WebCrypto has; the stations' with ChaCha20-Poly1305."""
    return AES_128_GCM if envelope_v in SITE_ENVELOPE_VERSIONS else CHACHA20_POLY1305


CHANNELS = ("station", "site")


def envelope_channel(envelope_v: int) -> str:
    """Which channel an envelope came in by: only the online site builds v3 and v5 envelopes."""
    return "site" if envelope_v in SITE_ENVELOPE_VERSIONS else "station"


def batch_signing_payload(batch: Batch | dict[str, Any]) -> bytes:
    """The message the station signs (crypto adds the b"MSS/v1/batch\\x00" prefix)."""
    document = batch if isinstance(batch, dict) else batch.model_dump(mode="json")
    return canonical_json(document)


def beacon_signing_payload(beacon: Beacon | dict[str, Any]) -> bytes:
    document = beacon if isinstance(beacon, dict) else beacon.model_dump(mode="json")
    return canonical_json(document)


def survey_key_record_payload(record: SurveyKeyRecord) -> bytes:
    """The message the operator signs for a survey key (crypto adds b"MSS/v1/survey-key\\x00"):
    the record's canonical JSON."""
    return canonical_json(record.model_dump(mode="json"))


def sign_survey_key(record: SurveyKeyRecord, sign: Signer) -> SignedSurveyKey:
    signature = sign(SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload(record))
    return SignedSurveyKey(record=record, signature=encode_base64(signature))


def sign_batch(batch: Batch, sign: Signer) -> SignedBatch:
    signature = sign(BATCH_SIGNING_DOMAIN, batch_signing_payload(batch))
    return SignedBatch(batch=batch, signature=encode_base64(signature))


def sign_beacon(beacon: Beacon, sign: Signer) -> SignedBeacon:
    signature = sign(BEACON_SIGNING_DOMAIN, beacon_signing_payload(beacon))
    return SignedBeacon(beacon=beacon, signature=encode_base64(signature))


def elide_chained_prevs(document: dict[str, Any]) -> dict[str, Any]:
    """The signed batch document with every `prev` that the batch itself implies left out.

    An envelope's `prev` is the hash of the envelope before it; when that envelope travels
    in the same batch, the receiver recomputes it. Left in, a 64-hex-digit hash costs ~45 of
    the ~190 bytes a response takes on the wire. The signature still covers the full batch:
    `parse_signed_batch_document` puts every `prev` back before anything is verified or
    stored.
    """
    envelopes = document["batch"]["envelopes"]
    compact = []
    for number, envelope in enumerate(envelopes):
        before = envelopes[number - 1] if number else None
        if (
            before is not None
            and before["seq"] == envelope["seq"] - 1
            and envelope["prev"] == envelope_hash(before)
        ):
            envelope = {key: value for key, value in envelope.items() if key != "prev"}
        compact.append(envelope)
    return {**document, "batch": {**document["batch"], "envelopes": compact}}


def _restore_and_hash(document: Any) -> tuple[Any, tuple[str, ...] | None]:
    """Undo `elide_chained_prevs`: the restored document and every envelope's hash, each
    computed once (the hash of one envelope is the `prev` of the next); None when the
    document is not shaped like a batch (schema validation then says what is wrong).
    ProtocolError when a `prev` is missing that the batch does not imply."""
    try:
        envelopes = document["batch"]["envelopes"]
    except (KeyError, TypeError):
        return document, None
    if not isinstance(envelopes, list):
        return document, None
    restored: list[Any] = []
    hashes: list[str] = []
    for number, envelope in enumerate(envelopes):
        before = restored[number - 1] if number else None
        if isinstance(envelope, dict) and "prev" not in envelope:
            if (
                not isinstance(before, dict)
                or not isinstance(envelope.get("seq"), int)
                or before.get("seq") != envelope["seq"] - 1
            ):
                raise ProtocolError(
                    "malformed-batch",
                    f"envelope {number + 1} has no prev and its predecessor is not in the batch",
                )
            envelope = {**envelope, "prev": hashes[-1]}
        restored.append(envelope)
        try:
            digest = hashlib.sha256(canonical_json_of_parsed(envelope)).hexdigest()
            hashes.append(digest if isinstance(envelope, dict) else "")
        except (CanonicalJsonError, TypeError, ValueError) as error:
            raise ProtocolError("malformed-batch", str(error)) from None
    document = {**document, "batch": {**document["batch"], "envelopes": restored}}
    return document, tuple(hashes)


def signed_batch_bytes(signed: SignedBatch) -> bytes:
    """The gzip bytes of an HTTP body or a USB batch file (deterministic: mtime 0), with the
    prevs the batch implies left out (see elide_chained_prevs)."""
    body = canonical_json(elide_chained_prevs(signed.model_dump(mode="json")))
    if len(body) > MAX_BATCH_DECOMPRESSED_BYTES:
        raise ProtocolError(
            "payload-too-large",
            f"the batch is {len(body)} bytes of JSON; the limit is "
            f"{MAX_BATCH_DECOMPRESSED_BYTES}: send fewer envelopes per batch",
        )
    data = gzip.compress(body, compresslevel=6, mtime=0)
    if len(data) > MAX_BATCH_BYTES:
        raise ProtocolError(
            "payload-too-large",
            f"the batch is {len(data)} bytes compressed; the limit is {MAX_BATCH_BYTES}: "
            "send fewer envelopes per batch",
        )
    return data


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress gzip (all members) but never beyond `limit` bytes: no gzip bombs."""
    out = bytearray()
    rest = data
    if not rest:
        raise ProtocolError("malformed-batch", "the body is empty; expected gzip")
    while rest:
        decompressor = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
        try:
            out += decompressor.decompress(rest, limit + 1 - len(out))
        except zlib.error as error:
            raise ProtocolError("malformed-batch", f"the body is not valid gzip: {error}") from None
        if len(out) > limit or decompressor.unconsumed_tail:
            raise ProtocolError(
                "payload-too-large", f"the batch decompresses to more than {limit} bytes"
            )
        if not decompressor.eof:
            raise ProtocolError("malformed-batch", "the gzip data is truncated")
        rest = decompressor.unused_data
    return bytes(out)


@dataclass(frozen=True)
class ParsedBatch:
    """A validated signed batch, with what parsing computed once: each envelope's hash, and
    the batch's canonical bytes (what the signature covers)."""

    signed: SignedBatch
    envelope_hashes: tuple[str, ...]
    batch_bytes: bytes

    def content_sha256(self) -> str:
        """Identifies the signed content: same batch id and digest means a retry."""
        return hashlib.sha256(
            self.batch_bytes + b"\x00" + self.signed.signature.encode()
        ).hexdigest()


def _validation_summary(error: ValidationError, limit: int = 5) -> str:
    parts = []
    for item in error.errors()[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "(top)"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def parse_json_document(data: bytes, *, code: str, what: str) -> dict[str, Any]:
    try:
        document = load_json(data)
    except (ValueError, RecursionError) as error:
        raise ProtocolError(code, f"the {what} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ProtocolError(code, f"the {what} must be a JSON object")
    return document


def parse_signed_batch_document(data: bytes) -> ParsedBatch:
    """Size-check, gunzip, parse and validate a signed batch. Raises ProtocolError."""
    if len(data) > MAX_BATCH_BYTES:
        raise ProtocolError(
            "payload-too-large", f"the batch is {len(data)} bytes; the limit is {MAX_BATCH_BYTES}"
        )
    body = gunzip_bounded(data, MAX_BATCH_DECOMPRESSED_BYTES)
    document, hashes = _restore_and_hash(
        parse_json_document(body, code="malformed-batch", what="batch")
    )
    try:
        signed = SignedBatch.model_validate(document)
    except ValidationError as error:
        raise ProtocolError(
            "malformed-batch", f"the batch does not match the schema: {_validation_summary(error)}"
        ) from None
    try:
        batch_bytes = canonical_json_of_parsed(document["batch"])
    except CanonicalJsonError as error:
        raise ProtocolError("malformed-batch", str(error)) from None
    assert hashes is not None  # a validated SignedBatch is shaped like a batch
    return ParsedBatch(signed=signed, envelope_hashes=hashes, batch_bytes=batch_bytes)


def parse_signed_batch(data: bytes) -> SignedBatch:
    return parse_signed_batch_document(data).signed


def validate_document(document: dict[str, Any], model: type[ModelT], *, what: str) -> ModelT:
    """`document` as `model`, or invalid-request naming where it does not fit."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise ProtocolError(
            "invalid-request", f"the {what} does not match the schema: {_validation_summary(error)}"
        ) from None


def parse_request(data: bytes, model: type[ModelT], *, what: str) -> ModelT:
    """A small JSON request body as `model`: malformed-request or invalid-request otherwise."""
    document = parse_json_document(data, code="malformed-request", what=what)
    return validate_document(document, model, what=what)


def parse_signed_beacon(data: bytes) -> tuple[SignedBeacon, dict[str, Any]]:
    document = parse_json_document(data, code="malformed-request", what="beacon")
    return validate_document(document, SignedBeacon, what="beacon"), document
