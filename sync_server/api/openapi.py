"""The OpenAPI document: what each route reads and answers, for clients and the fuzzer, and
the interactive docs at /docs, served from this server (no CDN: a field office may have
no internet, and a page that pulls scripts from elsewhere leaks who reads it).

The handlers read their bodies themselves (bounded, see bodies.py), so FastAPI cannot see
them: each route names its body model, success status and media types in `documented()`,
and OPERATIONS below says, per operation, which problems of the one catalogue it can
answer, the shape of its answer where no wire model names it, and examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from protocol.problems import CATALOGUE, PROBLEM_MEDIA_TYPE, ProblemBody, problem_body
from protocol.wire import BeaconAnswer

_REFS = "#/components/schemas/{model}"
_ANY_JSON: dict[str, Any] = {"type": "object"}
DOCUMENT_URL = "/openapi.json"
DOCS_URL = "/docs"
DOCS_ASSETS_URL = "/docs/assets"
# Swagger UI 5 (it reads OpenAPI 3.1), as the fastapi-offline package ships it.
DOCS_ASSETS_PACKAGE = "fastapi_offline"


# Answers the handlers write as plain JSON; these models say their shape to clients.
class HealthAnswer(BaseModel):
    status: Literal["ok"]


class IssuedTokenAnswer(BaseModel):
    """Shown once: only the token's SHA-256 is kept on the server."""

    token: str
    token_id: str
    user: str
    expires_at: str


class ReleaseFileLink(BaseModel):
    name: str
    url: str


class ReleaseAnswer(BaseModel):
    release_id: str
    scope: Literal["national", "pooled"]
    country: str | None
    spec: str
    wave: str | None
    format: str
    lang: str
    rows: int
    files: list[ReleaseFileLink]
    requested_by: str
    created_at: str


class ReportAnswer(ReleaseAnswer):
    """The release, now listing its results report's files; `report` names those files."""

    report: list[ReleaseFileLink]


class ReleaseListAnswer(BaseModel):
    releases: list[ReleaseAnswer]


class AuditEntryAnswer(BaseModel):
    entry_id: int
    at: str
    actor: str | None
    action: str
    outcome: str
    release_id: str | None
    detail: str


class AuditAnswer(BaseModel):
    entries: list[AuditEntryAnswer]


# Problems any operation can answer: a hostile request line (request_line.py), another
# method on its path, an unexpected failure (problems.py turns it into internal-error).
EVERY_OPERATION = ("malformed-request", "method-not-allowed", "internal-error")
BODY_PROBLEMS = (
    "unsupported-media-type",
    "payload-too-large",
    "request-timeout",
    "malformed-request",
    "invalid-request",
)
SIGN_IN_PROBLEMS = ("not-authenticated", "too-many-attempts", "sign-in-held")
# Refused per envelope inside a 200 receipt, not as the answer's status.
RECEIPT_CODES = ("envelope-conflict", "sequence-conflict", "chain-mismatch")
# Answered by the command line only (`mss server spec register`; `mss server process`
# quarantines with unknown-survey-key), never over HTTP.
COMMAND_LINE_ONLY = ("spec-mismatch", "unknown-survey-key")

_RELEASE_EXAMPLE: dict[str, Any] = {
    "release_id": "5f0c6a9e2b7d4c1e8a3f6b2d9c0e1a47",
    "scope": "national",
    "country": "SL",
    "spec": "cips-officials",
    "wave": "2026",
    "format": "csv",
    "lang": "en",
    "rows": 412,
    "files": [
        {
            "name": "responses.csv",
            "url": "/v1/releases/5f0c6a9e2b7d4c1e8a3f6b2d9c0e1a47/files/responses.csv",
        }
    ],
    "requested_by": "ana",
    "created_at": "2026-11-29T10:00:00Z",
}


