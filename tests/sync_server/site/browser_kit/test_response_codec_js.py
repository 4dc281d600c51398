"""response_codec.js in Chromium writes the bytes protocol/response.py writes, for generated
responses to both CIPS specs and to the fixtures that between them have every question type;
and the processor's reader reads the browser's bytes back to the same response."""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from protocol.response import read_response_plaintext, response_plaintext
from protocol.response_codec import decode_response
from questionnaire_specs import QuestionType, Spec, load_spec
from sync_server.site.browser_rules import browser_spec

ROOT = Path(__file__).resolve().parents[4]
SPECS = {
    path.stem: load_spec(path)
    for path in [
        ROOT / "questionnaire_specs" / "cips" / "officials.yaml",
        ROOT / "questionnaire_specs" / "cips" / "private_sector.yaml",
        ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml",  # sections, likert
        ROOT / "tests" / "questionnaire_specs" / "fixtures" / "flat.yaml",  # text codes, decimal
        ROOT / "tests" / "questionnaire_specs" / "fixtures" / "every_type.yaml",  # date, rank
    ]
}
DEFLATED = 0x02
WORDS = st.sampled_from(["customs ", "border ", "paid ", "délai ", "رشوة ", "🚚", "\n", "'"])
# Free text: sometimes incompressible, sometimes words that repeat (the station deflates it).
TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.lists(WORDS, max_size=60).map("".join),
)
LABEL = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20)


def test_every_question_type_is_covered() -> None:
    types = {q.type for spec in SPECS.values() for q in spec.questions}
    assert types == set(QuestionType)
    assert any(
        q.type is QuestionType.NUMBER and not q.integer for s in SPECS.values() for q in s.questions
    )


def _answer(spec: Spec, question: Any) -> st.SearchStrategy[Any]:
    codes = list(spec.option_codes(question))
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.LIKERT):
        return st.sampled_from(codes)
    if question.type is QuestionType.MULTI_CHOICE:
        return st.lists(st.sampled_from(codes), max_size=len(codes) + 1)
    if question.type is QuestionType.RANK:  # some options in an order, first-ranked first
        return st.permutations(codes).flatmap(
            lambda order: st.integers(0, len(order)).map(lambda n: list(order[:n]))
        )
    if question.type is QuestionType.NUMBER and question.integer:
        # A browser's numbers are exact to 2**53 (the station's codec has no bound).
        return st.integers(-(2**53) + 1, 2**53 - 1)
    if question.type is QuestionType.NUMBER:
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-1000, 1000))
    if question.type is QuestionType.DATE:
        return st.dates().map(date.isoformat)
    if question.type is QuestionType.RANGE:
        return st.sampled_from(range(int(question.min), int(question.max) + 1, int(question.step)))
    return TEXTS  # text, and a calculation's value (which stays behind on both sides)


@st.composite
def responses(draw: st.DrawFn, spec: Spec) -> dict[str, Any]:
    population = draw(st.sampled_from([p.id for p in spec.populations]))
    answers = {}
    for question in spec.questions_for(population):
        if question.is_answered and draw(st.booleans()):
            answers[question.id] = draw(_answer(spec, question))
    return {
        "answers": answers,
        "spec": spec.identity.as_dict(),
        "language": draw(st.sampled_from(spec.language_codes)),
        "population": population,
        "country": draw(LABEL),
        "region": draw(LABEL),
        "completed_on": draw(
            st.one_of(st.dates(), st.dates(date(1999, 12, 1), date(2000, 2, 1)))
        ).isoformat(),
        "duration_s": draw(st.integers(0, 2**40)),
        "complete": draw(st.booleans()),
    }


ENCODE = """async ({spec, responses}) => {
  const codec = await import('/response_codec.js');
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const out = [];
  for (const r of responses) {
    out.push([hex(codec.encodeResponse(spec, r)), hex(await codec.encodeResponseCompact(spec, r))]);
  }
  return out;
}"""


def _inflated(data: bytes) -> bytes:
    """The bytes with their body inflated and the DEFLATE flag cleared."""
    if not data[1] & DEFLATED:
        return data
    return bytes([data[0], data[1] & ~DEFLATED]) + zlib.decompress(data[2:], -15)


