"""The three modules together, as the site's Finish uses them: the browser encodes a CIPS
response, binds it to its envelope and station, seals it; the processor's own functions open
and read it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from crypto import OpenError, generate_survey_key, open_sealed
from crypto.seal import AES_128_GCM
from protocol.codec import envelope_seal_info
from protocol.response import read_response_plaintext
from questionnaire_specs import load_spec
from sync_server.site.browser_rules import browser_spec

SPEC = load_spec(Path(__file__).resolve().parents[4] / "questionnaire_specs/cips/officials.yaml")

FINISH = """async ({spec, response, envelopeId, stationId, publicKey}) => {
  const { encodeResponse } = await import('/response_codec.js');
  const { sealInfo } = await import('/envelope_info.js');
  const { sealBase } = await import('/hpke.js');
  const pk = Uint8Array.from(publicKey.match(/../g), (x) => parseInt(x, 16));
  const info = sealInfo(envelopeId, spec.spec, stationId);
  const sealed = await sealBase(pk, info, encodeResponse(spec, response));
  return Array.from(sealed, (x) => x.toString(16).padStart(2, "0")).join("");
}"""


def test_what_the_browser_seals_the_processor_reads(kit_page: Page) -> None:
    key = generate_survey_key()
    population = SPEC.populations[0].id
    questions = [q for q in SPEC.questions_for(population) if q.is_answered]
    choice = next(q for q in questions if q.is_choice and q.type.value == "single_choice")
    likert = next(q for q in questions if q.type.value == "likert")
    answers = {
        choice.id: SPEC.option_codes(choice)[-1],
        likert.id: SPEC.option_codes(likert)[0],
    }
    response = {
        "answers": answers,
        "spec": SPEC.identity.as_dict(),
        "language": "ar",
        "population": population,
        "country": "Maroc",
        "region": "الدار البيضاء",
        "completed_on": "2026-12-02",
        "duration_s": 734,
        "complete": True,
    }
    envelope_id, station_id = "5f0c7a4e-1b2d-4c3e-9a8b-7c6d5e4f3a2b", "site-cips-ma-2026"
    sealed = bytes.fromhex(
        kit_page.evaluate(
            FINISH,
            {
                "spec": browser_spec(SPEC),
                "response": response,
                "envelopeId": envelope_id,
                "stationId": station_id,
                "publicKey": key.public_key().to_bytes().hex(),
            },
        )
    )
    info = envelope_seal_info(envelope_id, SPEC.identity, station_id=station_id)
    opened = read_response_plaintext(SPEC, open_sealed(sealed, key, info=info, aead=AES_128_GCM))
    assert opened.answers == answers
    assert (opened.language, opened.region, opened.duration_s) == ("ar", "الدار البيضاء", 734)
    other = envelope_seal_info(envelope_id, SPEC.identity, station_id="another-station")
    with pytest.raises(OpenError):  # bound to the station that sealed it
        open_sealed(sealed, key, info=other, aead=AES_128_GCM)
