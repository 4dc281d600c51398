"""envelope_info.js gives, in Chromium, byte for byte what protocol.envelope_seal_info gives:
the site's v3 context, and v5's, which names the key id as a station's v4 does (checked
against the known answer tests/protocol/kat/envelope_v5_site.json too)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from protocol import ENVELOPE_V_SITE_KEYED
from protocol.codec import envelope_seal_info

KAT_V5 = Path(__file__).parents[3] / "protocol" / "kat" / "envelope_v5_site.json"

# Any text Python can encode to UTF-8 (no lone surrogates), controls and quotes included.
TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
CASE = st.fixed_dictionaries(
    {
        "envelope_id": st.one_of(st.uuids().map(str), TEXTS),
        "spec": st.fixed_dictionaries(
            {
                "id": TEXTS,
                "version": st.from_regex(r"\d{1,3}\.\d\.\d", fullmatch=True),
                "sha256": TEXTS,
            }
        ),
        "station_id": st.one_of(st.none(), TEXTS, st.just("site-campagne-été-🌍")),
        "key_id": st.one_of(st.none(), st.from_regex(r"[a-z2-7]{16}", fullmatch=True), TEXTS),
    }
)

SEAL_INFOS = """async (cases) => {
  const { sealInfo } = await import('/envelope_info.js');
  return cases.map((c) => Array.from(sealInfo(c.envelope_id, c.spec, c.station_id, c.key_id),
    (x) => x.toString(16).padStart(2, "0")).join(""));
}"""


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(CASE, min_size=1, max_size=40))
def test_seal_info_matches_python(kit_page: Page, cases: list[dict]) -> None:
    expected = [
        envelope_seal_info(
            case["envelope_id"], SimpleNamespace(**case["spec"]), station_id=case["station_id"],
            key_id=case["key_id"],
        ).hex()
        for case in cases
    ]  # fmt: skip
    assert kit_page.evaluate(SEAL_INFOS, cases) == expected


def test_a_fixed_context_including_non_ascii(kit_page: Page) -> None:
    case = {
        "envelope_id": "0b9f5d4e-54c4-4a53-9f6c-1e2f3a4b5c6d",
        "spec": {"id": "cips-officials", "version": "2.1.0", "sha256": "ab" * 32},
        "station_id": 'site-مسح-ç"\\\n',
    }
    (got,) = kit_page.evaluate(SEAL_INFOS, [case])
    expected = envelope_seal_info(
        case["envelope_id"], SimpleNamespace(**case["spec"]), station_id=case["station_id"]
    )
    assert bytes.fromhex(got) == expected
    assert expected.startswith(b"MSS envelope v2\x00{")


def test_the_site_v5_context_is_the_known_answer(kit_page: Page) -> None:
    known = json.loads(KAT_V5.read_text("utf-8"))
    (got,) = kit_page.evaluate(SEAL_INFOS, [known["context"]])
    assert got == known["seal_info_hex"]
    assert bytes.fromhex(got).startswith(b"MSS envelope v4\x00{")
    version = kit_page.evaluate(
        "async () => (await import('/envelope_info.js')).SITE_ENVELOPE_VERSION"
    )
    assert version == ENVELOPE_V_SITE_KEYED