@pytest.mark.parametrize("name", list(SPECS))
def test_the_browser_writes_the_stations_bytes(kit_page: Page, name: str) -> None:
    spec = SPECS[name]
    document = browser_spec(spec)
    seen = {"deflated": 0, "plain": 0}

    @settings(max_examples=8, deadline=None)
    @given(st.lists(responses(spec), min_size=1, max_size=25))
    def check(batch: list[dict[str, Any]]) -> None:
        results = kit_page.evaluate(ENCODE, {"spec": document, "responses": batch})
        for response, (plain_hex, compact_hex) in zip(batch, results, strict=True):
            station = response_plaintext(spec, response)
            plain, compact = bytes.fromhex(plain_hex), bytes.fromhex(compact_hex)
            if station[1] & DEFLATED:
                seen["deflated"] += 1
            else:
                seen["plain"] += 1
                assert plain == station
            # The same bit stream whether or not either side deflated it.
            assert plain == _inflated(station) == _inflated(compact)
            expected = decode_response(spec, station)
            for data in (plain, compact):
                assert decode_response(spec, data) == expected
                read = read_response_plaintext(spec, data)
                assert read.answers == read_response_plaintext(spec, station).answers

    check()
    assert seen["plain"]


def test_compact_deflates_text_as_the_station_does(kit_page: Page) -> None:
    spec = SPECS["flat"]
    text_question = next(q for q in spec.questions if q.type is QuestionType.TEXT)
    population = next(p.id for p in spec.populations if text_question.is_for(p.id))
    response = {
        "answers": {text_question.id: "the officer at the border post asked for money " * 8},
        "spec": spec.identity.as_dict(),
        "language": "fr",
        "population": population,
        "country": "Côte d'Ivoire",
        "region": "Abidjan",
        "completed_on": "1970-01-01",
        "duration_s": 600,
        "complete": False,
    }
    ((plain_hex, compact_hex),) = kit_page.evaluate(
        ENCODE, {"spec": browser_spec(spec), "responses": [response]}
    )
    station = response_plaintext(spec, response)
    compact = bytes.fromhex(compact_hex)
    assert station[1] & DEFLATED and compact[1] & DEFLATED
    assert len(compact) < len(bytes.fromhex(plain_hex))
    assert decode_response(spec, compact) == decode_response(spec, station)


REFUSE = """async ({spec, responses}) => {
  const codec = await import('/response_codec.js');
  return responses.map((r) => {
    try { codec.encodeResponse(spec, r); return null; }
    catch (e) { return e instanceof codec.ResponseCodecError ? e.message : 'other: ' + e; }
  });
}"""


def test_what_the_station_refuses_the_browser_refuses(kit_page: Page) -> None:
    spec = SPECS["example"]
    good = {
        "answers": {},
        "spec": spec.identity.as_dict(),
        "language": "en",
        "population": spec.populations[0].id,
        "country": "X",
        "region": "Y",
        "completed_on": "2026-02-28",
        "duration_s": 1,
        "complete": True,
    }
    choice = next(q for q in spec.questions if q.type is QuestionType.SINGLE_CHOICE)
    number = next(q for q in spec.questions if q.type is QuestionType.NUMBER)
    bad = [
        {**good, "answers": {"no_such_question": 1}},
        {**good, "answers": {choice.id: 77}},
        {**good, "answers": {choice.id: str(spec.option_codes(choice)[0])}},  # "1" is not 1
        {**good, "answers": {number.id: 2.5}},
        {**good, "language": "xx"},
        {**good, "completed_on": "2026-02-30"},
        {**good, "spec": {**good["spec"], "version": "9.9.9"}},
    ]
    got = kit_page.evaluate(REFUSE, {"spec": browser_spec(spec), "responses": [good, *bad]})
    assert got[0] is None
    response_plaintext(spec, good)
    for response in bad:
        # ValueError: protocol's encoder lets date.fromisoformat's error out for 2026-02-30.
        with pytest.raises(ValueError):
            response_plaintext(spec, response)
    assert all(message and not message.startswith("other") for message in got[1:]), got
