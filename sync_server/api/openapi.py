"""The OpenAPI document: what each route reads and answers, for clients and the fuzzer.

The handlers read their bodies themselves (bounded, see bodies.py), so FastAPI cannot see
them: each route names its body model, success status and media types here, and every
route may answer a problem+json from the one catalogue.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from protocol.problems import CATALOGUE, PROBLEM_MEDIA_TYPE, ProblemBody

_REFS = "#/components/schemas/{model}"
_ANY_JSON: dict[str, Any] = {"type": "object"}


def _schema(model: type[BaseModel] | None, mode: str) -> dict[str, Any]:
    if model is None:
        return dict(_ANY_JSON)
    schema = model.model_json_schema(ref_template=_REFS, mode=mode)  # type: ignore[arg-type]
    return schema


def _problem_schema() -> dict[str, Any]:
    schema = _schema(ProblemBody, "serialization")
    schema["properties"]["code"]["enum"] = sorted(CATALOGUE)
    return schema


def documented(
    *,
    success: int = 200,
    answer: type[BaseModel] | None = None,
    media_types: tuple[str, ...] = ("application/json",),
    body: type[BaseModel] | None = None,
    gzip: bool = False,
    bearer: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: its success answer, its body (read by the
    handler, not by FastAPI), gzip Content-Encoding, bearer authentication; any 4xx or 5xx
    is a problem+json."""
    problem = {"content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _REFS.format(model="Problem")}}}}
    responses: dict[int | str, Any] = {
        success: {
            "description": "Done",
            "content": {kind: {"schema": _schema(answer, "serialization")} for kind in media_types},
        },
        "4XX": {"description": "Refused: a problem from the catalogue", **problem},
        "5XX": {"description": "The server cannot answer now: retry later", **problem},
    }
    extra: dict[str, Any] = {}
    if body is not None:
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(body, "validation")}},
        }
    if gzip:
        extra["parameters"] = [
            {
                "name": "Content-Encoding",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "enum": ["gzip"]},
            }
        ]
    if bearer:
        extra["security"] = [{"bearer": []}]
    return {"status_code": success, "responses": responses, "openapi_extra": extra}


def _hoist_definitions(node: Any, components: dict[str, Any]) -> None:
    """Pydantic puts nested models in `$defs`; OpenAPI resolves refs from the document's
    root, so they move to components/schemas."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            components.setdefault(name, schema)
            _hoist_definitions(schema, components)
        for value in node.values():
            _hoist_definitions(value, components)
    elif isinstance(node, list):
        for value in node:
            _hoist_definitions(value, components)


def install_document(app: FastAPI) -> None:
    """app.openapi() builds the document once, with the bodies and problems above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = document.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            _hoist_definitions(document["paths"], schemas)
            schemas["Problem"] = _problem_schema()
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
