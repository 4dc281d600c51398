"""GET /v1/health: 200 when the database answers, 503 otherwise."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from protocol.problems import Problem
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from sync_server.api.state import server_state

router = APIRouter()
log = logging.getLogger("sync_server.api")


@router.get("/v1/health", **documented())
def get_health(request: Request) -> Response:
    try:
        with server_state(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("health check: the database does not answer (%s)", type(error).__name__)
        raise Problem("service-unavailable", "the database does not answer") from None
    return json_response({"status": "ok"})
