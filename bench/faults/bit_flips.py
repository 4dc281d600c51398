"""A single-bit flip in every byte of a signed batch file, each copy sent to the real intake
before the genuine file.

Got through: a flipped copy accepted although what it says differs from the genuine batch
(a flip in the gzip header's time or OS byte says the same thing, and may be accepted).
Lost: a genuine envelope the server does not hold, byte for byte, after the genuine file is
sent. Duplicated: an envelope held twice.
"""

from __future__ import annotations

import gzip
import json
import random

from sqlalchemy import select

from bench.faults.central import central, post_batch, receipt_statuses
from bench.faults.tally import Tally
from miniatures.traffic import random_answers, response_payload
from protocol import envelope_hash
from sync_server.store.models import InboxEnvelope


def meaning(data: bytes) -> object:
    """What a batch file says, or None when it says nothing readable."""
    try:
        return json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError):
        return None


def run(database: str, quick: bool) -> Tally:
    envelopes, every = (2, 16) if quick else (5, 1)
    rng = random.Random(3)
    tally = Tally()
    with central(database) as hub, hub.client() as client:
        spec = hub.server.spec
        station = hub.server.enrol()
        real = [station.envelope(response_payload(spec, random_answers(spec, rng)))
                for _ in range(envelopes)]  # fmt: skip
        genuine = station.batch_bytes(real)
        said = meaning(genuine)
        for position in range(0, len(genuine), every):
            flipped = bytearray(genuine)
            flipped[position] ^= 1 << rng.randrange(8)
            answer = post_batch(client, bytes(flipped))
            tally.tried += 1
            if answer.status_code == 200 and meaning(bytes(flipped)) != said:
                tally.got_through += 1
                tally.note(f"byte {position} flipped: accepted, and it says something else")
        statuses = receipt_statuses(post_batch(client, genuine))
        with hub.sessions() as session:
            rows = session.execute(
                select(InboxEnvelope.envelope_id, InboxEnvelope.envelope_hash)
            ).all()
        for envelope in real:
            held = [digest for envelope_id, digest in rows if envelope_id == envelope.envelope_id]
            if statuses.get(envelope.envelope_id) not in ("accepted", "duplicate") or (
                envelope_hash(envelope) not in held
            ):
                tally.lost += 1
            tally.duplicated += max(0, len(held) - 1)
        tally.five_xx += hub.app.count
    return tally
