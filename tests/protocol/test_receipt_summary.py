"""Receipts told in runs of seq: the same facts as the full receipt, and nothing more."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from protocol import EnvelopeResult, Receipt, ReceiptSummary

STATUSES = ("accepted", "duplicate", "conflict", "rejected")


def _id(number: int) -> str:
    return str(uuid.UUID(int=number, version=4))


def _receipt(statuses: list[str]) -> Receipt:
    return Receipt(
        batch_id=_id(0),
        results=[
            EnvelopeResult(envelope_id=_id(seq), status=status,
                           code=None if status in ("accepted", "duplicate") else "chain-mismatch")
            for seq, status in enumerate(statuses, start=1)
        ],
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    first=st.integers(1, 10_000),
    statuses=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=60),
)
def test_a_summary_expands_to_the_receipt_it_summarises(first: int, statuses: list[str]) -> None:
    receipt = _receipt(statuses)
    seqs = list(range(first, first + len(statuses)))
    summary = ReceiptSummary.of(receipt, seqs)
    sent = {seq: result.envelope_id for seq, result in zip(seqs, receipt.results, strict=True)}

    again = ReceiptSummary.model_validate_json(summary.model_dump_json()).expand(sent)

    assert again.batch_id == receipt.batch_id
    by_id = {result.envelope_id: result for result in again.results}
    assert by_id == {result.envelope_id: result for result in receipt.results}


def test_five_hundred_clean_envelopes_are_one_run_in_about_a_hundred_bytes() -> None:
    receipt = _receipt(["accepted"] * 500)
    summary = ReceiptSummary.of(receipt, list(range(1001, 1501)))
    assert summary.accepted == [[1001, 1500]] and summary.duplicate == [] == summary.exceptions
    assert len(summary.model_dump_json()) < 120
    assert len(receipt.model_dump_json(exclude_none=True)) > 30_000


def test_a_huge_run_names_only_what_the_station_sent() -> None:
    hostile = ReceiptSummary(
        batch_id=_id(0), accepted=[[1, 2**31 - 1]], duplicate=[], exceptions=[]
    )
    expanded = hostile.expand({7: _id(7)})
    assert [result.envelope_id for result in expanded.results] == [_id(7)]


def test_a_repeated_seq_is_never_told_as_a_run() -> None:
    receipt = Receipt(batch_id=_id(0), results=[
        EnvelopeResult(envelope_id=_id(1), status="accepted"),
        EnvelopeResult(envelope_id=_id(2), status="conflict", code="sequence-conflict"),
    ])  # fmt: skip
    summary = ReceiptSummary.of(receipt, [5, 5])
    assert summary.accepted == [] and [r.envelope_id for r in summary.exceptions] == [_id(2)]


@pytest.mark.parametrize(
    "document",
    [
        {"accepted": [[5, 4]], "duplicate": [], "exceptions": []},
        {"accepted": [[0, 4]], "duplicate": [], "exceptions": []},
        {"accepted": [[1, 2, 3]], "duplicate": [], "exceptions": []},
        {
            "accepted": [],
            "duplicate": [],
            "exceptions": [{"envelope_id": _id(3), "status": "accepted"}],
        },
        {"accepted": [], "duplicate": []},
    ],
)
def test_malformed_summaries_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReceiptSummary.model_validate({"batch_id": _id(0), **document})
