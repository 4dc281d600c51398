"""Enrolment tokens: single use, expiring, stored only hashed."""

from __future__ import annotations

import base64
import random
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import StationKey
from protocol import EnrolmentRequest, EnrolmentResponse, Problem, canonical_json
from sync_server.ingest import (
    enrol_station,
    issue_enrolment_token,
    register_spec,
    revoke_station,
)
from sync_server.ingest.specs import SpecBodyError
from sync_server.store.models import EnrolmentToken, Station
from tests.sync_server.builders import SPEC_BODY, FakeClock, World, count_rows


def issue(world: World, *, seed: int = 3, days: float = 1) -> str:
    token, expires_at = issue_enrolment_token(
        world.session_factory,
        country="SL",
        region="Northern",
        populations=["officials", "traders"],
        lifetime=timedelta(days=days),
        clock=world.clock,
        random_bytes=random.Random(seed).randbytes,
        server_url="https://mss.example",
    )
    assert expires_at == world.clock() + timedelta(days=days)
    return token


def request(token: str, key: StationKey | None = None) -> EnrolmentRequest:
    key = key or StationKey.generate()
    public = base64.b64encode(key.public_bytes()).decode()
    return EnrolmentRequest(v=1, token=token, public_key=public, app_version="test 1")


def enrol(world: World, token: str, key: StationKey | None = None) -> EnrolmentResponse:
    return enrol_station(
        world.session_factory,
        request(token, key),
        clock=world.clock,
        random_bytes=random.Random(11).randbytes,
    )


def refused(world: World, engine: Engine, token: str, code: str) -> None:
    before = count_rows(engine)
    with pytest.raises(Problem) as caught:
        enrol(world, token)
    assert caught.value.code == code
    assert count_rows(engine) == before


def test_enrolment_creates_the_station_and_uses_the_token(world: World) -> None:
    token = issue(world)
    answer = enrol(world, token.lower().replace("-", " "))  # as typed by a person
    assert answer.station_id.startswith("st_") and len(answer.station_id) == 15
    assert (answer.country, answer.region) == ("SL", "Northern")
    assert answer.populations == ["officials", "traders"]
    assert answer.survey_public_key == world.survey_public_key
    assert answer.specs == [world.spec]
    with world.session_factory() as session:
        stored = session.scalars(select(EnrolmentToken).where(EnrolmentToken.region == "Northern"))
        row = stored.one()
        assert token not in (row.token_sha256, row.server_url)  # only the hash is kept
        assert (row.used_at, row.station_id) == (world.clock(), answer.station_id)
        assert session.get(Station, answer.station_id).status == "active"


def test_a_used_token_is_refused(world: World, engine: Engine) -> None:
    token = issue(world)
    enrol(world, token)
    refused(world, engine, token, "token-used")


def test_the_same_tablet_asking_again_gets_the_same_answer(world: World, engine: Engine) -> None:
    """Its first answer was lost on the way back (found by bench/faults' fault proxy): the
    retry is answered as the first was, instead of burning the token on a station no tablet
    has. Another key with the same token is still refused."""
    token, key = issue(world), StationKey.generate()
    first = enrol(world, token, key)
    before = count_rows(engine)
    world.clock.advance(seconds=30)
    again = enrol(world, token, key)
    assert again.model_dump(exclude={"server_time"}) == first.model_dump(exclude={"server_time"})
    assert count_rows(engine) == before  # no second station
    refused(world, engine, token, "token-used")
    # once the station is revoked (a lost tablet), its token answers nobody again
    revoke_station(world.session_factory, first.station_id, clock=world.clock)
    with pytest.raises(Problem) as caught:
        enrol(world, token, key)
    assert caught.value.code == "token-used"


def test_an_expired_token_is_refused(world: World, engine: Engine) -> None:
    token = issue(world, days=1)
    world.clock.advance(days=1, seconds=1)
    refused(world, engine, token, "token-expired")


def test_an_unknown_token_is_refused(world: World, engine: Engine) -> None:
    refused(world, engine, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "token-unknown")


def test_a_station_key_enrols_once(world: World, engine: Engine) -> None:
    before = count_rows(engine)
    with pytest.raises(Problem) as caught:
        enrol(world, issue(world, seed=5), world.station.key)
    assert caught.value.code == "station-key-reused"
    assert count_rows(engine)["stations"] == before["stations"]


def test_no_token_without_a_survey_key(
    session_factory: sessionmaker[Session], clock: FakeClock
) -> None:
    with pytest.raises(Problem) as caught:
        issue_enrolment_token(
            session_factory,
            country="GH",
            region="Accra",
            populations=["officials"],
            lifetime=timedelta(days=1),
            clock=clock,
            random_bytes=random.Random(1).randbytes,
        )
    assert caught.value.code == "survey-key-missing"


def test_spec_registration_is_idempotent_and_refuses_another_body(world: World) -> None:
    assert register_spec(world.session_factory, SPEC_BODY, clock=world.clock) == world.spec
    other = canonical_json({"id": "cips-officials", "version": "1.0.0", "questions": [1]})
    with pytest.raises(Problem) as caught:
        register_spec(world.session_factory, other, clock=world.clock)
    assert caught.value.code == "spec-mismatch"
    with pytest.raises(SpecBodyError):
        register_spec(world.session_factory, b'{"id": "x", "version": "1.0.0"}', clock=world.clock)
