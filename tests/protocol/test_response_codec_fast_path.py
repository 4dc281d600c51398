"""The bulk decoder (issue 16) reads exactly what the former bit-at-a-time decoder read: the
same response from every valid encoding, and the same refusal (same message) from altered,
truncated or random bytes — on the CIPS officials spec and two fixtures (every type, sections)."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from miniatures.traffic import random_answers
from protocol.response import response_plaintext
from protocol.response_codec import ResponseCodecError, decode_response
from questionnaire_specs import load_spec
from tests.protocol import former_decoder

ROOT = Path(__file__).resolve().parents[2]
SPECS = [
    load_spec(ROOT / "questionnaire_specs" / "cips" / "officials.yaml"),
    load_spec(ROOT / "tests" / "questionnaire_specs" / "fixtures" / "every_type.yaml"),
    load_spec(ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml"),
]


def _outcome(decode, spec, data):
    try:
        return decode(spec, data)
    except ResponseCodecError as error:
        return ("refused", str(error))


def _encoded(spec, seed: int, count: int, complete: bool) -> bytes:
    answers = random_answers(spec, random.Random(seed), count=count)
    return response_plaintext(
        spec,
        {
            "v": 1, "answers": answers, "spec": spec.identity.as_dict(),
            "language": spec.language_codes[-1], "population": spec.populations[0].id,
            "country": "NE", "region": "Agadez", "completed_on": "2026-11-29",
            "duration_s": 734, "complete": complete,
        },
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    seed=st.integers(0, 2**32),
    count=st.integers(0, 70),
    complete=st.booleans(),
)
def test_valid_encodings_decode_alike(spec, seed, count, complete):
    data = _encoded(spec, seed, count, complete)
    assert decode_response(spec, data) == former_decoder.decode_response(spec, data)


@settings(max_examples=400, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    seed=st.integers(0, 2**32),
    cut=st.integers(0, 200),
    flips=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 7)), max_size=3),
)
def test_altered_and_truncated_bytes_are_refused_alike(spec, seed, cut, flips):
    data = bytearray(_encoded(spec, seed, 60, True))
    for at, bit in flips:
        if 2 <= at < len(data):  # the body: the header's refusals are the same code
            data[at] ^= 1 << bit
    altered = bytes(data[: max(2, len(data) - cut % 8)])
    assert _outcome(decode_response, spec, altered) == _outcome(
        former_decoder.decode_response, spec, altered
    )


@settings(max_examples=300, deadline=None)
@given(spec=st.sampled_from(SPECS), body=st.binary(max_size=120))
def test_random_bodies_are_read_or_refused_alike(spec, body):
    for flags in (0, 1):
        data = bytes([1, flags]) + body
        assert _outcome(decode_response, spec, data) == _outcome(
            former_decoder.decode_response, spec, data
        )


def test_every_single_bit_flip_is_read_or_refused_alike():
    # Exhaustive over the body of a few responses: a flipped bit lands in every kind of field
    # (presence bits, choice indices past the options, masks, varints, text lengths).
    for spec in SPECS:
        for seed in range(3):
            data = _encoded(spec, seed, 70, True)
            for bit in range(16, 8 * len(data)):
                altered = bytearray(data)
                altered[bit // 8] ^= 0x80 >> bit % 8
                assert _outcome(decode_response, spec, bytes(altered)) == _outcome(
                    former_decoder.decode_response, spec, bytes(altered)
                )
