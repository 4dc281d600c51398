"""Schemathesis against the real app in process, shared by the fuzz test and bench/fuzz_api.py.

Every operation of the app's OpenAPI document gets cases generated from it, positive
(valid by the document) and negative (not), half of them sent with a real bearer token and
half as generated (no token, or a bogus one). Each answer is sorted: the operation's
documented success, a 4xx problem+json from the catalogue, a 5xx, or off the document
(checked again by schemathesis' own schema, status and content-type checks). Every record
logged with a traceback while a case ran is counted against its operation.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from protocol.problems import CATALOGUE, PROBLEM_MEDIA_TYPE, parse_problem

BASE_URL = "http://mss.test"
# Checks of schemathesis' own against the document (an independent reading of it).
DOCUMENT_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
# Cases sent from one address before the next: enough for the sign-in throttle to bite
# now and then, few enough that most cases reach their handler.
CASES_PER_ADDRESS = 8


@dataclass
class Tally:
    """What one operation answered over a run."""

    operation: str
    cases: int = 0
    success: int = 0
    refused: int = 0
    server_errors: int = 0
    tracebacks: int = 0
    off_document: int = 0
    seconds: float = 0.0
    sending: float = 0.0
    faults: list[str] = field(default_factory=list)
    # How often each answer came: a status, and a problem's code.
    answers: Counter[str] = field(default_factory=Counter)

    def fault(self, text: str) -> None:
        if len(self.faults) < 5:
            self.faults.append(text)


class _Tracebacks(logging.Handler):
    """Counts records that carry a traceback, for the operation being fuzzed."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.tally: Tally | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        traceback = record.exc_info or record.stack_info or "Traceback (most recent" in text
        if traceback and self.tally is not None:
            self.tally.tracebacks += 1
            self.tally.fault(f"traceback logged by {record.name}: {text[:200]}")


@contextmanager
def _watching_logs() -> Iterator[_Tracebacks]:
    handler = _Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def _request(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Schemathesis' transport arguments as httpx ones; a body whose document says
    Content-Encoding: gzip is compressed, so the fuzzer reaches past the decoder."""
    headers = dict(kwargs.get("headers") or {})
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "params": kwargs.get("params") or None,
        "cookies": kwargs.get("cookies") or None,
    }
    content: bytes | None = None
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
    elif isinstance(kwargs.get("data"), str | bytes):
        data = kwargs["data"]
        content = data.encode() if isinstance(data, str) else data
    elif kwargs.get("data") is not None:
        request["data"] = kwargs["data"]
    if content is not None:
        encodings = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "")
        if encodings.strip().lower() == "gzip":
            content = gzip.compress(content)
        request["content"] = content
    request["headers"] = {name: _header_bytes(value) for name, value in headers.items()}
    return request


def _header_bytes(value: str | bytes) -> bytes:
    """As a client puts it on the wire: Latin-1 where it can, else UTF-8 bytes."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _with_token(headers: dict[str, bytes], token: str | None) -> dict[str, bytes]:
    if token is None:
        return headers
    kept = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    return {**kept, "Authorization": f"Bearer {token}".encode()}


class _Sender:
    """One event loop for a run; each case through httpx.ASGITransport from its address."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def send(self, request: dict[str, Any], address: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(
                app=self.app, raise_app_exceptions=False, client=(address, 50000)
            )
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                response = await client.request(**request)
                await response.aread()
                return response

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.loop.close()


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _documented_success(operation: Any) -> tuple[int, set[str]]:
    for status, answer in operation.definition.raw["responses"].items():
        if str(status).isdigit() and 200 <= int(status) < 300:
            return int(status), {kind.lower() for kind in answer.get("content", {})}
    raise ValueError(f"{operation.label} documents no success")


def _problem_fault(response: httpx.Response) -> str | None:
    """Why a 4xx is not a catalogued problem+json, or None."""
    if _media_type(response) != PROBLEM_MEDIA_TYPE:
        return f"{response.status_code} as {_media_type(response) or 'no content type'}"
    try:
        body = parse_problem(response.json())
    except ValueError as error:  # not JSON, or not a problem body
        return f"{response.status_code} with a body that is not a problem: {error}"[:200]
    kind = CATALOGUE.get(body.code)
    if kind is None or kind.status != response.status_code or body.status != kind.status:
        return f"{response.status_code} with code {body.code!r} (status {body.status})"
    return None


def _judge(operation: Any, case: Any, request: dict[str, Any], response: httpx.Response,
           tally: Tally) -> None:  # fmt: skip
    tally.cases += 1
    status = response.status_code
    described = f"{request['method']} {str(response.request.url)[:160]} -> {status}"
    if status >= 500:
        tally.server_errors += 1
        tally.fault(f"{described}: {response.text[:200]}")
        return
    success, media_types = _documented_success(operation)
    fault: str | None = None
    if 400 <= status < 500:
        tally.refused += 1
        fault = _problem_fault(response)
        if fault is None:
            tally.answers[f"{status} {response.json()['code']}"] += 1
    elif status == success and _media_type(response) in media_types:
        tally.success += 1
        tally.answers[str(status)] += 1
    else:
        fault = f"{status} as {_media_type(response)}; documented: {success} {media_types}"
    if fault is None:
        try:
            case.validate_response(response, checks=DOCUMENT_CHECKS)
        except (Failure, FailureGroup) as error:
            found = error.exceptions if isinstance(error, FailureGroup) else (error,)
            fault = "schemathesis: " + "; ".join(f"{f.title}: {f.message[:120]}" for f in found)
    if fault is not None:
        tally.off_document += 1
        tally.fault(f"{described}: {fault}")


class _Run:
    """Sends each case from an address of its own run of CASES_PER_ADDRESS, every other one
    with the next real token."""

    def __init__(self, app: FastAPI, tokens: Sequence[str], seed: int) -> None:
        self.sender = _Sender(app)
        self.tokens = tokens
        self.seed = seed
        self.sent = 0

    def token(self) -> str | None:
        if not self.tokens or self.sent % 2 == 0:
            return None
        return self.tokens[(self.sent // 2) % len(self.tokens)]

    def address(self) -> str:
        block = self.sent // CASES_PER_ADDRESS
        return f"10.{self.seed % 250}.{block // 250 % 250}.{block % 250}"

    def operation(self, operation: Any, cases: int, watch: _Tracebacks) -> Tally:
        tally = Tally(operation.label)
        watch.tally = tally
        started = time.perf_counter()
        for mode, share in ((GenerationMode.POSITIVE, cases - cases // 2),
                            (GenerationMode.NEGATIVE, cases // 2)):  # fmt: skip
            if share > 0:
                # No negative case exists for an operation with no inputs.
                with suppress(Unsatisfiable):
                    self._cases(operation, mode, share, tally)
        tally.seconds = time.perf_counter() - started
        watch.tally = None
        return tally

    def _cases(self, operation: Any, mode: GenerationMode, share: int, tally: Tally) -> None:
        @settings(
            max_examples=share,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_seed(self.seed)
        @given(operation.as_strategy(generation_mode=mode))
        def one(case: Any) -> None:
            request = _request(case.as_transport_kwargs(base_url=BASE_URL))
            request["headers"] = _with_token(request["headers"], self.token())
            address = self.address()
            self.sent += 1
            sending = time.perf_counter()
            response = self.sender.send(request, address)
            tally.sending += time.perf_counter() - sending
            _judge(operation, case, request, response, tally)

        one()


def fuzz_app(
    app: FastAPI,
    *,
    cases: int,
    tokens: Sequence[str],
    seed: int = 0,
) -> list[Tally]:
    """`cases` per operation (half positive, half negative; fewer when an operation has
    fewer distinct inputs), every other case with one of `tokens` as its bearer."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    run = _Run(app, tokens, seed)
    try:
        with _watching_logs() as watch:
            return [
                run.operation(result.ok(), cases, watch) for result in schema.get_all_operations()
            ]
    finally:
        run.sender.close()
