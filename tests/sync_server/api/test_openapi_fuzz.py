"""Schemathesis against the real app's OpenAPI document, on SQLite and PostgreSQL: every
operation, positive and negative cases, with real users' bearer tokens and without.

No answer is a 5xx, nothing logs a traceback, and every answer is the operation's
documented success or a catalogued problem+json 4xx. A short run; bench/fuzz_api.py is the
long one (1,000 cases per operation).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker

from miniatures.api_fuzzing import Tally, fuzz_app
from protocol.wire import SpecList
from sync_server.api.openapi import documented
from sync_server.api.responses import json_response
from tests.sync_server.access.conftest import make_user
from tests.sync_server.builders import FakeClock

CASES = 20  # per operation and database: ~10 s each on a loaded machine
BEARER_OPERATIONS = {
    "GET /v1/releases",
    "POST /v1/releases",
    "GET /v1/releases/{release_id}/files/{name}",
    "GET /v1/audit",
    "POST /v1/releases/{release_id}/reports",
}


def real_tokens(session_factory: sessionmaker[Session], clock: FakeClock) -> list[str]:
    return [
        make_user(session_factory, clock, "ada", "administrator"),
        make_user(session_factory, clock, "cole", "coordinator", ["SL"]),
        make_user(session_factory, clock, "ana", "analyst", ["SL"]),
        make_user(session_factory, clock, "gus", "global_analyst"),
    ]


def faults(tallies: list[Tally]) -> list[str]:
    return [f"{t.operation}: {fault}" for t in tallies for fault in t.faults]


def test_every_operation_answers_its_success_or_a_catalogued_problem(
    app: FastAPI, session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    tallies = fuzz_app(app, cases=CASES, tokens=real_tokens(session_factory, clock))

    by_operation = {t.operation: t for t in tallies}
    documented = {
        f"{method.upper()} {path}"
        for path, methods in app.openapi()["paths"].items()
        for method in methods
    }
    assert set(by_operation) == documented and len(documented) == 12
    assert sum(t.server_errors for t in tallies) == 0, faults(tallies)
    assert sum(t.tracebacks for t in tallies) == 0, faults(tallies)
    assert sum(t.off_document for t in tallies) == 0, faults(tallies)
    for t in tallies:
        assert t.cases == t.success + t.refused
        # GET /v1/health and GET /v1/specs have one distinct input; the others have plenty.
        assert t.cases >= (1 if t.operation in ("GET /v1/health", "GET /v1/specs") else CASES // 2)
    # The real tokens reach the handlers behind them; generated ones are refused.
    assert by_operation["GET /v1/releases"].answers["200"] > 0
    assert by_operation["GET /v1/audit"].answers["200"] > 0
    for name in BEARER_OPERATIONS:
        assert by_operation[name].answers["401 not-authenticated"] > 0, name
    # Bodies are generated from the document: some pass the schema and reach the checks
    # behind it (a station that is not enrolled, a token that is not known).
    assert by_operation["POST /v1/batches"].answers["401 unknown-station"] > 0
    assert by_operation["POST /v1/tokens"].answers["401 not-authenticated"] > 0


def test_the_fuzzer_counts_a_500_its_traceback_and_an_answer_off_the_document(
    app: FastAPI,
) -> None:
    """The zeros above mean something: a route that raises, and one that answers what its
    document does not say, are each caught."""

    def explode() -> None:
        raise RuntimeError("a fault the fuzzer must see")

    def misdocumented() -> Response:
        return json_response({"specs": 5})

    app.add_api_route("/v1/explode", explode, methods=["GET"])
    app.add_api_route(
        "/v1/misdocumented", misdocumented, methods=["GET"], **documented(answer=SpecList)
    )
    tallies = {t.operation: t for t in fuzz_app(app, cases=1, tokens=[])}

    exploded, off = tallies["GET /v1/explode"], tallies["GET /v1/misdocumented"]
    assert (exploded.cases, exploded.server_errors, exploded.tracebacks) == (1, 1, 1)
    assert (off.cases, off.success, off.off_document) == (1, 1, 1)
    assert "schemathesis" in off.faults[0]
    assert sum(t.server_errors + t.off_document for t in tallies.values()) == 2


def test_the_document_says_which_operations_need_a_bearer_token(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    needing = {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if operation.get("security") == [{"bearer": []}]
    }
    assert needing == BEARER_OPERATIONS
