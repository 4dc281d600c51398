"""Batch intake: verify, refuse replays, dedup by envelope id, store in the inbox, receipt.

All of it in one transaction: either the batch, its envelopes, its quarantined conflicts,
its receipt and the station's counters are stored, or nothing is.

Decisions (docs/protocol.md leaves them to the server):
- An envelope for a spec the server does not know refuses the WHOLE batch (422
  unknown-spec). Nothing is stored, the station keeps everything, and once the operator
  registers the spec the same batch goes through. A per-envelope rejection would split a
  batch for no gain.
- Gaps in the envelope sequence are not refused: USB batches may arrive out of order. The
  fleet view reports them. The `prev` link is checked wherever the neighbour is stored.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from protocol.canonical import canonical_json
from protocol.codec import (
    BATCH_SIGNING_DOMAIN,
    ParsedBatch,
    parse_signed_batch_document,
)
from protocol.problems import Problem
from protocol.wire import ZERO_HASH, Envelope, EnvelopeResult, Receipt
from sync_server.ingest.signatures import check_station_signature
from sync_server.ingest.stations import lock_active_station
from sync_server.store.models import (
    BATCH_VIAS,
    BatchRecord,
    InboxEnvelope,
    KnownSpec,
    QuarantinedEnvelope,
    ReceiptRecord,
    Station,
)
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


@dataclass
class _Link:
    """What the chain check needs to know about a stored envelope of this station."""

    envelope_id: str
    envelope_hash: str
    prev: str


@dataclass
class EnvelopeSorting:
    """The outcome of sorting one batch's envelopes against what is stored."""

    results: list[EnvelopeResult | None]
    inbox_rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine_rows: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    accepted_seqs: list[int] = field(default_factory=list)


def accept_batch(
    session_factory: sessionmaker[Session], data: bytes, *, via: str, clock: Clock
) -> Receipt:
    """Take one signed batch (its gzip bytes, from HTTP or a USB file) into the inbox.

    Raises Problem (malformed-batch, payload-too-large, unknown-station, station-revoked,
    bad-signature, replayed-batch, unknown-spec); when it does, nothing was stored.
    """
    # Parsing and hashing are CPU work: done before the transaction takes its locks.
    return accept_parsed_batch(
        session_factory, parse_signed_batch_document(data), via=via, clock=clock
    )


def accept_parsed_batch(
    session_factory: sessionmaker[Session], parsed: ParsedBatch, *, via: str, clock: Clock
) -> Receipt:
    """accept_batch for a batch already parsed (the HTTP route keeps the parse, to tell the
    receipt in runs of the batch's seqs)."""
    if via not in BATCH_VIAS:
        raise ValueError(f"via must be one of {BATCH_VIAS}, not {via!r}")
    hashes = list(parsed.envelope_hashes)
    return in_transaction(
        session_factory, lambda session: _accept(session, parsed, hashes, via, clock)
    )


def _accept(
    session: Session, parsed: ParsedBatch, hashes: list[str], via: str, clock: Clock
) -> Receipt:
    batch = parsed.signed.batch
    station = lock_active_station(session, batch.station_id)
    check_station_signature(
        station.public_key,
        BATCH_SIGNING_DOMAIN,
        parsed.batch_bytes,
        parsed.signed.signature_bytes(),
        what="batch",
    )
    content_sha256 = parsed.content_sha256()
    stored = _stored_receipt(session, batch.batch_id, station.station_id, content_sha256)
    if stored is not None:
        return stored
    _refuse_reused_batch_seq(session, station.station_id, batch.batch_seq)

    facts = BatchFacts(
        batch.batch_id, batch.batch_seq, content_sha256, via, parsed.signed.signature
    )
    return store_batch(session, station, facts, batch.envelopes, hashes, clock())


@dataclass(frozen=True)
class BatchFacts:
    """What is recorded of a batch besides its envelopes."""

    batch_id: str
    batch_seq: int
    content_sha256: str
    via: str
    signature: str


