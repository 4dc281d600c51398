"""POST /v1/batches and POST /v1/beacons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from protocol.wire import Receipt, SignedBatch, SignedBeacon
from sync_server.api.bodies import read_bounded, require_json
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.ingest.batches import accept_batch
from sync_server.ingest.beacons import record_beacon

router = APIRouter()


@router.post("/v1/batches", **documented(answer=Receipt, body=SignedBatch, gzip=True))
async def post_batch(request: Request) -> Response:
    state = server_state(request)
    require_json(request, gzip=True)
    data = await read_bounded(request, state.settings.max_batch_bytes)
    receipt = await run_in_threadpool(
        accept_batch, state.session_factory, data, via="http", clock=state.settings.clock
    )
    return json_response(receipt.wire_dict())


@router.post("/v1/beacons", **documented(body=SignedBeacon))
async def post_beacon(request: Request) -> Response:
    state = server_state(request)
    require_json(request, gzip=False)
    data = await read_bounded(request, state.settings.max_small_body_bytes)
    beacon = await run_in_threadpool(
        record_beacon, state.session_factory, data, clock=state.settings.clock
    )
    return json_response({"status": "recorded", "station_id": beacon.station_id})
