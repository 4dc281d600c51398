"""Another tablet replaying a station's envelopes (copied batch files: a USB stick passes
through many hands) takes nothing from it and spoils nothing, on SQLite and PostgreSQL.

Intake cannot tell a replay from a station's own envelope (both are validly signed by their
sender); what it must not do is let the replay shadow the real one. The processor then opens
an envelope only under the station that sealed it (v2), and counts an unbound v1 envelope
once however many tablets send it.
"""

from __future__ import annotations

import base64
import random

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import StationKey
from miniatures.station_chain import StationChain
from protocol import Envelope
from sync_server.ingest import accept_batch, fleet_status
from sync_server.ingest.specs import register_survey_key
from sync_server.processor import process_inbox
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.processor.test_process import (
    GOOD_ANSWERS,
    deliver,
    response,
    sealed_envelope,
)

REPLAYED = "replayed-from-another-station"


def real_envelopes(chain: StationChain, survey_key, count: int) -> list[Envelope]:
    public = survey_key.public_key()
    return [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
            for _ in range(count)]  # fmt: skip


def send_as(world: World, sender: StationChain, envelopes: list[Envelope]) -> list[str]:
    """`sender` signs and sends `envelopes` as its own batch; the receipt's statuses."""
    data = sender.signed_bytes(sender.batch(envelopes))
    receipt = accept_batch(world.session_factory, data, via="usb", clock=world.clock)
    return [result.status for result in receipt.results]


def enrol_second(world: World, survey_key, country: str) -> StationChain:
    if country != "SL":
        register_survey_key(
            world.session_factory, country, survey_key.public_key().to_text(), clock=world.clock
        )
    return world.enrol(StationKey.generate(), country=country)


def counted(session_factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with session_factory() as session:
        rows = session.execute(select(ResponseRecord.station_id, ResponseRecord.envelope_id))
        return sorted((station_id, envelope_id) for station_id, envelope_id in rows)


def inbox_states(session_factory: sessionmaker[Session], station_id: str) -> list[str | None]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(InboxEnvelope.problem_code)
                .where(InboxEnvelope.station_id == station_id)
                .order_by(InboxEnvelope.seq)
            )
        )


@pytest.mark.parametrize("country", ["SL", "GH"])
def test_a_front_running_tablet_takes_no_response_and_shadows_none(
    setup, survey_key, clock: FakeClock, country: str
) -> None:
    world, first = setup
    second = enrol_second(world, survey_key, country)
    envelopes = real_envelopes(first, survey_key, 3)

    assert send_as(world, second, envelopes) == ["accepted"] * 3  # intake cannot know yet
    # The real station's own sync is accepted, not told "duplicate".
    assert send_as(world, first, envelopes) == ["accepted"] * 3

    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.reasons) == (3, {REPLAYED: 3})
    assert counted(world.session_factory) == sorted(
        (first.station_id, e.envelope_id) for e in envelopes
    )
    assert inbox_states(world.session_factory, second.station_id) == [REPLAYED] * 3
    assert inbox_states(world.session_factory, first.station_id) == [None] * 3
    fleet = {s.station_id: s for s in fleet_status(world.session_factory).stations}
    assert (fleet[first.station_id].duplicates, fleet[first.station_id].conflicts) == (0, 0)


def test_a_replay_after_the_real_envelopes_is_refused_too(setup, survey_key, clock) -> None:
    world, first = setup
    second = enrol_second(world, survey_key, "SL")
    envelopes = real_envelopes(first, survey_key, 2)
    deliver(world, first, envelopes)
    assert send_as(world, second, envelopes) == ["accepted"] * 2

    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.reasons) == (2, {REPLAYED: 2})
    assert {station for station, _ in counted(world.session_factory)} == {first.station_id}


def test_garbage_under_a_stations_envelope_ids_makes_no_conflict(setup, survey_key, clock) -> None:
    world, first = setup
    second = enrol_second(world, survey_key, "SL")
    envelopes = real_envelopes(first, survey_key, 3)
    rng = random.Random(7)
    garbage = [second.append(rng.randbytes(120), envelope.envelope_id) for envelope in envelopes]
    assert send_as(world, second, garbage) == ["accepted"] * 3
    assert send_as(world, first, envelopes) == ["accepted"] * 3  # not "conflict"

    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.reasons) == (3, {"cannot-open": 3})
    assert {station for station, _ in counted(world.session_factory)} == {first.station_id}


@pytest.mark.parametrize("country", ["SL", "GH"])
@pytest.mark.parametrize("replay_first", [True, False])
def test_an_unbound_v1_envelope_is_counted_once_whoever_sends_it(
    session_factory, clock, survey_key, setup, country: str, replay_first: bool
) -> None:
    """Envelopes sealed before v2 name no station: either tablet's copy opens, so the
    processor counts the sealed bytes once. A copy under a station of another country is
    refused by the country check, and then the real one still counts."""
    world, _ = setup
    old = world.enrol(StationKey.generate())
    old = StationChain(old.station_id, old.key, old.spec, random.Random(3), envelope_v=1)
    second = enrol_second(world, survey_key, country)
    envelopes = real_envelopes(old, survey_key, 2)
    assert {e.v for e in envelopes} == {1}
    senders = [second, old] if replay_first else [old, second]
    for sender in senders:
        assert send_as(world, sender, envelopes) == ["accepted"] * 2

    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.processed == 2
    assert len(counted(world.session_factory)) == 2  # each response once
    assert sorted({e for _, e in counted(world.session_factory)}) == sorted(
        e.envelope_id for e in envelopes
    )
    if country != "SL":
        assert {s for s, _ in counted(world.session_factory)} == {old.station_id}


def test_a_bound_envelope_moved_under_a_new_id_does_not_open(setup, survey_key, clock) -> None:
    world, chain = setup
    (original,) = real_envelopes(chain, survey_key, 1)
    moved = chain.append(base64.b64decode(original.sealed))  # same bytes, a fresh id
    deliver(world, chain, [moved])
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert report.reasons == {"cannot-open": 1}
