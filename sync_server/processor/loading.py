"""What one claimed envelope becomes: the row of its response, or a quarantine.

No database here: the claiming process hands over everything an envelope needs (its sealed
bytes and address, its spec's registered body, its station's facts, the states of its copies
under other stations), so the work can run in opener processes (openers.py) while one
writer keeps the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crypto import SurveyPrivateKey
from protocol import envelope_channel
from protocol.canonical import canonical_text_of_parsed
from questionnaire_specs.response_quality import careless_flags
from sync_server.processor.opening import (
    EnvelopeAddress,
    Quarantine,
    StationFacts,
    check_opened,
    judged_completion_date,
    load_registered_spec,
    open_envelope,
)


@dataclass(frozen=True, slots=True)
class ClaimedEnvelope:
    """An inbox row as the processor reads it, with what the store knows around it."""

    station_id: str
    envelope_id: str
    envelope_v: int
    spec_id: str
    spec_version: str
    spec_sha256: str
    sealed: bytes
    received_at: datetime
    key_id: str | None  # the survey key it names (v4 on); None: the ring's first key
    station: StationFacts
    copies_elsewhere: frozenset[str]


@dataclass(frozen=True, slots=True)
class Loaded:
    """The response's columns, less the ids and times the writer adds."""

    columns: dict[str, object]
    date_replaced: bool


@dataclass(frozen=True, slots=True)
class SetAside:
    code: str
    reason: str


def answers_document(answers: dict[str, object]) -> str:
    """A response's answers as stored in its row: one canonical JSON object, question id ->
    value as the sealed response carries it. Its keys are question ids, strings by
    construction, so canonical JSON's scan for other keys is skipped."""
    return canonical_text_of_parsed(answers)


def load_envelope(
    envelope: ClaimedEnvelope, spec_body: str, private_key: SurveyPrivateKey
) -> Loaded | SetAside:
    try:
        spec = load_registered_spec(spec_body)
        opened = open_envelope(
            address=EnvelopeAddress(
                envelope.station_id, envelope.envelope_id, envelope.envelope_v, envelope.key_id
            ),
            spec=spec,
            sealed=envelope.sealed,
            private_key=private_key,
            copies_elsewhere=envelope.copies_elsewhere,
        )
        check_opened(opened, spec, envelope.station)
    except Quarantine as outcome:
        return SetAside(outcome.code, outcome.reason)
    completed_on, source = judged_completion_date(opened.completed_date, envelope.received_at)
    columns = {
        "station_id": envelope.station_id,
        "envelope_id": envelope.envelope_id,
        "spec_id": envelope.spec_id,
        "spec_version": envelope.spec_version,
        "spec_sha256": envelope.spec_sha256,
        "country": opened.country,
        "region": opened.region,
        "population": opened.population,
        "language": opened.language,
        "completed_on": completed_on,
        "completed_on_source": source,
        "channel": envelope_channel(envelope.envelope_v),
        "duration_s": opened.duration_s,
        "complete": opened.complete,
        "careless": careless_flags(spec, opened.population, opened.answers, opened.duration_s),
        "answers": answers_document(opened.answers),
    }
    return Loaded(columns, source == "received")
