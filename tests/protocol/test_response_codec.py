"""The sealed response's compact encoding: round trips, refusals, and a pinned known answer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miniatures.traffic import random_answers
from protocol.response import (
    ResponseFormatError,
    read_response_plaintext,
    response_plaintext,
)
from protocol.response_codec import ResponseCodecError, decode_response
from questionnaire_specs import load_spec

ROOT = Path(__file__).resolve().parents[2]
OFFICIALS = load_spec(ROOT / "questionnaire_specs" / "cips" / "officials.yaml")
EXAMPLE = load_spec(ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml")


def payload(spec, answers, **changes):
    return {
        "v": 1, "answers": answers, "spec": spec.identity.as_dict(), "language": "ar",
        "population": "officials", "country": "NE", "region": "Agadez",
        "completed_on": "2026-11-29", "duration_s": 734, "complete": True, **changes,
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), count=st.integers(0, 65), complete=st.booleans())
def test_every_valid_response_round_trips(seed, count, complete):
    answers = random_answers(OFFICIALS, random.Random(seed), count=count)
    original = payload(OFFICIALS, answers, complete=complete)
    back = read_response_plaintext(OFFICIALS, response_plaintext(OFFICIALS, original))
    assert back.model_dump(mode="json") == original


def test_each_answer_type_round_trips_including_text_and_decimals():
    answers = {
        "consent": 1, "age": 3, "lead_example": 9, "offered_payment": 1,
        "stages": [2, 9][:1], "years": 0, "comment": "Merci — شكرا, 100% ok",
    }  # fmt: skip
    original = payload(EXAMPLE, answers, language="fr")
    data = response_plaintext(EXAMPLE, original)
    assert read_response_plaintext(EXAMPLE, data).model_dump(mode="json") == original
    # the words are in the plaintext (it is what gets sealed), never outside the seal
    assert len(data) < 120


def test_sixty_cips_answers_take_about_sixty_bytes():
    answers = random_answers(OFFICIALS, random.Random(5), count=60)
    data = response_plaintext(OFFICIALS, payload(OFFICIALS, answers))
    assert len(answers) == 60
    assert len(data) < 80


@pytest.mark.parametrize(
    "change",
    [
        {"answers": {"age": 7}},  # no such code
        {"answers": {"age": "2"}},  # "2" is not the code 2
        {"answers": {"nonsense": 1}},  # no such question
        {"answers": {"years": "many"}},  # not a number
        {"answers": {"years": 2.5}},  # not a whole number
        {"answers": {"comment": 5}},  # not text
        {"answers": {"stages": 1}},  # not a list
        {"language": "de"},
        {"population": "private_sector"},
        {"spec": {"id": "other", "version": "1.0.0", "sha256": "0" * 64}},
    ],
)
def test_what_the_spec_cannot_hold_is_refused_when_encoding(change):
    with pytest.raises(ResponseFormatError) as refused:
        response_plaintext(EXAMPLE, payload(EXAMPLE, {"consent": 1}) | change)
    assert "many" not in str(refused.value)  # an answer is never quoted


def test_garbage_truncation_and_trailing_bytes_are_refused():
    good = response_plaintext(EXAMPLE, payload(EXAMPLE, {"consent": 1, "age": 2}))
    for bad in (b"", b"\x02\x00", good[:-1], good + b"\x00", b"\x01\x01\xff\xff"):
        with pytest.raises(ResponseFormatError):
            read_response_plaintext(EXAMPLE, bad)
    with pytest.raises(ResponseCodecError):
        decode_response(EXAMPLE, bytes([1, 0x80]) + good[2:])  # unknown flag


def test_known_answer_pins_the_format():
    """Change a bit of the encoding and this fails: bump FORMAT_VERSION instead."""
    answers = {"consent": 1, "age": 2, "lead_example": 4, "offered_payment": 2, "years": 12}
    data = response_plaintext(EXAMPLE, payload(EXAMPLE, answers, language="fr"))
    assert data.hex() == KNOWN_HEX


# 01 version, 01 complete, then language fr (1), population 0, 9829 days, 734 s, "NE",
# "Agadez", and the answers bit-packed in spec order (see response_codec.py).
KNOWN_HEX = "01010100e54cde05024e450641676164657aadd460"


EVERY_TYPE = load_spec(ROOT / "tests" / "questionnaire_specs" / "fixtures" / "every_type.yaml")


@pytest.mark.parametrize("joined", ["1970-01-01", "1999-12-31", "2000-01-01", "2026-12-31"])
def test_dates_and_range_steps_round_trip_and_a_calculation_stays_behind(joined):
    answers = {"post": 2, "tasks": [9], "fair": 3, "years": 12, "joined": joined, "trust": 10}
    sent = payload(EVERY_TYPE, {**answers, "trust_doubled": "20"}, language="en")
    back = read_response_plaintext(EVERY_TYPE, response_plaintext(EVERY_TYPE, sent))
    # the processor works the calculation out again (questionnaire_specs.answers)
    assert back.answers == answers


def test_a_range_answer_takes_the_bits_of_its_step_count():
    def size(answers):
        return len(response_plaintext(EVERY_TYPE, payload(EVERY_TYPE, answers, language="en")))

    # 6 steps (0..10 by 2) fit 3 bits: a range answer costs less than a varint
    assert size({"post": 1, "trust": 10}) == size({"post": 1, "trust": 0})
    with pytest.raises(ResponseFormatError, match="trust: not a step of its range"):
        size({"post": 1, "trust": 3})
    with pytest.raises(ResponseFormatError, match="joined: not a YYYY-MM-DD date"):
        size({"post": 1, "joined": "2020-02-30"})


def _every_type(answers):
    return payload(EVERY_TYPE, answers, language="en")


def test_a_rank_answer_keeps_its_order_and_its_bits_are_pinned():
    """post 1 (bit 1, index 0), tasks absent, priorities [3, 1, 2]: present, 3 ranked in
    width(4) = 2 bits, then the indices 2, 0, 1 in width(3) = 2 bits each; the rest absent."""
    sent = _every_type({"post": 1, "priorities": [3, 1, 2]})
    data = response_plaintext(EVERY_TYPE, sent)
    assert data.hex() == "01010000e54cde05024e450641676164657a9e1000"
    back = read_response_plaintext(EVERY_TYPE, data)
    assert back.answers == {"post": 1, "priorities": [3, 1, 2]}
    for ranking in ([], [2], [2, 3], [1, 2, 3], [3, 2, 1]):
        data = response_plaintext(EVERY_TYPE, _every_type({"post": 1, "priorities": ranking}))
        assert decode_response(EVERY_TYPE, data)["answers"]["priorities"] == ranking


def test_a_rank_answer_that_repeats_or_names_no_option_is_not_encoded():
    with pytest.raises(ResponseFormatError, match="priorities: an option is ranked twice"):
        response_plaintext(EVERY_TYPE, _every_type({"post": 1, "priorities": [1, 1, 2]}))
    with pytest.raises(ResponseFormatError, match="priorities: code is not in the spec"):
        response_plaintext(EVERY_TYPE, _every_type({"post": 1, "priorities": [1, 4, 2]}))
    with pytest.raises(ResponseFormatError, match="a rank answer is a list"):
        response_plaintext(EVERY_TYPE, _every_type({"post": 1, "priorities": 1}))


@pytest.mark.parametrize(
    ("bits", "message"),
    [
        ("11000001", "ranked twice"),  # index 0 twice
        ("11110001", "rank index out of range"),  # index 3 of 3 options
    ],
)
def test_rank_bits_a_station_could_not_have_written_are_refused(bits, message):
    """After the header (whole bytes: varints and texts): `post` (1 0), `tasks` (0), the rank
    present (1) and its bits, then the five later answers absent."""
    header = response_plaintext(EVERY_TYPE, _every_type({"post": 1}))[:-2]
    stream = "1001" + bits + "00000"
    stream += "0" * (-len(stream) % 8)
    body = header + int(stream, 2).to_bytes(len(stream) // 8, "big")
    good = header + int("100111100001000000000000", 2).to_bytes(3, "big")
    assert decode_response(EVERY_TYPE, good)["answers"]["priorities"] == [3, 1, 2]
    with pytest.raises(ResponseCodecError, match=message):
        decode_response(EVERY_TYPE, body)
