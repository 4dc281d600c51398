"""The API document and /docs: every route is in it, every problem code of the catalogue is
documented on an operation that answers it, what the app really answers is what the
document says, and Debian's Chromium renders /docs from this server alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from miniatures.api_fuzzing import fuzz_app
from miniatures.browser import headless_chromium
from miniatures.served_app import served
from protocol.problems import CATALOGUE
from protocol.wire import BeaconAnswer
from sync_server.api.openapi import (
    COMMAND_LINE_ONLY,
    DOCS_URL,
    DOCUMENT_URL,
    OPERATIONS,
    answerable_codes,
)
from sync_server.console.front_desk import HOME
from tests.sync_server.access.conftest import make_user
from tests.sync_server.api.conftest import call
from tests.sync_server.builders import FakeClock

CONSOLE = HOME  # the console's pages, under /console
# The document's own routes, which are not API operations.
DOCUMENT_ROUTES = {DOCUMENT_URL, DOCS_URL}
# Answered by the online survey site (sync_server/site), its own app with its own routes.
SITE_CODES = {
    "unknown-campaign", "campaign-closed", "wrong-spec", "too-many-requests",
    "code-required", "code-unknown", "code-used", "token-spent", "token-invalid",
}  # fmt: skip


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, through the routers the app includes (none has a prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI's record of an included router
            yield from api_routes(route.original_router.routes)


def test_every_route_of_the_app_is_in_the_document_with_its_notes(app: FastAPI) -> None:
    document = app.openapi()
    documented = operations(document)
    routes = {
        f"{method} {route.path_format}"
        for route in api_routes(app.routes)
        if route.path not in DOCUMENT_ROUTES and not route.path.startswith(CONSOLE)
        for method in route.methods
    }
    # The console's pages are there, and none of them is an API operation.
    pages = {route.path for route in api_routes(app.routes) if route.path.startswith(CONSOLE)}
    assert f"{CONSOLE}/login" in pages and not any(p.startswith(CONSOLE) for p in document["paths"])
    # The walk sees what the app serves: the docs' own routes, hidden from the document.
    assert {route.path for route in api_routes(app.routes)} >= DOCUMENT_ROUTES
    assert routes and routes == set(documented)
    assert set(OPERATIONS) == set(documented)
    for name, operation in documented.items():
        assert operation["summary"], name
        codes = answerable_codes(operation)
        assert codes <= set(CATALOGUE), name
        # Each code's status is answered with an example body carrying that very code.
        for code in operation["x-problem-codes"]:
            answer = operation["responses"][str(CATALOGUE[code].status)]
            example = answer["content"]["application/problem+json"]["examples"][code]["value"]
            assert (example["code"], example["status"]) == (code, CATALOGUE[code].status)


def test_every_problem_code_is_documented_on_an_operation(app: FastAPI) -> None:
    documented = set().union(*(answerable_codes(op) for op in operations(app.openapi()).values()))
    assert documented <= set(CATALOGUE)
    assert set(CATALOGUE) - documented - set(COMMAND_LINE_ONLY) <= SITE_CODES
    assert set(COMMAND_LINE_ONLY) <= set(CATALOGUE)


def test_the_token_and_release_bodies_and_answers_are_documented(app: FastAPI) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    found = operations(document)
    for name, required in (
        ("POST /v1/tokens", {"name", "password"}),
        ("POST /v1/releases", {"scope", "spec", "format"}),
    ):
        body = found[name]["requestBody"]["content"]["application/json"]
        assert set(body["schema"]["required"]) == required
        assert required <= set(body["example"])
    token = found["POST /v1/tokens"]["responses"]["201"]["content"]["application/json"]
    assert set(token["schema"]["required"]) == {"token", "token_id", "user", "expires_at"}
    listing = found["GET /v1/releases"]["responses"]["200"]["content"]["application/json"]
    assert listing["schema"]["properties"]["releases"]["items"]["$ref"].endswith("ReleaseAnswer")
    assert "ReleaseAnswer" in schemas and "ReleaseFileLink" in schemas
    batches = found["POST /v1/batches"]
    assert "envelope-conflict" in batches["x-receipt-codes"]
    assert "envelope-conflict" in batches["responses"]["200"]["description"]


def test_real_answers_are_the_codes_their_operation_documents(
    app: FastAPI, session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    """The fuzzer's answers, and a throttled sign-in, each carry a code the document lists
    for the operation that gave it."""
    tokens = [
        make_user(session_factory, clock, "ada", "administrator"),
        make_user(session_factory, clock, "ana", "analyst", ["SL"]),
    ]
    found = operations(app.openapi())
    seen: dict[str, set[str]] = {}
    for tally in fuzz_app(app, cases=6, tokens=tokens):
        seen[tally.operation] = {key.split(" ", 1)[1] for key in tally.answers if " " in key}
    for _ in range(6):
        response = call(app, "POST", "/v1/tokens", json={"name": "ana", "password": "wrong" * 3})
        seen["POST /v1/tokens"].add(response.json()["code"])
    assert "too-many-attempts" in seen["POST /v1/tokens"]
    assert "not-authenticated" in seen["GET /v1/releases"]
    for name, codes in seen.items():
        assert codes <= set(found[name]["x-problem-codes"]), name


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_chromium_renders_the_docs_from_this_server_alone(app: FastAPI) -> None:
    with served(app) as url, headless_chromium() as browser:
        page = browser.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{url}{DOCS_URL}")
        page.wait_for_selector(".opblock", timeout=20_000)
        shown = page.locator(".opblock").count()
        page.locator("#operations-default-post_token_v1_tokens_post").click()
        page.wait_for_selector("text=too-many-attempts", timeout=10_000)
        page.close()
    assert shown == len(OPERATIONS)
    assert asked and all(seen.startswith(url) for seen in asked), asked


def test_the_beacon_answer_is_documented_with_the_key_it_announces(app: FastAPI) -> None:
    """The document's beacon answer is the wire model stations read, key announcement and
    operator's signed record included (it once listed only status and station_id)."""
    document = app.openapi()
    answer = operations(document)["POST /v1/beacons"]["responses"]["200"]["content"]
    schema = answer["application/json"]["schema"]
    assert set(schema["properties"]) == set(BeaconAnswer.model_fields)
    assert {"survey_public_key", "survey_key"} <= set(schema["properties"])
    assert set(schema["required"]) == {"status", "station_id"}
    # The signed record's models are in the document, where the answer's refs point.
    schemas = document["components"]["schemas"]
    assert {"SignedSurveyKey", "SurveyKeyRecord"} <= set(schemas)
