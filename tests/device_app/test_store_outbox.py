"""The outbox: the finishing transaction, the hash chain, batches and receipts."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from device_app.batching import Batcher, BatchLimits
from device_app.store import (
    GENESIS_HASH,
    BatchConflict,
    EnvelopeMismatch,
    InvalidValue,
    SealedEnvelope,
    StationStore,
    UnknownBatch,
    UnknownEnvelope,
)
from tests.device_app.conftest import STORE_PASSPHRASE, envelope_for, sealer


def batcher(store: StationStore, **limits: int) -> Batcher:
    """A batcher for grouping only (it signs nothing here)."""

    def never(*_: object) -> object:
        raise AssertionError("grouping signs, stamps and names nothing")

    return Batcher(
        store=store, station_id="st_one", sign=never, clock=never, new_id=never,
        limits=BatchLimits(**limits),
    )  # fmt: skip


def test_append_links_each_envelope_to_the_previous(store: StationStore) -> None:
    seen: list[tuple[int, str]] = []
    build = sealer()

    def recording(seq: int, prev: str) -> SealedEnvelope:
        seen.append((seq, prev))
        return build(seq, prev)

    first = store.append_envelope(recording)
    second = store.append_envelope(recording)
    assert seen == [(1, GENESIS_HASH), (2, first.envelope_hash)]
    assert (first.seq, second.seq) == (1, 2)
    assert first.envelope_hash == hashlib.sha256(first.envelope).hexdigest()
    assert second.state == "pending" and second.size == len(second.envelope)
    assert store.verify_chain() == []


def test_append_deletes_the_draft_in_the_same_transaction(store: StationStore) -> None:
    store.save_draft("draft-1", b'{"answers": {}}')
    entry = store.append_envelope(sealer(), draft_id="draft-1")
    assert store.load_draft("draft-1") is None
    assert store.counts().last_seq == entry.seq == 1


def test_a_failing_build_changes_nothing(store: StationStore) -> None:
    store.save_draft("draft-1", b'{"answers": {"q1": 2}}')
    store.append_envelope(sealer())

    def failing(seq: int, prev: str) -> SealedEnvelope:
        raise RuntimeError("sealing failed")

    with pytest.raises(RuntimeError, match="sealing failed"):
        store.append_envelope(failing, draft_id="draft-1")
    assert store.load_draft("draft-1") == b'{"answers": {"q1": 2}}'
    assert store.counts().last_seq == 1
    # The next envelope still gets seq 2: the failed attempt used up nothing.
    assert store.append_envelope(sealer(), draft_id="draft-1").seq == 2
    assert store.verify_chain() == []


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda seq, prev: envelope_for(seq + 1, prev), id="wrong seq"),
        pytest.param(lambda seq, prev: envelope_for(seq, GENESIS_HASH[:-1] + "1"), id="wrong prev"),
        pytest.param(lambda seq, prev: b"not json", id="not json"),
    ],
)
def test_an_envelope_for_another_slot_is_refused(store: StationStore, forge) -> None:
    store.save_draft("draft-1", b"{}")

    def build(seq: int, prev: str) -> SealedEnvelope:
        return SealedEnvelope.from_json(forge(seq, prev))

    with pytest.raises(EnvelopeMismatch):
        store.append_envelope(build, draft_id="draft-1")
    assert store.counts().last_seq == 0
    assert store.load_draft("draft-1") == b"{}"


@pytest.mark.parametrize("column", ["envelope_id", "spec_version"])
def test_columns_that_disagree_with_the_bytes_are_refused(store: StationStore, column: str) -> None:
    """The store checks what it stores, not what its caller says beside it: a builder bug
    that put another id or spec beside the bytes would file the envelope wrongly."""

    def lying(seq: int, prev: str) -> SealedEnvelope:
        sealed = SealedEnvelope.from_json(envelope_for(seq, prev))
        return SealedEnvelope(**{**sealed.__dict__, column: "9.9.9-other"})

    with pytest.raises(EnvelopeMismatch, match=column.split("_")[0]):
        store.append_envelope(lying)
    assert store.counts().last_seq == 0


def test_a_wrong_hash_or_reused_envelope_id_is_refused(store: StationStore) -> None:
    def wrong_hash(seq: int, prev: str) -> SealedEnvelope:
        sealed = SealedEnvelope.from_json(envelope_for(seq, prev))
        return SealedEnvelope(**{**sealed.__dict__, "envelope_hash": "0" * 64})

    with pytest.raises(EnvelopeMismatch, match="SHA-256"):
        store.append_envelope(wrong_hash)
    store.append_envelope(
        lambda s, p: SealedEnvelope.from_json(envelope_for(s, p, envelope_id="same"))
    )
    with pytest.raises(EnvelopeMismatch, match="already in the outbox"):
        store.append_envelope(
            lambda s, p: SealedEnvelope.from_json(envelope_for(s, p, envelope_id="same"))
        )
    assert store.counts().last_seq == 1


def test_verify_chain_detects_tampering(store: StationStore) -> None:
    for _ in range(4):
        store.append_envelope(sealer())
    assert store.verify_chain() == []
    with store._use() as connection:
        envelope = connection.execute("SELECT envelope FROM outbox WHERE seq = 2").fetchone()[0]
        forged = bytes(envelope).replace(b'"v":1', b'"v":2')
        connection.execute("UPDATE outbox SET envelope = ? WHERE seq = 2", (forged,))
    problems = {(p.seq, p.problem) for p in store.verify_chain()}
    assert (2, "the envelope does not match its stored hash") in problems
    assert (3, "prev is not the hash of the previous envelope") in problems


def test_verify_chain_detects_a_gap(store: StationStore) -> None:
    for _ in range(3):
        store.append_envelope(sealer())
    with store._use() as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DELETE FROM outbox WHERE seq = 2")
        connection.execute("PRAGMA foreign_keys = ON")
    problems = store.verify_chain()
    assert [str(p) for p in problems if "gap" in p.problem] == ["seq 3: gap: expected seq 2"]


def test_a_batch_is_bounded_by_count_and_bytes(store: StationStore) -> None:
    entries = [store.append_envelope(sealer(size=300)) for _ in range(10)]
    size = entries[0].size
    assert [e.seq for e in batcher(store, max_envelopes=3).next_pending()] == [1, 2, 3]
    by_bytes = batcher(store, max_envelopes=100, max_bytes=size * 4 + 1)
    assert [e.seq for e in by_bytes.next_pending()] == [1, 2, 3, 4]
    # The same rule cuts the whole outbox (what USB export writes).
    assert [[e.seq for e in group] for group in by_bytes.groups(store.entries())] == [
        [1, 2, 3, 4], [5, 6, 7, 8], [9, 10],
    ]  # fmt: skip
    # One envelope alone over the budget still goes, so it can never block the outbox.
    assert [e.seq for e in batcher(store, max_bytes=1).next_pending()] == [1]
    with pytest.raises(ValueError, match="1 to 500 envelopes"):
        BatchLimits(max_envelopes=0)


def test_mark_acknowledged_touches_only_named_pending_envelopes(store: StationStore) -> None:
    entries = [store.append_envelope(sealer()) for _ in range(5)]
    ids = [e.envelope_id for e in entries]
    batch_seq = store.next_batch_seq()
    store.record_batch("batch-1", batch_seq, ids[:3], "http")
    assert store.mark_problem(ids[2], "conflict", "envelope-conflict")
    acknowledged = store.mark_acknowledged([ids[0], ids[1], ids[2], "not-ours"], batch_id="batch-1")
    assert acknowledged == 2  # ids[2] is in conflict, "not-ours" is unknown
    assert [e.seq for e in store.entries(states=["pending"])] == [4, 5]
    states = {e.envelope_id: (e.state, e.batch_id, e.code) for e in store.entries()}
    assert states[ids[0]] == ("acknowledged", "batch-1", None)
    assert states[ids[2]] == ("conflict", None, "envelope-conflict")
    # Acknowledging again counts nothing new.
    assert store.mark_acknowledged(ids[:2], batch_id="batch-1") == 0
    counts = store.counts()
    assert (counts.pending, counts.acknowledged, counts.conflict, counts.rejected) == (2, 2, 1, 0)
    assert counts.last_seq == 5
    assert counts.pending_bytes == entries[3].size + entries[4].size


def test_acknowledging_needs_a_recorded_batch(store: StationStore) -> None:
    entry = store.append_envelope(sealer())
    with pytest.raises(UnknownBatch):
        store.mark_acknowledged([entry.envelope_id], batch_id="never-recorded")
    assert store.counts().pending == 1


def test_mark_problem(store: StationStore) -> None:
    entry = store.append_envelope(sealer())
    with pytest.raises(InvalidValue):
        store.mark_problem(entry.envelope_id, "acknowledged", "x")
    with pytest.raises(UnknownEnvelope):
        store.mark_problem("nope", "rejected", "spec-unknown")
    assert store.mark_problem(entry.envelope_id, "rejected", "spec-unknown")
    assert not store.mark_problem(entry.envelope_id, "conflict", "envelope-conflict")
    assert [(e.state, e.code) for e in store.entries(states=["rejected"])] == [
        ("rejected", "spec-unknown")
    ]


def test_entries_pages_through_everything_in_order(store: StationStore) -> None:
    for _ in range(450):
        store.append_envelope(sealer(size=4))
    assert [e.seq for e in store.entries()] == list(range(1, 451))
    assert list(store.entries(states=["acknowledged"])) == []
    with pytest.raises(InvalidValue):
        list(store.entries(states=["lost"]))


def test_next_batch_seq_is_monotonic_across_reopen(store: StationStore, store_dir: Path) -> None:
    assert [store.next_batch_seq() for _ in range(3)] == [1, 2, 3]
    store.close()
    with StationStore.unlock(store_dir, STORE_PASSPHRASE) as again:
        assert again.next_batch_seq() == 4


def test_record_batch(store: StationStore) -> None:
    ids = [store.append_envelope(sealer()).envelope_id for _ in range(3)]
    with pytest.raises(BatchConflict, match="not issued"):
        store.record_batch("b1", 1, ids, "http")
    seq = store.next_batch_seq()
    record = store.record_batch("b1", seq, ids, "usb")
    assert (record.batch_seq, record.envelope_count, record.via) == (1, 3, "usb")
    assert store.record_batch("b1", seq, ids, "usb") == record  # the same again: no-op
    with pytest.raises(BatchConflict):
        store.record_batch("b1", seq, ids[:2], "usb")
    with pytest.raises(BatchConflict):
        store.record_batch("b2", seq, ids, "usb")  # batch_seq already used
    other = store.next_batch_seq()
    with pytest.raises(UnknownEnvelope):
        store.record_batch("b2", other, ["not-ours"], "http")
    with pytest.raises(InvalidValue):
        store.record_batch("b2", other, ids, "pigeon")
    assert [b.batch_id for b in store.batches()] == ["b1"]


def test_two_threads_appending_get_contiguous_seqs(store: StationStore) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def finish_responses() -> None:
        try:
            start.wait()
            for _ in range(40):
                store.append_envelope(sealer())
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=finish_responses) for _ in range(2)]
    for thread in threads:
        thread.start()
    # Meanwhile this thread plays sync: batch what is pending and acknowledge it.
    start.wait()
    acknowledged = 0
    while any(thread.is_alive() for thread in threads) or store.counts().pending:
        batch = batcher(store, max_envelopes=7).next_pending()
        if batch:
            seq = store.next_batch_seq()
            ids = [entry.envelope_id for entry in batch]
            store.record_batch(f"batch-{seq}", seq, ids, "http")
            acknowledged += store.mark_acknowledged(ids, batch_id=f"batch-{seq}")
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert [e.seq for e in store.entries()] == list(range(1, 81))
    assert acknowledged == 80 == store.counts().acknowledged
    assert store.verify_chain() == []