def store_batch(
    session: Session,
    station: Station,
    facts: BatchFacts,
    envelopes: list[Envelope],
    hashes: list[str],
    now: datetime,
) -> Receipt:
    """Sort the envelopes against what the (locked) station has stored, store the batch,
    its new envelopes, its quarantined conflicts, its receipt and the station's counters.

    The one place the intake rules are applied: station batches (accept_batch) and the
    online site's single envelopes (sync_server/site) both come through here."""
    _refuse_unknown_specs(session, envelopes)
    sorting = sort_envelopes(session, station.station_id, envelopes, hashes)
    receipt = Receipt(
        batch_id=facts.batch_id,
        results=[result for result in sorting.results if result is not None],
    )
    session.execute(
        insert(BatchRecord),
        [
            {
                "batch_id": facts.batch_id,
                "station_id": station.station_id,
                "batch_seq": facts.batch_seq,
                "content_sha256": facts.content_sha256,
                "received_at": now,
                "envelope_count": len(envelopes),
                "via": facts.via,
                "signature": facts.signature,
            }
        ],
    )
    common = {"batch_id": facts.batch_id, "station_id": station.station_id}
    if sorting.inbox_rows:
        rows = [{**row, **common, "received_at": now} for row in sorting.inbox_rows]
        session.execute(insert(InboxEnvelope.__table__), rows)
    if sorting.quarantine_rows:
        rows = [{**row, **common, "quarantined_at": now} for row in sorting.quarantine_rows]
        session.execute(insert(QuarantinedEnvelope.__table__), rows)
    session.execute(
        insert(ReceiptRecord),
        [{"batch_id": facts.batch_id, "receipt": canonical_json(receipt.wire_dict()).decode()}],
    )
    _count(station, facts.batch_seq, sorting, now)
    return receipt


def _stored_receipt(
    session: Session, batch_id: str, station_id: str, content_sha256: str
) -> Receipt | None:
    """The receipt already given for this very batch (a retry), or None for a new batch."""
    record = session.get(BatchRecord, batch_id)
    if record is None:
        return None
    if record.station_id != station_id or record.content_sha256 != content_sha256:
        raise Problem(
            "replayed-batch", f"batch id {batch_id} was already used for a batch with other content"
        )
    stored = session.get(ReceiptRecord, batch_id)
    if stored is None:
        raise RuntimeError(f"batch {batch_id} is stored without its receipt")
    return Receipt.model_validate_json(stored.receipt)


def _refuse_reused_batch_seq(session: Session, station_id: str, batch_seq: int) -> None:
    other = session.scalar(
        select(BatchRecord.batch_id).where(
            BatchRecord.station_id == station_id, BatchRecord.batch_seq == batch_seq
        )
    )
    if other is not None:
        raise Problem(
            "replayed-batch",
            f"batch_seq {batch_seq} of station {station_id} was already used by batch {other}",
        )


def _refuse_unknown_specs(session: Session, envelopes: list[Envelope]) -> None:
    wanted = {envelope.spec.triple() for envelope in envelopes}
    known = {
        (row.spec_id, row.version, row.sha256)
        for row in session.execute(
            select(KnownSpec.spec_id, KnownSpec.version, KnownSpec.sha256).where(
                KnownSpec.spec_id.in_({spec_id for spec_id, _, _ in wanted})
            )
        )
    }
    unknown = sorted(wanted - known)
    if unknown:
        named = ", ".join(f"{i} {v} (sha256 {h[:12]}…)" for i, v, h in unknown)
        raise Problem(
            "unknown-spec",
            f"this server does not know the spec(s) {named}; the whole batch was refused and "
            "nothing was stored: ask the operator to register the spec, then sync again",
        )


