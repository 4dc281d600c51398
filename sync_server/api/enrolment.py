"""POST /v1/enrol: a station registers its public key with a single-use token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from protocol.wire import EnrolmentRequest, EnrolmentResponse
from sync_server.api.bodies import read_json_request
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.ingest.enrolment import enrol_station

router = APIRouter()


@router.post(
    "/v1/enrol",
    **documented(success=201, answer=EnrolmentResponse, body=EnrolmentRequest),
)
async def post_enrol(request: Request) -> Response:
    state = server_state(request)
    enrolment = await read_json_request(
        request,
        EnrolmentRequest,
        limit=state.settings.max_small_body_bytes,
        what="enrolment request",
    )
    answer = await run_in_threadpool(
        enrol_station,
        state.session_factory,
        enrolment,
        clock=state.settings.clock,
        random_bytes=state.settings.random_bytes,
    )
    return json_response(answer.model_dump(mode="json"), status_code=201)
