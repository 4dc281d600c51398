"""Known answers pin the wire format: change a byte of it and this fails.

kat/protocol_v1.json and kat/envelope_v2.json were written once from these inputs; never
regenerate them to make a failing test pass: a difference means stations and server no
longer agree. v1 stays pinned because envelopes sealed before v2 still arrive.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from crypto import OperatorKey, StationKey, SurveyPublicKey, signed_bytes
from protocol import (
    SURVEY_KEY_SIGNING_DOMAIN,
    Batch,
    Envelope,
    SignedSurveyKey,
    SiteEnvelope,
    SpecIdentityWire,
    SurveyKeyRecord,
    batch_signing_payload,
    canonical_json,
    envelope_hash,
    envelope_seal_info,
    seal_info_of,
    sign_batch,
    sign_survey_key,
    signing_prefix,
    survey_key_record_payload,
)

KAT_FILE = Path(__file__).parent / "kat" / "protocol_v1.json"
KAT_V2_FILE = Path(__file__).parent / "kat" / "envelope_v2.json"

SPEC = SpecIdentityWire(id="cips-officials", version="1.0.0", sha256="ab" * 32)
ENVELOPE = Envelope(
    v=1,
    envelope_id="3f1c2a4e-8b6d-4f0a-9c3e-1d2b3c4d5e6f",
    seq=1,
    prev="0" * 64,
    spec=SPEC,
    sealed="c2VhbGVkIGJ5dGVz",
)
BATCH = Batch(
    v=1,
    batch_id="7a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d",
    station_id="st_abcdefghijkl",
    batch_seq=4,
    created_at="2026-11-29T10:00:00Z",
    envelopes=[ENVELOPE],
)
STATION_KEY = StationKey.from_private_bytes(bytes(range(32)))


def answers() -> dict[str, str]:
    signed = sign_batch(BATCH, STATION_KEY.sign)
    return {
        "envelope_canonical_json": canonical_json(ENVELOPE.model_dump(mode="json")).decode(),
        "envelope_hash": envelope_hash(ENVELOPE),
        "seal_info_hex": envelope_seal_info(ENVELOPE.envelope_id, SPEC, station_id=None).hex(),
        "batch_signed_message_sha256": hashlib.sha256(
            signing_prefix("batch") + batch_signing_payload(BATCH)
        ).hexdigest(),
        "station_public_key_hex": STATION_KEY.public_bytes().hex(),
        "batch_signature_b64": signed.signature,
        "signed_batch_json_sha256": hashlib.sha256(
            canonical_json(signed.model_dump(mode="json"))
        ).hexdigest(),
    }


def test_known_answers() -> None:
    assert answers() == json.loads(KAT_FILE.read_text("utf-8"))


def test_seal_info_layout() -> None:
    info = envelope_seal_info(ENVELOPE.envelope_id, SPEC, station_id=None)
    assert info.startswith(b"MSS envelope v1\x00{")
    assert json.loads(info[len(b"MSS envelope v1\x00") :]) == {
        "envelope_id": ENVELOPE.envelope_id,
        "spec": {"id": SPEC.id, "version": SPEC.version, "sha256": SPEC.sha256},
    }


ENVELOPE_V2 = ENVELOPE.model_copy(update={"v": 2})


def answers_v2() -> dict[str, str]:
    return {
        "envelope_canonical_json": canonical_json(ENVELOPE_V2.model_dump(mode="json")).decode(),
        "envelope_hash": envelope_hash(ENVELOPE_V2),
        "seal_info_hex": envelope_seal_info(
            ENVELOPE_V2.envelope_id, SPEC, station_id=BATCH.station_id
        ).hex(),
    }


def test_known_answers_of_the_bound_envelope() -> None:
    assert answers_v2() == json.loads(KAT_V2_FILE.read_text("utf-8"))


def test_the_bound_seal_info_names_the_station() -> None:
    info = envelope_seal_info(ENVELOPE.envelope_id, SPEC, station_id=BATCH.station_id)
    assert info.startswith(b"MSS envelope v2\x00{")
    assert json.loads(info[len(b"MSS envelope v2\x00") :]) == {
        "envelope_id": ENVELOPE.envelope_id,
        "spec": {"id": SPEC.id, "version": SPEC.version, "sha256": SPEC.sha256},
        "station_id": BATCH.station_id,
    }
    # The envelope's own version picks the context: v1 names no station, v2 does.
    assert seal_info_of(1, ENVELOPE.envelope_id, SPEC, BATCH.station_id) == envelope_seal_info(
        ENVELOPE.envelope_id, SPEC, station_id=None
    )
    assert seal_info_of(2, ENVELOPE.envelope_id, SPEC, BATCH.station_id) == info


KAT_V4_FILE = Path(__file__).parent / "kat" / "envelope_v4.json"
# RFC 7748 section 6.1's Alice public key: a survey key nobody here chose.
RFC7748_ALICE = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
KEY_ID = SurveyPublicKey.from_bytes(RFC7748_ALICE).key_id()
ENVELOPE_V4 = Envelope(**{**ENVELOPE.model_dump(), "v": 4, "key_id": KEY_ID})


def answers_v4() -> dict[str, str]:
    return {
        "key_id": KEY_ID,
        "envelope_canonical_json": canonical_json(ENVELOPE_V4.model_dump(mode="json")).decode(),
        "envelope_hash": envelope_hash(ENVELOPE_V4),
        "seal_info_hex": seal_info_of(
            4, ENVELOPE_V4.envelope_id, SPEC, BATCH.station_id, KEY_ID
        ).hex(),
    }


def test_known_answers_of_the_keyed_envelope() -> None:
    assert answers_v4() == json.loads(KAT_V4_FILE.read_text("utf-8"))


def test_the_keyed_seal_info_names_station_and_key_and_old_versions_keep_theirs() -> None:
    info = seal_info_of(4, ENVELOPE.envelope_id, SPEC, BATCH.station_id, KEY_ID)
    assert info.startswith(b"MSS envelope v4\x00{")
    assert json.loads(info[len(b"MSS envelope v4\x00") :]) == {
        "envelope_id": ENVELOPE.envelope_id,
        "key_id": KEY_ID,
        "spec": {"id": SPEC.id, "version": SPEC.version, "sha256": SPEC.sha256},
        "station_id": BATCH.station_id,
    }
    # A key id given for an older version changes nothing: v2 and the site's v3 name none.
    for v in (2, 3):
        assert seal_info_of(v, ENVELOPE.envelope_id, SPEC, BATCH.station_id, KEY_ID) == (
            envelope_seal_info(ENVELOPE.envelope_id, SPEC, station_id=BATCH.station_id)
        )
    # Before v4 an envelope's document has no key_id at all (not null): v1 and v2 hashes and
    # the batch signatures over them are what they were.
    assert "key_id" not in ENVELOPE.model_dump(mode="json")
    assert envelope_hash(ENVELOPE) == json.loads(KAT_FILE.read_text("utf-8"))["envelope_hash"]


KAT_RECORD_FILE = Path(__file__).parent / "kat" / "survey_key_record.json"
# RFC 8032 section 7.1, TEST 1: an Ed25519 seed nobody here chose, and its public key.
RFC8032_TEST1_SEED = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
)
RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RECORD = SurveyKeyRecord(
    key_id=KEY_ID, country="SL", wave="2027", public_key=SurveyPublicKey.from_bytes(
        RFC7748_ALICE).to_text(), kem="x25519", created="2027-01-05T08:00:00Z",
)  # fmt: skip


def answers_survey_key_record() -> dict[str, str]:
    operator = OperatorKey.from_private_bytes(RFC8032_TEST1_SEED)
    payload = survey_key_record_payload(RECORD)
    return {
        "operator_public_key": operator.public_key().to_text(),
        "operator_fingerprint": operator.public_key().fingerprint(),
        "record_canonical_json": payload.decode(),
        "signed_bytes_hex": signed_bytes(SURVEY_KEY_SIGNING_DOMAIN, payload).hex(),
        "signature": sign_survey_key(RECORD, operator.sign).signature,
    }


def test_known_answers_of_the_signed_survey_key_record() -> None:
    assert answers_survey_key_record() == json.loads(KAT_RECORD_FILE.read_text("utf-8"))
    # The operator key is RFC 8032's: its public half is the RFC's.
    operator = OperatorKey.from_private_bytes(RFC8032_TEST1_SEED)
    assert operator.public_key().to_bytes().hex() == RFC8032_TEST1_PUBLIC
    signed = SignedSurveyKey.model_validate(
        {"record": RECORD.model_dump(mode="json"),
         "signature": answers_survey_key_record()["signature"]}
    )  # fmt: skip
    operator.public_key().verify(
        SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload(signed.record),
        signed.signature_bytes(),
    )  # fmt: skip
    # The record's bytes are its fields in canonical order, every one of them signed.
    assert json.loads(survey_key_record_payload(RECORD)) == {
        "country": "SL", "created": "2027-01-05T08:00:00Z", "kem": "x25519", "key_id": KEY_ID,
        "public_key": RECORD.public_key, "wave": "2027",
    }  # fmt: skip


KAT_V5_FILE = Path(__file__).parent / "kat" / "envelope_v5_site.json"
SITE_STATION = "site_campaignsl2027"
ENVELOPE_V5 = SiteEnvelope(**{**ENVELOPE.model_dump(), "v": 5, "key_id": KEY_ID})


def answers_v5() -> dict[str, object]:
    """The site's v5 envelope: its document, hash and sealed context (`context` is the input
    the browser's envelope_info.js is given in tests/sync_server/site/browser_kit)."""
    return {
        "context": {"envelope_id": ENVELOPE_V5.envelope_id, "spec": SPEC.model_dump(),
                    "station_id": SITE_STATION, "key_id": KEY_ID},
        "envelope_canonical_json": canonical_json(ENVELOPE_V5.model_dump(mode="json")).decode(),
        "envelope_hash": envelope_hash(ENVELOPE_V5),
        "seal_info_hex": seal_info_of(5, ENVELOPE_V5.envelope_id, SPEC, SITE_STATION,
                                      KEY_ID).hex(),
    }  # fmt: skip


def test_known_answers_of_the_sites_keyed_envelope() -> None:
    assert answers_v5() == json.loads(KAT_V5_FILE.read_text("utf-8"))
    # Bound exactly as a station's v4: the same info for the same station and key.
    assert seal_info_of(5, ENVELOPE.envelope_id, SPEC, SITE_STATION, KEY_ID) == seal_info_of(
        4, ENVELOPE.envelope_id, SPEC, SITE_STATION, KEY_ID
    )
    # The site's v3 named no key in its context; it still opens with that context.
    assert seal_info_of(3, ENVELOPE.envelope_id, SPEC, SITE_STATION, KEY_ID) == (
        envelope_seal_info(ENVELOPE.envelope_id, SPEC, station_id=SITE_STATION)
    )
