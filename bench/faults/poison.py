"""Poison envelopes among good ones: values no column holds (a duration of 2^31 or 2^63, a
NUL in a text), bytes that are no response, sealed to another key, sealed bytes moved under
a new id. The real processor must quarantine each and load every good envelope around it.

Got through: a poison envelope loaded as a response. Lost/duplicated: good envelopes with
no response or more than one. 5xx: intake answers >= 500 and processor runs that died.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from typing import Any

from bench.faults.central import central, post_batch, process, responses_by_envelope
from bench.faults.tally import Tally
from crypto import generate_survey_key
from miniatures.traffic import BenchStation, random_answers, response_payload
from protocol import Envelope
from protocol.response import response_plaintext

Poison = Callable[[BenchStation, dict[str, Any]], Envelope]


def payload_change(**change: Any) -> Poison:
    def make(station: BenchStation, payload: dict[str, Any]) -> Envelope:
        return station.envelope(payload | change)

    return make


def nul_in_answer(station: BenchStation, payload: dict[str, Any]) -> Envelope:
    return station.envelope(payload | {"answers": payload["answers"] | {"comment": "ok\x00no"}})


def no_response(station: BenchStation, payload: dict[str, Any]) -> Envelope:
    return station.sealed(b"\x01\x01 not a response", station.public_key)


def another_key(station: BenchStation, payload: dict[str, Any]) -> Envelope:
    plaintext = response_plaintext(station.spec_model, payload)
    return station.sealed(plaintext, generate_survey_key().public_key())


def moved(station: BenchStation, payload: dict[str, Any]) -> Envelope:
    """Genuine sealed bytes under a fresh envelope id: the sealed context refuses it."""
    original = station.envelope(payload)
    station.last_seq, station.last_hash = original.seq - 1, original.prev  # reuse the slot
    return station.append(base64.b64decode(original.sealed))


POISONS: dict[str, Poison] = {
    "duration 2^31": payload_change(duration_s=2**31),
    "duration 2^63": payload_change(duration_s=2**63),
    "NUL in region": payload_change(region="Western\x00Area"),
    "NUL in a text answer": nul_in_answer,
    "no response inside": no_response,
    "sealed to another key": another_key,
    "sealed bytes moved": moved,
}


def run(database: str, quick: bool) -> Tally:
    rounds, good_each_side = (1, 2) if quick else (6, 10)
    rng = random.Random(5)
    tally = Tally()
    with central(database) as hub, hub.client() as client:
        spec = hub.server.spec
        station = hub.server.enrol()
        good: list[str] = []
        poisoned: list[str] = []

        def good_envelopes() -> list[Envelope]:
            made = [station.envelope(response_payload(spec, random_answers(spec, rng)))
                    for _ in range(good_each_side)]  # fmt: skip
            good.extend(envelope.envelope_id for envelope in made)
            return made

        for _round in range(rounds):
            for name, poison in POISONS.items():
                bad = poison(station, response_payload(spec, random_answers(spec, rng)))
                poisoned.append(bad.envelope_id)
                envelopes = [*good_envelopes(), bad, *good_envelopes()]
                answer = post_batch(client, station.batch_bytes(envelopes))
                if answer.status_code != 200:
                    tally.note(f"{name}: intake answered {answer.status_code}")
                tally.tried += 1
        process(hub.sessions, hub.server.private_key, tally)
        held = responses_by_envelope(hub.sessions)
        tally.got_through = sum(1 for envelope_id in poisoned if held.get(envelope_id))
        tally.lost = sum(1 for envelope_id in good if not held.get(envelope_id))
        tally.duplicated = sum(max(0, held.get(envelope_id, 0) - 1) for envelope_id in good)
        tally.five_xx += hub.app.count
    return tally
