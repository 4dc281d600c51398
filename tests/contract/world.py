"""A small real world for station tests: a real server (create_app on SQLite in tmp_path),
two small specs (one per population, like the CIPS pair), a survey key pair, bundles, and
stations provisioned with the FAST KDF cost (the real default stays strong).

The station talks to the server through `AsgiBridge` (httpx.ASGITransport driven from a
synchronous client) in-process, or over real HTTP to uvicorn on 127.0.0.1 (`served`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx

from crypto import KdfCost, OperatorKey, SurveyPrivateKey, generate_survey_key
from device_app.provisioning import provision
from device_app.station import Station
from miniatures.served_app import free_port, served  # noqa: F401 - shared with bench/
from protocol.provisioning import ProvisioningBundle
from questionnaire_specs import canonical_json, load_spec_text
from sync_server.app import create_app
from sync_server.ingest import issue_enrolment_token, register_spec, register_survey_key
from sync_server.settings import Settings
from sync_server.survey_keys import register_operator_key

PASSPHRASE = "a long coordinator passphrase"
PIN = "2468"
COUNTRY = "SL"
REGION = "Western Area"
# Free-text words that must never appear in the station's files.
SECRET_WORDS = ("marmalade", "tangerine", "wheelbarrow", "saxophone", "pumpernickel")

SPEC_TEMPLATE = """
id: {spec_id}
version: 1.0.0
languages:
  - {{code: en, name: English}}
  - {{code: fr, name: Français}}