@dataclass(frozen=True)
class OperationNote:
    """What the document says of one operation beyond what its decorator says."""

    summary: str
    problems: tuple[str, ...]
    answer: type[BaseModel] | None = None
    answer_example: dict[str, Any] | None = None
    body_example: dict[str, Any] | None = None
    receipt_codes: tuple[str, ...] = ()


OPERATIONS: dict[str, OperationNote] = {
    "GET /v1/health": OperationNote(
        "Whether the server and its database answer",
        ("service-unavailable",),
        answer=HealthAnswer,
        answer_example={"status": "ok"},
    ),
    "POST /v1/enrol": OperationNote(
        "A station registers its Ed25519 public key with a single-use enrolment token",
        (
            *BODY_PROBLEMS,
            "token-unknown",
            "token-used",
            "token-expired",
            "station-key-reused",
            "survey-key-missing",
            "unknown-station",
        ),
    ),  # fmt: skip
    "POST /v1/batches": OperationNote(
        "A station's signed, gzipped batch of sealed envelopes; answered with a receipt",
        (
            *BODY_PROBLEMS,
            "malformed-batch",
            "bad-signature",
            "unknown-station",
            "station-revoked",
            "replayed-batch",
            "unknown-spec",
        ),
        receipt_codes=RECEIPT_CODES,
    ),  # fmt: skip
    "POST /v1/beacons": OperationNote(
        "A station's signed health report (outbox depth, last sequence, clock)",
        (*BODY_PROBLEMS, "bad-signature", "unknown-station", "station-revoked"),
        answer=BeaconAnswer,
        answer_example={"status": "recorded", "station_id": "st_4k2m9q7x1b3z"},
    ),
    "GET /v1/specs": OperationNote("The questionnaire specs stations may answer", ()),
    "GET /v1/specs/{spec_id}/{version}": OperationNote(
        "One questionnaire spec's canonical JSON", ("invalid-request", "not-found")
    ),
    "POST /v1/tokens": OperationNote(
        "A user's name and password for an API token (shown once); throttled",
        (*BODY_PROBLEMS, *SIGN_IN_PROBLEMS),
        answer=IssuedTokenAnswer,
        answer_example={
            "token": "mss_7Q3k0d1V9xYp2LrTz8Wm4nB6cJ5fH0sA",
            "token_id": "t_9f2c4e1a7b3d",
            "user": "ana",
            "expires_at": "2026-12-29T10:00:00Z",
        },
        body_example={"name": "ana", "password": "correct horse battery", "lifetime_days": 30},
    ),
    "POST /v1/releases": OperationNote(
        "Build a release the caller's role and countries allow",
        (*SIGN_IN_PROBLEMS, *BODY_PROBLEMS, "forbidden-scope", "release-refused"),
        answer=ReleaseAnswer,
        answer_example=_RELEASE_EXAMPLE,
        body_example={
            "scope": "national",
            "country": "SL",
            "spec": "cips-officials",
            "wave": "2026",
            "format": "csv",
            "lang": "en",
        },  # fmt: skip
    ),
    "GET /v1/releases": OperationNote(
        "The releases the caller may download, newest first",
        SIGN_IN_PROBLEMS,
        answer=ReleaseListAnswer,
        answer_example={"releases": [_RELEASE_EXAMPLE]},
    ),
    "GET /v1/releases/{release_id}/files/{name}": OperationNote(
        "Download one file of a release (audited, refused ones too)",
        (*SIGN_IN_PROBLEMS, "forbidden-scope", "not-found", "invalid-request"),
    ),
    "POST /v1/releases/{release_id}/reports": OperationNote(
        "Make a listed release's results report (made once, then listed with the release)",
        (*SIGN_IN_PROBLEMS, *BODY_PROBLEMS, "not-found", "forbidden-scope", "report-refused"),
        answer=ReportAnswer,
        body_example={"lang": "fr", "min_n": 10},
    ),
    "GET /v1/audit": OperationNote(
        "The audit log, newest first (administrators)",
        (*SIGN_IN_PROBLEMS, "forbidden-scope", "invalid-request"),
        answer=AuditAnswer,
        answer_example={
            "entries": [
                {
                    "entry_id": 7,
                    "at": "2026-11-29T10:00:00Z",
                    "actor": "ana",
                    "action": "download",
                    "outcome": "ok",
                    "release_id": "5f0c6a9e2b7d4c1e8a3f6b2d9c0e1a47",
                    "detail": "responses.csv",
                }
            ]
        },  # fmt: skip
    ),
}


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
    negotiated: Mapping[str, type[BaseModel]] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: its success answer, its body (read by the
    handler, not by FastAPI), gzip Content-Encoding, bearer authentication; any 4xx or 5xx
    is a problem+json. `negotiated`: other success bodies a client gets by naming their
    media type in Accept."""
    problem = {"content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _REFS.format(model="Problem")}}}}
    responses: dict[int | str, Any] = {
        success: {
            "description": "Done",
            "content": {
                **{kind: {"schema": _schema(answer, "serialization")} for kind in media_types},
                **{
                    kind: {"schema": _schema(model, "serialization")}
                    for kind, model in (negotiated or {}).items()
                },
            },
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


def answerable_codes(operation: dict[str, Any]) -> set[str]:
    """The catalogue codes an operation of the document says it can answer."""
    return set(operation.get("x-problem-codes", [])) | set(operation.get("x-receipt-codes", []))


def _problem_answers(codes: tuple[str, ...]) -> dict[str, Any]:
    """One response per status, listing its codes, with an example body for each."""
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(CATALOGUE[code].status, []).append(code)
    answers: dict[str, Any] = {}
    for status, named in sorted(by_status.items()):
        examples = {
            code: {"summary": CATALOGUE[code].title, "value": problem_body(code, "…").model_dump()}
            for code in named
        }
        answers[str(status)] = {
            "description": "; ".join(f"`{code}`: {CATALOGUE[code].title}" for code in named),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": _REFS.format(model="Problem")},
                    "examples": examples,
                }
            },
        }
    return answers


def _annotate(operation: dict[str, Any], note: OperationNote) -> None:
    codes = (*note.problems, *EVERY_OPERATION)
    operation["summary"] = note.summary
    operation["x-problem-codes"] = list(dict.fromkeys(codes))
    if note.receipt_codes:
        operation["x-receipt-codes"] = list(note.receipt_codes)
    responses = operation.setdefault("responses", {})
    for status, answer in _problem_answers(codes).items():
        responses.setdefault(status, answer)
    success = next(status for status in responses if status.startswith("2"))
    content = responses[success].get("content", {}).get("application/json")
    if content is not None and note.answer is not None:
        content["schema"] = _schema(note.answer, "serialization")
    if content is not None and note.answer_example is not None:
        content["example"] = note.answer_example
    if note.receipt_codes:
        responses[success]["description"] = (
            "A receipt: each envelope accepted, duplicate, or refused with one of "
            + ", ".join(f"`{code}`" for code in note.receipt_codes)
        )
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None and note.body_example is not None:
        body["example"] = note.body_example


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            note = OPERATIONS.get(f"{method.upper()} {path}")
            if note is not None:
                _annotate(operation, note)
    _hoist_definitions(document["paths"], schemas)
    schemas["Problem"] = _problem_schema()
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return document


def install_document(app: FastAPI) -> None:
    """app.openapi() builds the document once; GET /openapi.json serves it and GET /docs
    the interactive docs, their scripts from this server."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    def get_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    def get_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=DOCUMENT_URL,
            title=f"{app.title}: API",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
        )

    app.add_api_route(DOCUMENT_URL, get_document, methods=["GET"], include_in_schema=False)
    app.add_api_route(DOCS_URL, get_docs, methods=["GET"], include_in_schema=False)
    assets = files(DOCS_ASSETS_PACKAGE) / "static"
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")
