"""A sync of 1,000 responses: how many requests, and how many bytes come back per response."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import httpx

from protocol import RECEIPT_SUMMARY_MEDIA_TYPE, Receipt
from tests.contract.world import make_world, seal_records


class Recorder(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[str, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request.url.path, response))
        return response


def test_a_thousand_responses_sync_in_three_requests_with_receipts_in_runs(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    recorder = Recorder(world.transport)
    world.transport = recorder
    station = world.station()
    seal_records(station, 1000)
    recorder.exchanges.clear()  # enrolment and the spec downloads are not the sync

    report = station.sync()

    assert (report.accepted, report.pending_after) == (1000, 0)
    assert len(recorder.exchanges) <= 3
    receipts = [response for path, response in recorder.exchanges if path == "/v1/batches"]
    assert {r.headers["content-type"] for r in receipts} == {RECEIPT_SUMMARY_MEDIA_TYPE}
    down = sum(len(r.content) for r in receipts)
    assert down / 1000 <= 10, f"{down / 1000:.1f} bytes of receipt per response"
    assert station.status().acknowledged == 1000


def test_a_client_that_does_not_ask_gets_the_full_stored_receipt(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    recorder = Recorder(world.transport)
    world.transport = recorder
    station = world.station()
    seal_records(station, 3)
    station.sync()
    (body,) = [r.request.content for p, r in recorder.exchanges if p == "/v1/batches"]

    with httpx.Client(transport=world.transport, base_url="http://mss.test") as client:
        again = client.post("/v1/batches", content=body,
                            headers={"Content-Type": "application/json",
                                     "Content-Encoding": "gzip"})  # fmt: skip

    assert again.status_code == 200 and again.headers["content-type"] == "application/json"
    receipt = Receipt.model_validate_json(again.content)
    sent = json.loads(gzip.decompress(body))["batch"]["envelopes"]
    assert [r.envelope_id for r in receipt.results] == [e["envelope_id"] for e in sent]
    # the very batch again: the stored receipt, told in full this time
    assert {r.status for r in receipt.results} == {"accepted"}
