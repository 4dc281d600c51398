"""What the site seals is the station's very bytes, deflated or not: response_codec.js's
encodeResponseCompact in Chromium (its CompressionStream) against protocol/response.py, on
generated responses whose free text often compresses. Equal bytes, so equal sizes: an
envelope's length does not tell the online channel from a tablet."""

from __future__ import annotations

import random
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from protocol.response import response_plaintext
from questionnaire_specs import QuestionType
from sync_server.site.browser_rules import browser_spec
from tests.sync_server.site.browser_kit.test_response_codec_js import (
    DEFLATED,
    ENCODE,
    SPECS,
    WORDS,
    responses,
)

# Free text that repeats, so that the station deflates it.
REPEATING = st.lists(WORDS, min_size=5, max_size=400).map("".join)


def with_text(spec, response: dict[str, Any], text: str) -> dict[str, Any]:
    texts = [
        q.id for q in spec.questions_for(response["population"]) if q.type is QuestionType.TEXT
    ]
    return {**response, "answers": {**response["answers"], **dict.fromkeys(texts, text)}}


@pytest.mark.parametrize("name", ["officials", "flat"])
def test_the_site_seals_the_stations_bytes_deflated_or_not(kit_page: Page, name: str) -> None:
    spec = SPECS[name]
    document = browser_spec(spec)
    seen = {"deflated": 0}

    @settings(max_examples=6, deadline=None)
    @given(st.lists(st.tuples(responses(spec), REPEATING), min_size=1, max_size=20))
    def check(batch: list[tuple[dict[str, Any], str]]) -> None:
        plain = [with_text(spec, response, text) for response, text in batch]
        results = kit_page.evaluate(ENCODE, {"spec": document, "responses": plain})
        for response, (_, compact_hex) in zip(plain, results, strict=True):
            station = response_plaintext(spec, response)
            assert bytes.fromhex(compact_hex) == station
            seen["deflated"] += bool(station[1] & DEFLATED)

    check()
    assert seen["deflated"]  # the comparison covered deflated bytes, not only plain ones


def test_long_comments_where_zlibs_levels_part_ways(kit_page: Page) -> None:
    """Comments of some hundred words: there level 9 finds other matches than level 6, so
    this fails if the station's level and the browser's ever differ again."""
    spec = SPECS["officials"]
    rng = random.Random(12)
    words = ["the officer ", "asked for ", "money ", "at the port ", "délai ", "رشوة ", "\n"]
    base = {
        "answers": {"consent": 1},
        "spec": spec.identity.as_dict(),
        "language": "en",
        "population": "officials",
        "country": "SL",
        "region": "online",
        "completed_on": "2026-12-02",
        "duration_s": 900,
        "complete": True,
    }
    batch = [
        with_text(spec, base, "".join(rng.choice(words) for _ in range(rng.randint(100, 600))))
        for _ in range(40)
    ]
    results = kit_page.evaluate(ENCODE, {"spec": browser_spec(spec), "responses": batch})
    differ = 0
    for response, (_, compact_hex) in zip(batch, results, strict=True):
        station = response_plaintext(spec, response)
        assert station[1] & DEFLATED
        assert bytes.fromhex(compact_hex) == station
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        differ += packer.compress(zlib.decompress(station[2:], -15)) + packer.flush() != station[2:]
    assert differ  # the cases that told level 9 from level 6 are in the batch
    print(f"{differ} of {len(batch)} long comments deflate differently at level 9")
