"""What identifies a response as a record: dropped, replaced by fresh ids, order shuffled.

The release keeps a fixed list of response columns plus the spec's answered questions;
everything else (response_id, envelope, station, batch and sequence ids, transport and
processing details, columns it does not know) is dropped — a list of what to keep cannot
leak a column added later, a list of what to drop can.
"""

from __future__ import annotations

import numpy as np

RESPONDENT_ID = "respondent_id"
ID_BYTES = 8  # 16 hex characters
# Response columns released (after treatment); the answers follow in spec order.
KEPT_RESPONSE_COLUMNS = (
    "country",
    "region",
    "population",
    "language",
    "completed_on",
    "duration_min",
    "complete",
    "careless",
    "channel",
)
# Response columns that identify no one and are released as recorded: the population,
# whether the respondent reached the end, the processor's data-quality flags, and the
# channel (a kiosk station or the online site).
RELEASED_AS_RECORDED = ("population", "complete", "careless", "channel")


def fresh_ids(count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct random ids of 16 hex characters, drawn from `rng` only.

    The caller seeds `rng` from the secret release seed, so the same data and seed give the
    same ids; nothing of the source ids goes in.
    """
    while True:
        raw = rng.bytes(ID_BYTES * count)
        # A repeat among 2**64 values is improbable but must not merge two respondents.
        if len(np.unique(np.frombuffer(raw, dtype=np.uint64))) == count:
            hexed = np.frombuffer(raw.hex().encode("ascii"), dtype=f"S{2 * ID_BYTES}")
            return hexed.astype(f"U{2 * ID_BYTES}")


def shuffled_order(count: int, rng: np.random.Generator) -> np.ndarray:
    """A random row order; rows are never released in an order that reflects arrival."""
    return rng.permutation(count)
