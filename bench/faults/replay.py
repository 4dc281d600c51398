"""A second tablet sends the first one's envelopes first (a USB stick passes through many
hands): as they are, re-chained as its own, or garbage under the first one's envelope ids.

Got through: one of the first station's envelopes whose later genuine sync is not
"accepted" (told duplicate or conflict), or whose response is counted under the second
tablet. Lost: a genuine envelope with no response; duplicated: more than one.
"""

from __future__ import annotations

import base64
import random

from bench.faults.central import (
    central,
    post_batch,
    process,
    receipt_statuses,
    stations_of_responses,
)
from bench.faults.tally import Tally
from miniatures.traffic import random_answers, response_payload

VARIANTS = ("as-sent", "re-chained", "garbage")


def run(database: str, quick: bool) -> Tally:
    trials, per_batch = (3, 3) if quick else (30, 10)
    rng = random.Random(9)
    tally = Tally()
    with central(database) as hub, hub.client() as client:
        spec = hub.server.spec
        genuine: dict[str, str] = {}  # envelope id -> the first station
        shadowed: set[str] = set()
        for trial in range(trials):
            first, second = hub.server.enrol(), hub.server.enrol()
            real = [first.envelope(response_payload(spec, random_answers(spec, rng)))
                    for _ in range(per_batch)]  # fmt: skip
            genuine_file = first.batch_bytes(real)
            variant = VARIANTS[trial % len(VARIANTS)]
            if variant == "as-sent":
                copies = real
            else:
                copies = [
                    second.append(
                        base64.b64decode(envelope.sealed) if variant == "re-chained"
                        else rng.randbytes(len(base64.b64decode(envelope.sealed))),
                        envelope.envelope_id,
                    )
                    for envelope in real
                ]  # fmt: skip
            post_batch(client, second.batch_bytes(copies))  # first, as a front-runner would
            tally.tried += len(real)
            statuses = receipt_statuses(post_batch(client, genuine_file))
            for envelope in real:
                genuine[envelope.envelope_id] = first.station_id
                if statuses.get(envelope.envelope_id) != "accepted":
                    shadowed.add(envelope.envelope_id)
                    tally.note(f"{variant}: the genuine sync was told "
                               f"{statuses.get(envelope.envelope_id, 'refused')}")  # fmt: skip
        process(hub.sessions, hub.server.private_key, tally)
        held = stations_of_responses(hub.sessions)
        for envelope_id, station_id in genuine.items():
            stations = held.get(envelope_id, [])
            if any(other != station_id for other in stations):
                shadowed.add(envelope_id)
                tally.note("a replayed response was counted under the second tablet")
            mine = stations.count(station_id)
            tally.lost += mine == 0
            tally.duplicated += max(0, len(stations) - 1)
        tally.got_through = len(shadowed)
        tally.five_xx += hub.app.count
    return tally
