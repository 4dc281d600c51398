"""Batch intake on SQLite and PostgreSQL: each refusal is clear and changes no row."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import Engine, select

from crypto import StationKey
from protocol import Problem, SpecIdentityWire, canonical_json, sign_batch
from sync_server.ingest import accept_batch, fleet_status, revoke_station
from sync_server.store.models import InboxEnvelope, QuarantinedEnvelope, Station
from tests.sync_server.builders import World, count_rows, really_sealed


def refused(world: World, engine: Engine, data: bytes, code: str) -> Problem:
    """Submit `data`, expect the problem `code`, and check that no table changed."""
    before = count_rows(engine)
    with pytest.raises(Problem) as caught:
        accept_batch(world.session_factory, data, via="http", clock=world.clock)
    assert caught.value.code == code, caught.value.detail
    assert count_rows(engine) == before
    return caught.value


def test_new_envelopes_are_accepted_into_the_inbox(world: World, engine: Engine) -> None:
    chain = world.station
    envelopes = chain.envelopes(3)
    receipt = accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch(envelopes)),
        via="usb",
        clock=world.clock,
    )
    assert [r.status for r in receipt.results] == ["accepted"] * 3
    assert [r.envelope_id for r in receipt.results] == [e.envelope_id for e in envelopes]
    with world.session_factory() as session:
        rows = session.scalars(select(InboxEnvelope).order_by(InboxEnvelope.seq)).all()
        assert [row.seq for row in rows] == [1, 2, 3]
        assert rows[0].sealed == envelopes[0].sealed_bytes()
        assert {row.state for row in rows} == {"pending"}
        station = session.get(Station, chain.station_id)
        assert (station.envelopes_received, station.last_envelope_seq) == (3, 3)


def test_the_same_batch_twice_gets_the_same_receipt_and_no_new_rows(
    world: World, engine: Engine
) -> None:
    chain = world.station
    data = chain.signed_bytes(chain.batch(chain.envelopes(2)))
    first = accept_batch(world.session_factory, data, via="http", clock=world.clock)
    before = count_rows(engine)
    again = accept_batch(world.session_factory, data, via="http", clock=world.clock)
    assert again == first
    assert count_rows(engine) == before


def test_an_envelope_in_a_second_batch_is_a_duplicate(world: World, engine: Engine) -> None:
    chain = world.station
    envelopes = chain.envelopes(2)
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch(envelopes[:1])),
        via="http",
        clock=world.clock,
    )
    receipt = accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch(envelopes)),
        via="http",
        clock=world.clock,
    )
    assert [r.status for r in receipt.results] == ["duplicate", "accepted"]
    assert all(r.acknowledged for r in receipt.results)
    assert count_rows(engine)["inbox"] == 2
    status = fleet_status(world.session_factory).stations[0]
    assert (status.received, status.duplicates, status.conflicts) == (2, 1, 0)


def test_same_id_other_bytes_is_a_conflict_kept_in_quarantine(world: World, engine: Engine) -> None:
    chain = world.station
    (original,) = chain.envelopes(1)
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([original])),
        via="http",
        clock=world.clock,
    )
    forged = original.model_copy(update={"sealed": "AAAA"})
    receipt = accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([forged])),
        via="http",
        clock=world.clock,
    )
    (result,) = receipt.results
    assert (result.status, result.code, result.acknowledged) == (
        "conflict",
        "envelope-conflict",
        False,
    )
    with world.session_factory() as session:
        kept = session.scalars(select(QuarantinedEnvelope)).one()
        assert (kept.envelope_id, kept.reason) == (original.envelope_id, "envelope-conflict")
        assert json.loads(kept.envelope)["sealed"] == "AAAA"
        assert (
            session.get(InboxEnvelope, (chain.station_id, original.envelope_id)).sealed
            == original.sealed_bytes()
        )
    status = fleet_status(world.session_factory)
    assert status.stations[0].conflicts == 1
    assert status.conflicts == 1
    # The same conflicting bytes again: still a conflict, but kept (and counted) once.
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([forged])),
        via="http",
        clock=world.clock,
    )
    assert count_rows(engine)["quarantine"] == 1


def test_a_broken_chain_is_quarantined_not_accepted(world: World, engine: Engine) -> None:
    chain = world.station
    first, second = chain.envelopes(2)
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([first])),
        via="http",
        clock=world.clock,
    )
    tampered = second.model_copy(update={"prev": "1" * 64})
    receipt = accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([tampered])),
        via="http",
        clock=world.clock,
    )
    assert (receipt.results[0].status, receipt.results[0].code) == ("conflict", "chain-mismatch")
    assert count_rows(engine)["inbox"] == 1


def test_out_of_order_batches_are_accepted_and_gaps_reported(world: World) -> None:
    chain = world.station
    envelopes = chain.envelopes(6)
    later = chain.batch(envelopes[4:])  # seq 5, 6 arrive first (USB)
    earlier = chain.batch(envelopes[:2])
    for batch in (later, earlier):
        receipt = accept_batch(
            world.session_factory, chain.signed_bytes(batch), via="usb", clock=world.clock
        )
        assert {r.status for r in receipt.results} == {"accepted"}
    status = fleet_status(world.session_factory).stations[0]
    assert status.gaps == [(3, 4)]
    assert status.last_envelope_seq == 6


def test_a_replayed_batch_seq_with_other_content_is_refused(world: World, engine: Engine) -> None:
    chain = world.station
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch(chain.envelopes(1))),
        via="http",
        clock=world.clock,
    )
    other = chain.batch(chain.envelopes(1), batch_seq=1)
    problem = refused(world, engine, chain.signed_bytes(other), "replayed-batch")
    assert "batch_seq 1" in problem.detail


def test_a_reused_batch_id_with_other_content_is_refused(world: World, engine: Engine) -> None:
    chain = world.station
    batch = chain.batch(chain.envelopes(1))
    accept_batch(world.session_factory, chain.signed_bytes(batch), via="http", clock=world.clock)
    other = batch.model_copy(update={"batch_seq": 2, "envelopes": chain.envelopes(1)})
    refused(world, engine, chain.signed_bytes(other), "replayed-batch")


def test_a_forged_signature_is_refused(world: World, engine: Engine) -> None:
    chain = world.station
    batch = chain.batch(chain.envelopes(1))
    forged = sign_batch(batch, StationKey.generate().sign)  # signed by another key
    from protocol import signed_batch_bytes

    refused(world, engine, signed_batch_bytes(forged), "bad-signature")
    # A valid signature over other content does not pass either.
    genuine = sign_batch(batch, chain.key.sign)
    document = genuine.model_dump(mode="json")
    document["batch"]["batch_seq"] = 9
    refused(world, engine, gzip.compress(canonical_json(document)), "bad-signature")


def test_a_revoked_station_is_refused(world: World, engine: Engine) -> None:
    chain = world.station
    assert revoke_station(world.session_factory, chain.station_id, clock=world.clock)
    assert not revoke_station(world.session_factory, chain.station_id, clock=world.clock)
    refused(world, engine, chain.signed_bytes(chain.batch(chain.envelopes(1))), "station-revoked")


def test_an_unknown_station_is_refused(world: World, engine: Engine) -> None:
    chain = world.station
    chain.station_id = "st_aaaaaaaaaaaa"
    refused(world, engine, chain.signed_bytes(chain.batch(chain.envelopes(1))), "unknown-station")


def test_an_unknown_spec_version_refuses_the_whole_batch(world: World, engine: Engine) -> None:
    chain = world.station
    good = chain.envelopes(1)
    chain.spec = SpecIdentityWire(id=chain.spec.id, version="1.0.1", sha256=chain.spec.sha256)
    bad = chain.envelopes(1)
    problem = refused(world, engine, chain.signed_bytes(chain.batch(good + bad)), "unknown-spec")
    assert "1.0.1" in problem.detail


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not gzip at all", "malformed-batch"),
        (gzip.compress(b"{not json"), "malformed-batch"),
        (gzip.compress(b'{"batch": {}, "signature": "AAAA"}'), "malformed-batch"),
        (gzip.compress(b"[1, 2]"), "malformed-batch"),
        (gzip.compress(b"NaN"), "malformed-batch"),
        (gzip.compress(b" " * (17 * 1024 * 1024)), "payload-too-large"),
        (b"\x1f\x8b" + b"\x00" * (4 * 1024 * 1024 + 1), "payload-too-large"),
    ],
    ids=["not-gzip", "bad-json", "bad-schema", "not-object", "nan", "gzip-bomb", "too-big"],
)
def test_bad_bytes_are_refused(world: World, engine: Engine, data: bytes, code: str) -> None:
    refused(world, engine, data, code)


def test_a_really_sealed_envelope_is_stored_byte_for_byte(world: World) -> None:
    chain = world.station
    envelope = really_sealed(chain, world.survey_public_key)
    accept_batch(
        world.session_factory,
        chain.signed_bytes(chain.batch([envelope])),
        via="http",
        clock=world.clock,
    )
    with world.session_factory() as session:
        stored = session.get(InboxEnvelope, (chain.station_id, envelope.envelope_id))
        assert stored.sealed == envelope.sealed_bytes()
        assert stored.spec_sha256 == world.spec.sha256
