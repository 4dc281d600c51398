"""A receipt told in runs of sequence numbers: what a station gets when it asks for it.

A full receipt names every envelope (about 77 bytes each); over a 50 kbit/s link that was a
third of a sync. A station's batch holds consecutive envelopes of its own chain, so nearly
every receipt is "seq a to b accepted": the summary says that in runs, and lists by envelope
id only what is neither accepted nor a duplicate (conflicts, rejections) — the exceptions.

Asked for with `Accept: RECEIPT_SUMMARY_MEDIA_TYPE` on POST /v1/batches and answered with that
Content-Type; a server that does not know it answers a full Receipt, which the station reads
as before, and an old station that does not ask gets the full Receipt. The server stores the
full receipt either way, so a retried batch gets the same answer in either form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import Field, model_validator

from protocol.limits import MAX_ENVELOPES_PER_BATCH, MAX_SEQUENCE
from protocol.wire import EnvelopeResult, Receipt, Uuid4Text, _Wire

RECEIPT_SUMMARY_MEDIA_TYPE = "application/vnd.mss.receipt-summary+json"

Seq = Annotated[int, Field(strict=True, ge=1, le=MAX_SEQUENCE)]
# [first, last], both included.
SeqRun = Annotated[list[Seq], Field(min_length=2, max_length=2)]
_Runs = Annotated[list[SeqRun], Field(max_length=MAX_ENVELOPES_PER_BATCH)]


class ReceiptSummary(_Wire):
    batch_id: Uuid4Text
    accepted: _Runs
    duplicate: _Runs
    exceptions: Annotated[list[EnvelopeResult], Field(max_length=MAX_ENVELOPES_PER_BATCH)]

    @model_validator(mode="after")
    def _runs_are_ordered(self) -> ReceiptSummary:
        for first, last in (*self.accepted, *self.duplicate):
            if first > last:
                raise ValueError(f"a run must not end before it starts: [{first}, {last}]")
        if any(result.acknowledged for result in self.exceptions):
            raise ValueError("accepted and duplicate envelopes are told in runs, not exceptions")
        return self

    @classmethod
    def of(cls, receipt: Receipt, seqs: Sequence[int]) -> ReceiptSummary:
        """The summary of `receipt`, whose results are in the order of the batch's envelopes
        and `seqs` their sequence numbers. A seq that occurs twice in the batch (only a
        hostile or broken station sends that) is told by envelope id, so the runs stay
        unambiguous."""
        if len(seqs) != len(receipt.results):
            raise ValueError("one seq per result is needed")
        repeated = {seq for seq, count in Counter(seqs).items() if count > 1}
        accepted: list[int] = []
        duplicate: list[int] = []
        exceptions: list[EnvelopeResult] = []
        for seq, result in zip(seqs, receipt.results, strict=True):
            if result.status == "accepted" and seq not in repeated:
                accepted.append(seq)
            elif result.status == "duplicate" and seq not in repeated:
                duplicate.append(seq)
            elif not result.acknowledged:
                exceptions.append(result)
            # An acknowledged envelope under a repeated seq goes unmentioned: the station
            # sends it again and is told "duplicate" in a batch of its own.
        return cls(
            batch_id=receipt.batch_id,
            accepted=_runs(accepted),
            duplicate=_runs(duplicate),
            exceptions=exceptions,
        )

    def expand(self, envelope_of_seq: Mapping[int, str]) -> Receipt:
        """The full receipt, for the batch whose envelopes are `envelope_of_seq` (what the
        station sent). Runs are looked up per envelope sent, never walked: a run of a
        billion seqs costs nothing, and names nothing the station did not send."""
        results: list[EnvelopeResult] = []
        for seq, envelope_id in envelope_of_seq.items():
            for status, runs in (("accepted", self.accepted), ("duplicate", self.duplicate)):
                if any(first <= seq <= last for first, last in runs):
                    results.append(EnvelopeResult(envelope_id=envelope_id, status=status))
                    break
        return Receipt(batch_id=self.batch_id, results=[*results, *self.exceptions])

    def wire_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


def _runs(seqs: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return runs
