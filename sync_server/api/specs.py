"""GET /v1/specs and GET /v1/specs/{id}/{version}: what stations may answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from protocol.problems import Problem
from protocol.wire import SpecList
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from sync_server.api.state import server_state
from sync_server.ingest.specs import known_spec_identities, spec_body

router = APIRouter()


@router.get("/v1/specs", **documented(answer=SpecList))
def get_specs(request: Request) -> Response:
    identities = known_spec_identities(server_state(request).session_factory)
    return json_response(SpecList(specs=identities).model_dump(mode="json"))


@router.get("/v1/specs/{spec_id}/{version}", **documented())
def get_spec(
    spec_id: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")],
    version: Annotated[str, Path(pattern=r"^\d{1,9}\.\d{1,9}\.\d{1,9}$")],
    request: Request,
) -> Response:
    body = spec_body(server_state(request).session_factory, spec_id, version)
    if body is None:
        raise Problem("not-found", f"this server has no spec {spec_id} {version}")
    return Response(body, media_type="application/json")
