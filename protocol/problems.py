"""The server's one catalogue of problems: stable codes the station reads to tell retry
from reject. Rendered as application/problem+json (RFC 9457).

A code never changes meaning once released; add new codes instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "/problems/"


@dataclass(frozen=True)
class ProblemKind:
    code: str
    status: int
    title: str
    retry: bool


_KINDS = [
    # the request itself
    ProblemKind("malformed-batch", 400, "The batch is not valid gzip, JSON or schema", False),
    ProblemKind("malformed-request", 400, "The request body is not valid JSON or schema", False),
    ProblemKind("invalid-request", 422, "The request does not match the schema", False),
    ProblemKind("payload-too-large", 413, "The request body is larger than allowed", False),
    ProblemKind("unsupported-media-type", 415, "Wrong Content-Type or Content-Encoding", False),
    ProblemKind("not-found", 404, "No such resource", False),
    ProblemKind("method-not-allowed", 405, "Method not allowed on this resource", False),
    ProblemKind("request-timeout", 408, "The request body did not arrive in time", True),
    # who sends it
    ProblemKind("bad-signature", 401, "The signature does not verify", False),
    ProblemKind("unknown-station", 401, "The station is not enrolled on this server", False),
    ProblemKind("station-revoked", 403, "The station has been revoked", False),
    ProblemKind("replayed-batch", 409, "The batch id or batch sequence was already used", False),
    # what it carries
    ProblemKind("unknown-spec", 422, "The server does not know this questionnaire spec", False),
    ProblemKind("spec-mismatch", 409, "Another spec body is registered under this id", False),
    ProblemKind("envelope-conflict", 409, "Same envelope id, other bytes", False),
    ProblemKind("sequence-conflict", 409, "Another envelope holds this sequence number", False),
    ProblemKind("chain-mismatch", 409, "The envelope does not chain to its neighbours", False),
    ProblemKind(
        "unknown-survey-key", 422, "The envelope names no survey key of this server", False
    ),
    # enrolment
    ProblemKind("token-unknown", 403, "The enrolment token is not known", False),
    ProblemKind("token-used", 409, "The enrolment token was already used", False),
    ProblemKind("token-expired", 410, "The enrolment token has expired", False),
    ProblemKind("station-key-reused", 409, "This station key is already enrolled", False),
    ProblemKind("survey-key-missing", 409, "No survey public key is registered", False),
    # who may do what (users and API tokens; releases for analysts)
    ProblemKind("not-authenticated", 401, "No valid API token or password was given", False),
    ProblemKind("forbidden-scope", 403, "The user's role or countries do not allow this", False),
    ProblemKind("too-many-attempts", 429, "Too many failed sign-ins: wait, then retry", True),
    ProblemKind("sign-in-held", 403, "Held after repeated wrong passwords", False),
    ProblemKind("release-refused", 422, "The release cannot be built as asked", False),
    ProblemKind("report-refused", 422, "The report cannot be made from that release", False),
    # the online survey site (sync_server/site)
    ProblemKind("unknown-campaign", 404, "No such survey campaign", False),
    ProblemKind("campaign-closed", 410, "The survey campaign is closed", False),
    ProblemKind("wrong-spec", 422, "The envelope names another spec than the campaign's", False),
    ProblemKind("too-many-requests", 429, "Too many submissions: wait, then retry", True),
    ProblemKind("code-required", 403, "This campaign needs a one-time access code", False),
    ProblemKind("code-unknown", 403, "The access code is not known", False),
    ProblemKind("code-used", 409, "The access code was already used", False),
    ProblemKind("token-spent", 409, "The submission token is unknown or already spent", False),
    ProblemKind("token-invalid", 403, "The submission token was not signed by this site", False),
    # the server
    ProblemKind("internal-error", 500, "Internal server error", True),
    ProblemKind("service-unavailable", 503, "The service is temporarily unavailable", True),
]

CATALOGUE: dict[str, ProblemKind] = {kind.code: kind for kind in _KINDS}


class ProblemBody(BaseModel):
    """The JSON body of an application/problem+json answer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: str
    title: str
    status: int
    detail: str
    code: str
    retry: bool


class Problem(Exception):
    """An error with a stable code from the catalogue; the API renders it as problem+json."""

    def __init__(self, code: str, detail: str, *, retry_after: int | None = None) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"unknown problem code {code!r}")
        super().__init__(f"{code}: {detail}")
        self.kind = CATALOGUE[code]
        self.detail = detail
        # Seconds before a retry can succeed, sent as Retry-After (429 and 503).
        self.retry_after = retry_after

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def status(self) -> int:
        return self.kind.status

    @property
    def retry(self) -> bool:
        return self.kind.retry

    def body(self) -> ProblemBody:
        return problem_body(self.code, self.detail)


def problem_body(code: str, detail: str) -> ProblemBody:
    kind = CATALOGUE[code]
    return ProblemBody(
        type=PROBLEM_TYPE_PREFIX + kind.code,
        title=kind.title,
        status=kind.status,
        detail=detail,
        code=kind.code,
        retry=kind.retry,
    )


def parse_problem(data: dict[str, Any]) -> ProblemBody:
    """For the station: read a problem+json body (raises pydantic.ValidationError)."""
    return ProblemBody.model_validate(data)
