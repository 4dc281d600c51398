"""Batching: which outbox envelopes travel together, and issuing each batch.

One rule for both ways out (HTTP sync and USB export): envelopes go in seq order, a batch
closes when it holds `max_envelopes` or the next envelope would take it past `max_bytes`, and
the first envelope of a batch always goes, even alone over budget, so one large envelope
cannot block the outbox forever (the server's own limit is the final word).

Issuing takes the next batch_seq (committed first), signs the batch, gzips it and records
which envelopes it carried before a byte leaves, so a receipt can always be matched to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from device_app.beacon import utc_stamp
from protocol import (
    MAX_BATCH_BYTES,
    MAX_ENVELOPES_PER_BATCH,
    PROTOCOL_VERSION,
    Batch,
    Envelope,
    sign_batch,
    signed_batch_bytes,
)

if TYPE_CHECKING:
    from device_app.store import OutboxEntry, StationStore


@dataclass(frozen=True)
class BatchLimits:
    """How big one batch may grow: by envelope count and by envelope bytes (before gzip).

    Sealed responses are random bytes in base64, so gzip only takes back the base64 overhead:
    a batch of envelopes totalling `max_bytes` compresses to less than `max_bytes`.
    """

    # 500 (the server's limit): 1,000 responses sync in 2 batches and a beacon, not 11 requests.
    max_envelopes: int = 500
    max_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        if not 1 <= self.max_envelopes <= MAX_ENVELOPES_PER_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_ENVELOPES_PER_BATCH} envelopes")
        if not 1 <= self.max_bytes <= MAX_BATCH_BYTES:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH_BYTES} bytes")


@dataclass(frozen=True)
class BuiltBatch:
    batch_id: str
    batch_seq: int
    envelope_ids: tuple[str, ...]
    data: bytes  # the gzip bytes: the HTTP body and the USB file are the same
    seqs: tuple[int, ...]  # the envelopes' seq, in the same order: a summary names them

    def envelope_of_seq(self) -> dict[int, str]:
        return dict(zip(self.seqs, self.envelope_ids, strict=True))


def build_batch(
    entries: list[OutboxEntry],
    *,
    station_id: str,
    batch_seq: int,
    batch_id: str,
    created_at: datetime,
    sign: Callable[[str, bytes], bytes],
) -> BuiltBatch:
    """Sign the envelopes as one batch and gzip it (deterministically: same input, same bytes)."""
    envelopes = [Envelope.model_validate_json(entry.envelope) for entry in entries]
    batch = Batch(
        v=PROTOCOL_VERSION,
        batch_id=batch_id,
        station_id=station_id,
        batch_seq=batch_seq,
        created_at=utc_stamp(created_at),
        envelopes=envelopes,
    )
    data = signed_batch_bytes(sign_batch(batch, sign))
    return BuiltBatch(
        batch_id,
        batch_seq,
        tuple(e.envelope_id for e in envelopes),
        data,
        tuple(e.seq for e in envelopes),
    )


@dataclass(frozen=True)
class Batcher:
    """One station's batching: its outbox, its signing key, its limits.

    HTTP sync (`sync.send_outbox`) and USB export (`usb.export_outbox`) both take one.
    """

    store: StationStore
    station_id: str
    sign: Callable[[str, bytes], bytes]
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    limits: BatchLimits = field(default_factory=BatchLimits)

    def groups(self, entries: Iterable[OutboxEntry]) -> Iterator[list[OutboxEntry]]:
        """`entries` (in seq order) cut into batches by the rule at the top of this module."""
        current: list[OutboxEntry] = []
        size = 0
        for entry in entries:
            full = (
                len(current) >= self.limits.max_envelopes
                or size + entry.size > self.limits.max_bytes
            )
            if current and full:
                yield current
                current, size = [], 0
            current.append(entry)
            size += entry.size
        if current:
            yield current

    def next_pending(self) -> list[OutboxEntry]:
        """The first batch of pending envelopes; [] when nothing is pending."""
        return next(self.groups(self.store.entries(states=["pending"])), [])

    def issue(self, entries: list[OutboxEntry], *, via: str) -> BuiltBatch:
        """Take the next batch_seq (committed first), build the batch and record it as sent.

        The record is committed before a byte leaves, so a receipt can always be matched to
        it, and a crash after the server stored it but before the receipt was marked only
        means the envelopes are still pending: the next sync carries them in a new batch and
        the server answers "duplicate" for each (dedup is by envelope id), so nothing is lost
        or counted twice.
        """
        batch_seq = self.store.next_batch_seq()
        built = build_batch(
            entries,
            station_id=self.station_id,
            batch_seq=batch_seq,
            batch_id=self.new_id(),
            created_at=self.clock(),
            sign=self.sign,
        )
        self.store.record_batch(built.batch_id, built.batch_seq, list(built.envelope_ids), via=via)
        return built
