"""Realistic traffic for the benchmarks: CIPS responses, sealed and signed as a station does.

Answers are drawn for the officials questionnaire (choice codes, numbers in range), sealed
with the real survey key through the real protocol functions, chained and batched.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from crypto import StationKey, SurveyPublicKey
from device_app.scripted_respondent import valid_answer
from miniatures.station_chain import StationChain
from protocol import Envelope, SpecIdentityWire
from protocol.response import response_plaintext
from questionnaire_specs import QuestionType, Spec, load_spec
from questionnaire_specs.answers import is_relevant

ROOT = Path(__file__).resolve().parent.parent  # the repository
OFFICIALS = ROOT / "questionnaire_specs" / "cips" / "officials.yaml"


def officials_spec() -> Spec:
    return load_spec(OFFICIALS)


def random_answers(spec: Spec, rng: random.Random, count: int = 60) -> dict[str, Any]:
    """Up to `count` answers to relevant questions, drawn by the scripted respondent's rules
    (valid by the spec's own checks), consent given, no free text and no skipping: the
    benchmarks want full-length responses."""
    answers: dict[str, Any] = {}
    if any(question.id == "consent" for question in spec.questions):
        answers["consent"] = 1
    for question in spec.questions_for("officials"):
        if len(answers) == count:
            break
        if question.id in answers or question.type is QuestionType.TEXT:
            continue
        if not question.is_answered or not is_relevant(question, answers):
            continue
        for _attempt in range(5):  # an optional question may come back skipped: draw again
            value = valid_answer(spec, question, answers, rng, comment_on=False)
            if value is not None:
                answers[question.id] = value
                break
    return answers


def response_payload(spec: Spec, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": 1,
        "answers": answers,
        "spec": spec.identity.as_dict(),
        "language": "en",
        "population": "officials",
        "country": "SL",
        "region": "Western Area",
        "completed_on": "2026-11-29",
        "duration_s": 600,
        "complete": True,
    }


class BenchStation(StationChain):
    """A station's chain and key (the test suite's miniature station), sealing real CIPS
    responses with the real codec and signing real batches."""

    def __init__(
        self,
        station_id: str,
        key: StationKey,
        spec: SpecIdentityWire,
        public_key: SurveyPublicKey,
        spec_model: Spec,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(station_id, key, spec, rng or random.Random(7))
        self.public_key = public_key
        self.spec_model = spec_model

    def envelope(self, payload: dict[str, Any]) -> Envelope:
        return self.sealed(response_plaintext(self.spec_model, payload), self.public_key)

    def batch_bytes(self, envelopes: list[Envelope]) -> bytes:
        return self.signed_bytes(self.batch(envelopes))


def enrol_in_sierra_leone(sessions: Any, key: StationKey, clock: Any) -> str:
    """A station with `key` enrolled through a fresh token (Sierra Leone, officials), the
    way `mss server enroll-token` and the tablet do it; its station id."""
    import base64
    import os
    from datetime import timedelta

    from protocol import EnrolmentRequest
    from sync_server.ingest import enrol_station, issue_enrolment_token

    token, _ = issue_enrolment_token(
        sessions, country="SL", region="Western Area", populations=["officials"],
        lifetime=timedelta(hours=1), clock=clock, random_bytes=os.urandom,
    )  # fmt: skip
    request = EnrolmentRequest(
        v=1, token=token, public_key=base64.b64encode(key.public_bytes()).decode(),
        app_version="bench",
    )  # fmt: skip
    return enrol_station(sessions, request, clock=clock, random_bytes=os.urandom).station_id