title: {{en: Integrity survey, fr: Enquête sur l'intégrité}}
introduction: {{en: Your answers are anonymous., fr: Vos réponses sont anonymes.}}
populations:
  - id: {population}
    label: {{en: Respondents, fr: Répondants}}
settings:
  abandon: {abandon}
scales:
  agree5:
    points:
      - {{code: 1, label: {{en: Strongly disagree, fr: Pas du tout d'accord}}}}
      - {{code: 2, label: {{en: Disagree, fr: Pas d'accord}}}}
      - {{code: 3, label: {{en: Neither, fr: Ni l'un ni l'autre}}}}
      - {{code: 4, label: {{en: Agree, fr: D'accord}}}}
      - {{code: 5, label: {{en: Strongly agree, fr: Tout à fait d'accord}}}}
      - {{code: 9, label: {{en: Prefer not to answer, fr: Je préfère ne pas répondre}},
          non_substantive: true}}
sections:
  - id: intro
    questions:
      - id: anonymity
        type: note
        label: {{en: Nobody can link your answers to you., fr: Personne ne peut vous relier.}}
      - id: consent
        type: single_choice
        required: true
        label: {{en: 'Do you agree to take part?', fr: 'Acceptez-vous de participer ?'}}
        options:
          - {{code: 1, label: {{en: 'Yes', fr: Oui}}}}
          - {{code: 2, label: {{en: 'No', fr: Non}}}}
  - id: main
    relevant: ${{consent}} = 1
    questions:
      - id: lead_example
        type: likert
        scale: agree5
        key_factor: 1
        required: true
        label: {{en: Senior management sets an example., fr: La direction donne l'exemple.}}
      - id: offered_payment
        type: single_choice
        disclosure: sensitive
        label: {{en: 'Were you offered a payment?', fr: 'Vous a-t-on proposé un paiement ?'}}
        options:
          - {{code: 1, label: {{en: 'Yes', fr: Oui}}}}
          - {{code: 2, label: {{en: 'No', fr: Non}}}}
      - id: stages
        type: multi_choice
        relevant: ${{offered_payment}} = 1
        constraint: count-selected(.) <= 2
        constraint_message: {{en: Pick at most two., fr: Choisissez-en deux au plus.}}
        label: {{en: 'At which stages?', fr: 'À quelles étapes ?'}}
        options:
          - {{code: 1, label: {{en: Declaration, fr: Déclaration}}}}
          - {{code: 2, label: {{en: Inspection, fr: Inspection}}}}
          - {{code: 3, label: {{en: Release, fr: Mainlevée}}}}
      - id: years
        type: number
        integer: true
        min: 0
        max: 45
        label: {{en: Years of service, fr: Années de service}}
      - id: comment
        type: text
        max_length: 1000
        disclosure: free_text
        label: {{en: 'Anything else?', fr: 'Autre chose ?'}}
"""


def spec_yaml(spec_id: str, population: str, abandon: str = "discard") -> str:
    return SPEC_TEMPLATE.format(spec_id=spec_id, population=population, abandon=abandon)


def spec_bodies(abandon: str = "discard") -> list[bytes]:
    """The canonical JSON of the two test specs (officials, private_sector)."""
    return [
        canonical_json(load_spec_text(spec_yaml(spec_id, population, abandon), spec_id))
        for spec_id, population in (
            ("test-officials", "officials"),
            ("test-private", "private_sector"),
        )
    ]


class AsgiBridge(httpx.BaseTransport):
    """A synchronous httpx transport over httpx.ASGITransport: the real app, in-process."""

    def __init__(self, app: object) -> None:
        self._asgi = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> httpx.Response:
            inner = httpx.Request(request.method, request.url, headers=request.headers,
                                  content=body)  # fmt: skip
            response = await self._asgi.handle_async_request(inner)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers,
                                  content=content, request=request)  # fmt: skip

        return anyio.run(call)


class Tripwire(httpx.BaseTransport):
    """Passes requests through; `fail_after_send(path)` makes the next request to `path`
    reach the server and then raise a network error, as if the answer were lost."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.trip_paths: dict[str, int] = {}
        self.fail_before: dict[str, list[int]] = {}  # path -> statuses to answer first
        self.sent: list[tuple[str, bytes]] = []

    def fail_after_send(self, path: str, times: int = 1) -> None:
        self.trip_paths[path] = times

    def answer_first(self, path: str, *statuses: int) -> None:
        self.fail_before[path] = list(statuses)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = request.read()
        queued = self.fail_before.get(path)
        if queued:
            status = queued.pop(0)
            problem = {"type": "/problems/service-unavailable", "title": "busy",
                       "status": status, "detail": "try later", "code": "service-unavailable",
                       "retry": True}  # fmt: skip
            return httpx.Response(status, json=problem, request=request)
        self.sent.append((path, body))
        response = self.inner.handle_request(request)
        if self.trip_paths.get(path, 0) > 0:
            self.trip_paths[path] -= 1
            raise httpx.ReadError("the answer was lost on the way back", request=request)
        return response


@dataclass
class World:
    """A server with its survey key, specs and settings; make stations against it."""

    root: Path
    settings: Settings
    app: object
    survey_key: SurveyPrivateKey
    server_url: str = "http://mss.test"
    # The operator's signing key (offline in life; here in memory): bundles carry its public
    # half, and it signs the ring keys tests make.
    operator: OperatorKey = field(default_factory=OperatorKey.generate)
    # The stations' clock, which tests move. It starts at the real time because the app's
    # own clock is real (it checks enrolment tokens' expiry): a fixed start date would make
    # every 7-day token expired a week after that date.
    now: list[datetime] = field(default_factory=lambda: [datetime.now(UTC).replace(microsecond=0)])
    transport: httpx.BaseTransport | None = None
    sleeps: list[float] = field(default_factory=list)

    @property
    def session_factory(self):  # noqa: ANN201 - sessionmaker from the server's state
        return self.app.state.server.session_factory  # type: ignore[attr-defined]

    def clock(self) -> datetime:
        return self.now[0]

    def bundle(self, path: Path, *, populations: tuple[str, ...] = ("officials",
               "private_sector"), lifetime: timedelta = timedelta(days=7),
               server_url: str | None = None, country: str = COUNTRY,
               survey_public_key: str | None = None,
               pin_operator: bool = True) -> Path:  # fmt: skip
        token, _expires = issue_enrolment_token(
            self.session_factory,
            country=country,
            region=REGION,
            populations=list(populations),
            lifetime=lifetime,
            clock=self.clock,
            random_bytes=os.urandom,
            server_url=server_url or self.server_url,
        )
        # No specs inside: the station takes the server's list, the path a bundle written
        # before a spec was registered takes.
        bundle = ProvisioningBundle(
            server_url=server_url or self.server_url,
            token=token,
            survey_public_key=survey_public_key or self.survey_key.public_key().to_text(),
            country=country,
            region=REGION,
            populations=list(populations),
            operator_public_key=self.operator.public_key().to_text() if pin_operator else None,
        )
        path.write_bytes(bundle.to_json())
        return path

    def station(self, name: str = "station", *, country: str = COUNTRY,
                survey_public_key: str | None = None, pin_operator: bool = True,
                **kwargs: object) -> Station:  # fmt: skip
        """A station provisioned for `country`, from a bundle carrying `survey_public_key`
        (default: the world's key) and the operator key (unless not `pin_operator`)."""
        bundle = self.bundle(self.root / f"{name}-bundle.json", country=country,
                             survey_public_key=survey_public_key,
                             pin_operator=pin_operator)  # fmt: skip
        provision(
            self.root / name, bundle, PASSPHRASE, PIN, http_transport=self.transport,
            clock=self.clock, cost=KdfCost.FAST, sleep=self.sleeps.append,
        ).close()  # fmt: skip
        return self.unlock(name, **kwargs)

    def unlock(self, name: str = "station", **kwargs: object) -> Station:
        return Station.unlock(
            self.root / name, PASSPHRASE, clock=self.clock, http_transport=self.transport,
            sleep=self.sleeps.append, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


def cips_bodies() -> list[bytes]:
    """The canonical JSON of the real CIPS specs (officials, private sector)."""
    from questionnaire_specs import load_spec

    folder = Path(__file__).resolve().parents[2] / "questionnaire_specs" / "cips"
    return [canonical_json(load_spec(folder / f"{name}.yaml"))
            for name in ("officials", "private_sector")]  # fmt: skip


def make_world(
    root: Path, *, abandon: str = "discard", cips: bool = False, kem: str = "x25519",
    database_url: str | None = None, server_url: str = "http://mss.test",
) -> World:  # fmt: skip
    """The world on SQLite in `root`, or on `database_url` (a PostgreSQL schema)."""
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=root / "server", database_url=database_url)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    app = create_app(settings)
    survey_key = generate_survey_key(kem)
    world = World(root=root, settings=settings, app=app, survey_key=survey_key,
                  server_url=server_url)  # fmt: skip
    world.transport = AsgiBridge(app)
    register_survey_key(
        world.session_factory, COUNTRY, survey_key.public_key().to_text(), clock=world.clock
    )
    register_operator_key(world.session_factory, world.operator.public_key(), clock=world.clock)
    for body in cips_bodies() if cips else spec_bodies(abandon):
        register_spec(world.session_factory, body, clock=world.clock)
    return world


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


def seal_records(station: Station, count: int, *, words: tuple[str, ...] = SECRET_WORDS,
                 population: str = "officials") -> list[int]:  # fmt: skip
    """Append `count` responses through the real finishing path (without a session)."""
    from datetime import date

    from device_app.finishing import Sealing, append_response, sealed_response
    from device_app.session import FinishedResponse

    spec = station.spec_for(population)
    seqs = []
    for number in range(count):
        finished = FinishedResponse(
            answers={"consent": 1, "lead_example": 4, "comment": " ".join(words) + f" {number}"},
            spec=spec.identity,
            language="en",
            population=population,
            completed_on=date(2026, 11, 29),
            duration_s=300 + number,
            complete=True,
        )
        response = sealed_response(finished, country=station.country, region=station.region)
        entry = append_response(
            station._store, spec, response, Sealing(station._survey_key, station.station_id),
            draft_id=None, new_id=station._new_id,
        )  # fmt: skip
        seqs.append(entry.seq)
    return seqs


def inbox_count(world: World) -> int:
    from sqlalchemy import func, select

    from sync_server.store.models import InboxEnvelope

    with world.session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEnvelope)) or 0


def open_envelope(world: World, station: Station, envelope: bytes) -> dict:
    """What the processor would read: open with the survey PRIVATE key, decode by the spec."""
    import base64

    from crypto import open_sealed
    from device_app.station import wire_identity
    from protocol import seal_info_of
    from protocol.response import read_response_plaintext

    outer = json.loads(envelope)
    spec = next(s for s in station.specs() if s.id == outer["spec"]["id"])
    info = seal_info_of(outer["v"], outer["envelope_id"], wire_identity(spec), station.station_id,
                        outer.get("key_id"))  # fmt: skip
    plaintext = open_sealed(base64.b64decode(outer["sealed"]), world.survey_key, info=info)
    return read_response_plaintext(spec, plaintext).model_dump(mode="json")
