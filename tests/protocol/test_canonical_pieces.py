"""Canonical JSON written piece by piece, for speed (issue 16), is byte for byte what the
whole-document encoder writes: the seal context of every envelope version, and the answers
document the processor stores, on generated values and generated CIPS responses. The
reference is json.dumps with the canonical rules spelled out here, not protocol's code."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miniatures.traffic import random_answers
from protocol import envelope_seal_info, seal_info_of
from protocol.canonical import CanonicalJsonError, canonical_json, json_string
from protocol.codec import BOUND_SEAL_INFO_PREFIX, KEYED_SEAL_INFO_PREFIX, SEAL_INFO_PREFIX
from protocol.wire import SpecIdentityWire
from questionnaire_specs import load_spec
from sync_server.processor.loading import answers_document

ROOT = Path(__file__).resolve().parents[2]
OFFICIALS = load_spec(ROOT / "questionnaire_specs" / "cips" / "officials.yaml")


def reference(document: object) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# Any text UTF-8 can carry: quotes, backslashes, control characters, U+2028, astral planes.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


class Identity:
    """A spec identity with any strings in it (the wire model would refuse most)."""

    def __init__(self, spec_id: str, version: str, sha256: str) -> None:
        self.id, self.version, self.sha256 = spec_id, version, sha256


@settings(max_examples=400, deadline=None)
@given(texts, texts, texts, texts, texts, texts)
def test_the_seal_context_is_the_encoders_bytes(envelope_id, spec_id, version, sha, station, key):
    identity = Identity(spec_id, version, sha)
    spec = {"id": spec_id, "version": version, "sha256": sha}
    v1 = {"envelope_id": envelope_id, "spec": spec}
    v2 = {**v1, "station_id": station}
    v4 = {**v2, "key_id": key}
    assert envelope_seal_info(envelope_id, identity, station_id=None) == (
        SEAL_INFO_PREFIX + reference(v1)
    )
    assert envelope_seal_info(envelope_id, identity, station_id=station) == (
        BOUND_SEAL_INFO_PREFIX + reference(v2)
    )
    assert envelope_seal_info(envelope_id, identity, station_id=station, key_id=key) == (
        KEYED_SEAL_INFO_PREFIX + reference(v4)
    )
    # The v1 context names no key even when one is given, as before.
    assert envelope_seal_info(envelope_id, identity, station_id=None, key_id=key) == (
        SEAL_INFO_PREFIX + reference(v1)
    )


def test_the_seal_context_of_a_real_spec_per_version():
    identity = SpecIdentityWire(**OFFICIALS.identity.as_dict())
    envelope_id, station, key = "6f1c0a52-8d3e-4d0b-9a57-0c2d1f4e5b6a", "S" * 43 + "=", "k" * 16
    spec = {"id": identity.id, "version": identity.version, "sha256": identity.sha256}
    expected = {
        1: SEAL_INFO_PREFIX + reference({"envelope_id": envelope_id, "spec": spec}),
        2: BOUND_SEAL_INFO_PREFIX
        + reference({"envelope_id": envelope_id, "spec": spec, "station_id": station}),
        4: KEYED_SEAL_INFO_PREFIX
        + reference(
            {"envelope_id": envelope_id, "spec": spec, "station_id": station, "key_id": key}
        ),
    }
    for version, info in expected.items():
        assert seal_info_of(version, envelope_id, identity, station, key) == info


def test_a_seal_context_of_no_string_is_refused():
    with pytest.raises(CanonicalJsonError):
        json_string(7)  # type: ignore[arg-type]
    with pytest.raises(CanonicalJsonError):
        envelope_seal_info(None, OFFICIALS.identity, station_id="s")  # type: ignore[arg-type]


def test_the_answers_document_of_generated_responses_is_the_encoders():
    rng = random.Random(16)
    for _ in range(300):
        answers = random_answers(OFFICIALS, rng, count=rng.randint(1, 80))
        document = answers_document(answers)
        assert document.encode("utf-8") == reference(answers) == canonical_json(answers)


answer_values = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
    st.lists(st.integers(0, 99), max_size=6),
    st.booleans(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(texts, answer_values, max_size=30))
def test_the_answers_document_of_any_values_is_the_encoders(answers):
    assert answers_document(answers).encode("utf-8") == reference(answers)


def test_an_answer_of_no_number_is_refused():
    with pytest.raises(CanonicalJsonError):
        answers_document({"years": float("nan")})
