"""Open one inbox envelope and check what is inside: the only place a response is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crypto import OpenError, SurveyPrivateKey, open_sealed
from protocol import STATION_BOUND_ENVELOPE_VERSION, envelope_aead, seal_info_of
from protocol.response import (
    ResponseFormatError,
    SealedResponse,
    read_response_plaintext,
)
from questionnaire_specs import Spec, SpecError, load_spec_body
from questionnaire_specs.answers import check_response, with_calculations


class Quarantine(Exception):  # noqa: N818 - it is an outcome, named as the verb does it
    """The envelope cannot be loaded: keep it aside with a stable code and a reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class StationFacts:
    """What the server knows of the sending station, to cross-check the sealed content."""

    country: str
    populations: tuple[str, ...]


def load_registered_spec(body: str) -> Spec:
    try:
        return load_spec_body(body)
    except SpecError as error:
        raise Quarantine("spec-unusable", f"the registered spec does not load: {error}") from None


@dataclass(frozen=True)
class EnvelopeAddress:
    """Which envelope this is: the station that sent it, its id, and its version (from v2 the
    sealed context names the station, so it opens only under the station that sealed it)."""

    station_id: str
    envelope_id: str
    envelope_v: int
    key_id: str | None = None  # from v4, bound in the sealed context too

    @property
    def bound(self) -> bool:
        return self.envelope_v >= STATION_BOUND_ENVELOPE_VERSION


REPLAYED = "replayed-from-another-station"


def open_envelope(
    *,
    address: EnvelopeAddress,
    spec: Spec,
    sealed: bytes,
    private_key: SurveyPrivateKey,
    copies_elsewhere: frozenset[str] = frozenset(),
) -> SealedResponse:
    """Open the sealed bytes bound to this envelope's context; Quarantine if impossible.

    `copies_elsewhere`: the states of the same sealed bytes stored under other stations —
    a second tablet that sent a first one's files. A bound (v2) envelope opens only under its
    own station, so the copy fails to open and is named a replay. An unbound (v1) envelope
    opens under any station: the copy is counted once, where it was first counted."""
    if not address.bound and "processed" in copies_elsewhere:
        raise Quarantine(
            REPLAYED, "this unbound (v1) envelope is already counted under another station"
        )
    # The spec's identity as it is: seal_info_of reads its id, version and sha256 only.
    info = seal_info_of(
        address.envelope_v, address.envelope_id, spec.identity, address.station_id,
        address.key_id,
    )  # fmt: skip
    try:
        plaintext = open_sealed(
            sealed, private_key, info=info, aead=envelope_aead(address.envelope_v)
        )
    except OpenError:
        if copies_elsewhere:
            raise Quarantine(
                REPLAYED, "another station's envelope, sent again by this one: it was sealed there"
            ) from None
        raise Quarantine(
            "cannot-open",
            "the survey key does not open this envelope (another key, or altered bytes)",
        ) from None
    try:
        response = read_response_plaintext(spec, plaintext)
    except ResponseFormatError as error:
        raise Quarantine("malformed-response", str(error)) from None
    # A calculated value never travels: it is worked out here from the answers that did, so
    # no station can forge one, and it is checked and stored like an answer.
    # In the respondent's language: jr:choice-name() reads the labels they saw.
    answers = with_calculations(spec, response.population, response.answers, response.language)
    return response.model_copy(update={"answers": answers})


# The narrowest column a value goes to: responses.duration_s is a PostgreSQL INTEGER.
MAX_STORED_INT = 2**31 - 1


def check_storable(response: SealedResponse) -> None:
    """Quarantine what the central store's columns cannot hold, before the bulk insert: one
    such value would fail the whole chunk's transaction and stop the run for everyone."""
    if response.duration_s > MAX_STORED_INT:
        raise Quarantine(
            "value-out-of-range", f"duration_s is beyond what the store holds ({MAX_STORED_INT})"
        )
    try:
        response.completed_date  # noqa: B018 - parsing is the check
    except ValueError:
        raise Quarantine("value-out-of-range", "completed_on is not a calendar date") from None
    texts = [response.region, *(v for v in response.answers.values() if isinstance(v, str))]
    if any("\x00" in text for text in texts):
        # PostgreSQL text cannot hold NUL, and no respondent typed one.
        raise Quarantine("nul-in-text", "a text value holds a NUL character")


# No CIPS response was completed before this; a tablet that says so has a wrong clock.
EARLIEST_PLAUSIBLE = date(2000, 1, 1)


def judged_completion_date(claimed: date, received: datetime) -> tuple[date, str]:
    """The completion date to keep, and where it comes from. The tablet's own date unless
    it is impossible (before 2000, or after the day the server received it): then the day
    of arrival, the latest the respondent can have finished. The response is kept either
    way; a wrong clock never costs an answer."""
    arrived = received.date()
    if EARLIEST_PLAUSIBLE <= claimed <= arrived + timedelta(days=1):
        return claimed, "station"
    return arrived, "received"


def check_opened(response: SealedResponse, spec: Spec, station: StationFacts) -> None:
    """Check an opened response against its spec and its station; Quarantine on any problem."""
    check_storable(response)
    if response.country != station.country:
        raise Quarantine("country-mismatch", "the response's country is not its station's")
    if response.population not in station.populations:
        raise Quarantine("population-mismatch", "the station is not enrolled for this population")
    if response.language not in spec.language_codes:
        raise Quarantine("unknown-language", f"the spec has no language {response.language!r}")
    problems = check_response(
        spec, response.population, response.answers, complete=response.complete,
        language=response.language,
    )  # fmt: skip
    if problems:
        # Question ids and rule names only: never an answer.
        raise Quarantine("invalid-answers", "; ".join(str(p) for p in problems[:20]))
