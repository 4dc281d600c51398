"""Batch sequence numbers and the record of every batch sent or exported.

`next_batch_seq` commits the new number before the caller builds the batch, so a crash can
skip a number but never hand out the same batch_seq twice (the server treats a reused
batch_seq with other content as a replay). `record_batch` then keeps which envelopes the
batch carried and how it left (http or usb); a receipt is accepted only for a recorded batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from device_app.store.database import Connection, transaction
from device_app.store.errors import BatchConflict, InvalidValue, UnknownEnvelope

VIA = ("http", "usb")


@dataclass(frozen=True)
class BatchRecord:
    batch_id: str
    batch_seq: int
    envelope_count: int
    via: str


def next_batch_seq(connection: Connection) -> int:
    with transaction(connection):
        connection.execute("UPDATE counters SET value = value + 1 WHERE name = 'batch_seq'")
        return connection.execute("SELECT value FROM counters WHERE name = 'batch_seq'").fetchone()[
            0
        ]


def record_batch(
    connection: Connection, batch_id: str, batch_seq: int, envelope_ids: Iterable[str], via: str
) -> BatchRecord:
    """Record a batch; recording the same batch again is a no-op, other content a conflict."""
    ids = list(envelope_ids)
    if via not in VIA:
        raise InvalidValue(f"a batch leaves by http or usb, not {via!r}")
    if not isinstance(batch_id, str) or not batch_id:
        raise InvalidValue("a batch needs a batch id")
    if len(set(ids)) != len(ids):
        raise InvalidValue("a batch cannot carry the same envelope twice")
    with transaction(connection):
        issued = connection.execute(
            "SELECT value FROM counters WHERE name = 'batch_seq'"
        ).fetchone()[0]
        if not 1 <= batch_seq <= issued:
            raise BatchConflict(f"batch_seq {batch_seq} was not issued by next_batch_seq()")
        existing = connection.execute(
            "SELECT batch_id, batch_seq FROM batches WHERE batch_id = ? OR batch_seq = ?",
            (batch_id, batch_seq),
        ).fetchall()
        if existing:
            if existing == [(batch_id, batch_seq)] and _carried(connection, batch_id) == set(ids):
                return BatchRecord(batch_id, batch_seq, len(ids), _via(connection, batch_id))
            raise BatchConflict(
                f"batch {batch_id} / batch_seq {batch_seq} is already recorded with other content"
            )
        connection.execute(
            "INSERT INTO batches (batch_id, batch_seq, envelope_count, via) VALUES (?, ?, ?, ?)",
            (batch_id, batch_seq, len(ids), via),
        )
        for envelope_id in ids:
            known = connection.execute(
                "SELECT 1 FROM outbox WHERE envelope_id = ?", (envelope_id,)
            ).fetchone()
            if not known:
                raise UnknownEnvelope(f"batch {batch_id} names envelope {envelope_id}, not ours")
            connection.execute(
                "INSERT INTO batch_envelopes (batch_id, envelope_id) VALUES (?, ?)",
                (batch_id, envelope_id),
            )
    return BatchRecord(batch_id, batch_seq, len(ids), via)


def batches(connection: Connection) -> list[BatchRecord]:
    rows = connection.execute(
        "SELECT batch_id, batch_seq, envelope_count, via FROM batches ORDER BY batch_seq"
    )
    return [BatchRecord(*row) for row in rows]


def _carried(connection: Connection, batch_id: str) -> set[str]:
    rows = connection.execute(
        "SELECT envelope_id FROM batch_envelopes WHERE batch_id = ?", (batch_id,)
    )
    return {row[0] for row in rows}


def _via(connection: Connection, batch_id: str) -> str:
    return connection.execute("SELECT via FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()[
        0
    ]
