"""The outbox: sealed envelopes in a hash chain, and their journey to the server.

Finishing a response is ONE transaction (`append_envelope`): take the write lock, read the
last seq and its envelope hash, let the caller seal the envelope for that slot, check that
the envelope really is for that slot, insert it, delete the draft, commit. A crash at any
point leaves either the draft (and no envelope) or the envelope (and no draft): no response
is lost, none is counted twice. Seqs are 1, 2, 3… with no gaps because the next seq is read
and written under the same write lock and rows are never deleted.

The store never opens an envelope (it cannot: it is sealed to the survey key). It does
read the envelope's outer JSON inside the transaction: the chain is the store's promise, so
the bytes it stores must themselves say this slot's seq and prev, whatever the caller
claims beside them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from device_app.store.database import Connection, transaction
from device_app.store.errors import EnvelopeMismatch, InvalidValue, UnknownBatch, UnknownEnvelope

GENESIS_HASH = "0" * 64
STATES = ("pending", "acknowledged", "conflict", "rejected")
PROBLEM_STATES = ("conflict", "rejected")

_COLUMNS = (
    "seq, envelope_id, spec_id, spec_version, spec_sha256, envelope, envelope_hash, size, "
    "state, code, batch_id"
)


@dataclass(frozen=True)
class SealedEnvelope:
    """What a `build` callback returns: one envelope, ready for its outbox slot.

    The fields are the columns kept beside the bytes (finishing.outbox_row takes them from
    the model it dumps; `from_json` parses the bytes); append_envelope checks them, and the
    slot's seq and prev, against the bytes themselves.
    """

    envelope_id: str
    spec_id: str
    spec_version: str
    spec_sha256: str
    envelope: bytes  # the envelope's canonical JSON
    envelope_hash: str  # sha256 hex of `envelope`

    @classmethod
    def from_json(cls, envelope: bytes) -> SealedEnvelope:
        """Read the identity fields from the envelope's canonical JSON and hash it."""
        outer = _outer_fields(envelope)
        spec = outer["spec"]
        return cls(
            envelope_id=outer["envelope_id"],
            spec_id=spec["id"],
            spec_version=spec["version"],
            spec_sha256=spec["sha256"],
            envelope=bytes(envelope),
            envelope_hash=hashlib.sha256(envelope).hexdigest(),
        )


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    envelope_id: str
    spec_id: str
    spec_version: str
    spec_sha256: str
    envelope: bytes
    envelope_hash: str
    size: int
    state: str
    code: str | None = None  # the receipt's problem code for conflict/rejected
    batch_id: str | None = None  # the batch whose receipt acknowledged it


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    acknowledged: int
    conflict: int
    rejected: int
    last_seq: int  # 0 when the outbox is empty
    pending_bytes: int


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.problem}"


def append_envelope(
    connection: Connection,
    build: Callable[[int, str], SealedEnvelope],
    *,
    draft_id: str | None = None,
) -> OutboxEntry:
    with transaction(connection):
        last = connection.execute(
            "SELECT seq, envelope_hash FROM outbox ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        sealed = build(seq, prev)
        _check_slot(sealed, seq, prev)
        duplicate = connection.execute(
            "SELECT seq FROM outbox WHERE envelope_id = ?", (sealed.envelope_id,)
        ).fetchone()
        if duplicate:
            raise EnvelopeMismatch(
                f"envelope {sealed.envelope_id} is already in the outbox at seq {duplicate[0]}"
            )
        connection.execute(
            "INSERT INTO outbox (seq, envelope_id, spec_id, spec_version, spec_sha256, "
            "envelope, envelope_hash, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                sealed.envelope_id,
                sealed.spec_id,
                sealed.spec_version,
                sealed.spec_sha256,
                sealed.envelope,
                sealed.envelope_hash,
                len(sealed.envelope),
            ),
        )
        if draft_id is not None:
            connection.execute("DELETE FROM drafts WHERE draft_id = ?", (draft_id,))
    return OutboxEntry(
        seq=seq,
        envelope_id=sealed.envelope_id,
        spec_id=sealed.spec_id,
        spec_version=sealed.spec_version,
        spec_sha256=sealed.spec_sha256,
        envelope=sealed.envelope,
        envelope_hash=sealed.envelope_hash,
        size=len(sealed.envelope),
        state="pending",
    )


def _check_slot(sealed: object, seq: int, prev: str) -> None:
    """Refuse an envelope that is not exactly the one for slot `seq` after `prev`."""
    if not isinstance(sealed, SealedEnvelope):
        raise EnvelopeMismatch(f"build must return a SealedEnvelope, not {type(sealed).__name__}")
    if not isinstance(sealed.envelope, bytes) or not sealed.envelope:
        raise EnvelopeMismatch("the envelope must be non-empty bytes of canonical JSON")
    if hashlib.sha256(sealed.envelope).hexdigest() != sealed.envelope_hash:
        raise EnvelopeMismatch("envelope_hash is not the SHA-256 of the envelope bytes")
    outer = _outer_fields(sealed.envelope)
    expected = {
        "seq": seq,
        "prev": prev,
        "envelope_id": sealed.envelope_id,
        "spec": {
            "id": sealed.spec_id,
            "version": sealed.spec_version,
            "sha256": sealed.spec_sha256,
        },
    }
    for field, value in expected.items():
        if outer.get(field) != value:
            raise EnvelopeMismatch(
                f"the envelope's {field!r} does not match its outbox slot (seq {seq})"
            )


