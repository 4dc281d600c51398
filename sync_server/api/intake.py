"""POST /v1/batches and POST /v1/beacons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from protocol.codec import parse_signed_batch_document
from protocol.receipt_summary import RECEIPT_SUMMARY_MEDIA_TYPE, ReceiptSummary
from protocol.wire import BeaconAnswer, Receipt, SignedBatch, SignedBeacon
from sync_server.api.bodies import read_bounded, require_json
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.ingest.batches import accept_parsed_batch
from sync_server.ingest.beacons import record_beacon

router = APIRouter()


@router.post(
    "/v1/batches",
    **documented(
        answer=Receipt,
        body=SignedBatch,
        gzip=True,
        negotiated={RECEIPT_SUMMARY_MEDIA_TYPE: ReceiptSummary},
    ),
)
async def post_batch(request: Request) -> Response:
    state = server_state(request)
    require_json(request, gzip=True)
    data = await read_bounded(request, state.settings.max_batch_bytes)
    parsed = await run_in_threadpool(parse_signed_batch_document, data)
    receipt = await run_in_threadpool(
        accept_parsed_batch, state.session_factory, parsed, via="http",
        clock=state.settings.clock,
    )  # fmt: skip
    if not _asks_for_summary(request):
        return json_response(receipt.wire_dict())
    seqs = [envelope.seq for envelope in parsed.signed.batch.envelopes]
    summary = ReceiptSummary.of(receipt, seqs)
    return json_response(summary.wire_dict(), media_type=RECEIPT_SUMMARY_MEDIA_TYPE)


def _asks_for_summary(request: Request) -> bool:
    named = {
        part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")
    }
    return RECEIPT_SUMMARY_MEDIA_TYPE in named


@router.post("/v1/beacons", **documented(answer=BeaconAnswer, body=SignedBeacon))
async def post_beacon(request: Request) -> Response:
    state = server_state(request)
    require_json(request, gzip=False)
    data = await read_bounded(request, state.settings.max_small_body_bytes)
    answer = await run_in_threadpool(
        record_beacon, state.session_factory, data, clock=state.settings.clock
    )
    return json_response(answer.wire_dict())