def sort_envelopes(
    session: Session, station_id: str, envelopes: list[Envelope], hashes: list[str]
) -> EnvelopeSorting:
    """Decide accepted / duplicate / conflict for each envelope, with set queries only.

    Only this station's own envelopes count: an envelope id is the station's choice, so the
    same id from another tablet (a replay of copied files) is that tablet's envelope, which
    the processor will not open as its own — it never makes this station's a duplicate or a
    conflict."""
    ids = [envelope.envelope_id for envelope in envelopes]
    seen: dict[str, str] = {
        envelope_id: stored_hash
        for envelope_id, stored_hash in session.execute(
            select(InboxEnvelope.envelope_id, InboxEnvelope.envelope_hash).where(
                InboxEnvelope.station_id == station_id, InboxEnvelope.envelope_id.in_(ids)
            )
        )
    }
    in_quarantine: set[tuple[str, str]] = {
        (envelope_id, stored_hash)
        for envelope_id, stored_hash in session.execute(
            select(QuarantinedEnvelope.envelope_id, QuarantinedEnvelope.envelope_hash).where(
                QuarantinedEnvelope.station_id == station_id,
                QuarantinedEnvelope.envelope_id.in_(ids),
            )
        )
    }
    neighbour_seqs = {e.seq + step for e in envelopes for step in (-1, 0, 1)}
    chain: dict[int, _Link] = {
        seq: _Link(envelope_id, stored_hash, prev)
        for seq, envelope_id, stored_hash, prev in session.execute(
            select(
                InboxEnvelope.seq,
                InboxEnvelope.envelope_id,
                InboxEnvelope.envelope_hash,
                InboxEnvelope.prev_hash,
            ).where(
                InboxEnvelope.station_id == station_id,
                # The range lets (station_id, seq) bound the scan: with the IN list alone,
                # PostgreSQL's plan read every envelope of the station (issue 16).
                InboxEnvelope.seq.between(
                    min(neighbour_seqs, default=0), max(neighbour_seqs, default=0)
                ),
                InboxEnvelope.seq.in_(neighbour_seqs),
            )
        )
    }

    sorting = EnvelopeSorting(results=[None] * len(envelopes))
    # In seq order, so that envelopes of this batch chain to each other as they are taken.
    for index in sorted(range(len(envelopes)), key=lambda i: envelopes[i].seq):
        envelope, digest = envelopes[index], hashes[index]
        problem = _conflict(envelope, digest, seen, chain)
        if problem is None and envelope.envelope_id in seen:
            sorting.results[index] = EnvelopeResult(
                envelope_id=envelope.envelope_id, status="duplicate"
            )
            sorting.duplicates += 1
        elif problem is None:
            sorting.results[index] = EnvelopeResult(
                envelope_id=envelope.envelope_id, status="accepted"
            )
            sorting.inbox_rows.append(_inbox_row(envelope, digest))
            sorting.accepted_seqs.append(envelope.seq)
            seen[envelope.envelope_id] = digest
            chain[envelope.seq] = _Link(envelope.envelope_id, digest, envelope.prev)
        else:
            code, detail = problem
            sorting.results[index] = EnvelopeResult(
                envelope_id=envelope.envelope_id, status="conflict", code=code
            )
            if (envelope.envelope_id, digest) not in in_quarantine:
                in_quarantine.add((envelope.envelope_id, digest))
                sorting.quarantine_rows.append(
                    {
                        "envelope_id": envelope.envelope_id,
                        "seq": envelope.seq,
                        "envelope_hash": digest,
                        "envelope": canonical_json(envelope.model_dump(mode="json")).decode(),
                        "reason": code,
                        "detail": detail,
                    }
                )
    return sorting


def _conflict(
    envelope: Envelope, digest: str, seen: dict[str, str], chain: dict[int, _Link]
) -> tuple[str, str] | None:
    """(code, detail) when the envelope conflicts with what is stored, else None."""
    stored_hash = seen.get(envelope.envelope_id)
    if stored_hash is not None:
        if stored_hash == digest:
            return None  # the same envelope again: a duplicate
        return ("envelope-conflict", "another envelope with this id and other bytes is stored")
    holder = chain.get(envelope.seq)
    if holder is not None:
        return (
            "sequence-conflict",
            f"seq {envelope.seq} is held by envelope {holder.envelope_id}",
        )
    if envelope.seq == 1 and envelope.prev != ZERO_HASH:
        return ("chain-mismatch", "seq 1 must have prev = 64 zeros")
    before = chain.get(envelope.seq - 1)
    if before is not None and before.envelope_hash != envelope.prev:
        return ("chain-mismatch", f"prev is not the hash of the stored seq {envelope.seq - 1}")
    after = chain.get(envelope.seq + 1)
    if after is not None and after.prev != digest:
        return ("chain-mismatch", f"the stored seq {envelope.seq + 1} does not link to this one")
    return None


def _inbox_row(envelope: Envelope, digest: str) -> dict[str, Any]:
    return {
        "envelope_id": envelope.envelope_id,
        "envelope_v": envelope.v,
        "seq": envelope.seq,
        "prev_hash": envelope.prev,
        "spec_id": envelope.spec.id,
        "spec_version": envelope.spec.version,
        "spec_sha256": envelope.spec.sha256,
        "sealed": base64.b64decode(envelope.sealed),
        "key_id": envelope.key_id,
        "envelope_hash": digest,
        "state": "pending",
    }


def _count(station: Station, batch_seq: int, sorting: EnvelopeSorting, now: datetime) -> None:
    station.last_batch_seq = max(station.last_batch_seq, batch_seq)
    if sorting.accepted_seqs:
        station.last_envelope_seq = max(station.last_envelope_seq, max(sorting.accepted_seqs))
    station.envelopes_received += len(sorting.inbox_rows)
    station.duplicates += sorting.duplicates
    station.conflicts += len(sorting.quarantine_rows)
    station.last_sync_at = now