def _outer_fields(envelope: bytes) -> dict:
    try:
        outer = json.loads(envelope)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeMismatch("the envelope is not JSON") from None
    if not isinstance(outer, dict) or not isinstance(outer.get("spec"), dict):
        raise EnvelopeMismatch("the envelope is not a JSON object with a spec")
    if not isinstance(outer.get("envelope_id"), str) or not outer["envelope_id"]:
        raise EnvelopeMismatch("the envelope has no envelope_id")
    return outer


def entries_after(
    connection: Connection, after_seq: int, states: Sequence[str] | None, page: int
) -> list[OutboxEntry]:
    """One page of entries with seq > after_seq (keyset paging keeps memory flat)."""
    if states is None:
        query = f"SELECT {_COLUMNS} FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"  # noqa: S608
        return [_entry(row) for row in connection.execute(query, (after_seq, page))]
    wanted = check_states(states, STATES)
    marks = ", ".join("?" for _ in wanted)
    query = (
        f"SELECT {_COLUMNS} FROM outbox WHERE seq > ? AND state IN ({marks}) "  # noqa: S608
        "ORDER BY seq LIMIT ?"
    )
    return [_entry(row) for row in connection.execute(query, (after_seq, *wanted, page))]


def check_states(states: Iterable[str], allowed: Sequence[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(states))
    unknown = [state for state in wanted if state not in allowed]
    if unknown or not wanted:
        raise InvalidValue(f"states must be among {', '.join(allowed)}; got {list(wanted)}")
    return wanted


def mark_acknowledged(connection: Connection, envelope_ids: Iterable[str], batch_id: str) -> int:
    ids = list(dict.fromkeys(envelope_ids))
    with transaction(connection):
        if not connection.execute(
            "SELECT 1 FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone():
            raise UnknownBatch(f"batch {batch_id} was never recorded; record it before sending")
        changed = 0
        for envelope_id in ids:
            changed += connection.execute(
                "UPDATE outbox SET state = 'acknowledged', batch_id = ?, code = NULL "
                "WHERE envelope_id = ? AND state = 'pending'",
                (batch_id, envelope_id),
            ).rowcount
    return changed


def mark_problem(connection: Connection, envelope_id: str, state: str, code: str) -> bool:
    """Move a pending envelope to conflict/rejected with the receipt's code; False if it was
    not pending (an acknowledged envelope stays acknowledged)."""
    check_states([state], PROBLEM_STATES)
    if not isinstance(code, str) or not code:
        raise InvalidValue("a conflict or rejection needs the receipt's code")
    with transaction(connection):
        row = connection.execute(
            "SELECT state FROM outbox WHERE envelope_id = ?", (envelope_id,)
        ).fetchone()
        if row is None:
            raise UnknownEnvelope(f"no envelope {envelope_id} in the outbox")
        if row[0] != "pending":
            return False
        connection.execute(
            "UPDATE outbox SET state = ?, code = ? WHERE envelope_id = ?",
            (state, code, envelope_id),
        )
    return True


def counts(connection: Connection) -> OutboxCounts:
    by_state = dict.fromkeys(STATES, 0)
    for state, number in connection.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
        by_state[state] = number
    last_seq, pending_bytes = connection.execute(
        "SELECT coalesce(max(seq), 0), "
        "(SELECT coalesce(sum(size), 0) FROM outbox WHERE state = 'pending') FROM outbox"
    ).fetchone()
    return OutboxCounts(**by_state, last_seq=last_seq, pending_bytes=pending_bytes)


def verify_chain(connection: Connection) -> list[ChainProblem]:
    """Check seq contiguity, each row's hash and its `prev` link; return every problem."""
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS_HASH
    rows = connection.execute(
        "SELECT seq, envelope_id, envelope, envelope_hash, size FROM outbox ORDER BY seq"
    )
    for seq, envelope_id, envelope, envelope_hash, size in rows:
        if seq != expected_seq:
            problems.append(ChainProblem(seq, f"gap: expected seq {expected_seq}"))
        actual_hash = hashlib.sha256(envelope).hexdigest()
        if actual_hash != envelope_hash:
            problems.append(ChainProblem(seq, "the envelope does not match its stored hash"))
        if size != len(envelope):
            problems.append(ChainProblem(seq, "the stored size is wrong"))
        try:
            outer = _outer_fields(envelope)
        except EnvelopeMismatch as error:
            problems.append(ChainProblem(seq, str(error)))
            outer = {}
        if outer:
            if outer.get("seq") != seq:
                problems.append(ChainProblem(seq, f"the envelope says seq {outer.get('seq')}"))
            if outer.get("envelope_id") != envelope_id:
                problems.append(ChainProblem(seq, "the envelope id differs from the row's"))
            if outer.get("prev") != prev:
                problems.append(ChainProblem(seq, "prev is not the hash of the previous envelope"))
        expected_seq, prev = seq + 1, actual_hash
    return problems


def _entry(row: tuple) -> OutboxEntry:
    return OutboxEntry(*row)
