"""`--workers 2`: two processes on one inbox, every envelope loaded exactly once — on
PostgreSQL two processors claiming with SKIP LOCKED, on SQLite one writer and two openers."""

from __future__ import annotations

from sqlalchemy import func, select

from crypto import StationKey
from miniatures.station_chain import StationChain
from sync_server.processor import process_inbox
from sync_server.processor.openers import process_with_workers
from sync_server.store import make_engine, make_session_factory
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.sync_server.processor.test_process import (
    GOOD_ANSWERS,
    deliver,
    response,
    sealed_envelope,
)

PER_STATION = 60


def fill_inbox(world, survey_key) -> tuple[list[StationChain], list[tuple[str, str]]]:
    """Three stations' good envelopes and, from each, one that breaks a rule."""
    public = survey_key.public_key()
    chains = [world.enrol(StationKey.generate()) for _ in range(3)]
    bad = []
    for chain in chains:
        for start in range(0, PER_STATION, 20):
            envelopes = [
                sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
                for _ in range(20)
            ]
            if start == 0:
                broken = response({"age": 2}, chain.spec)  # consent is required
                envelopes.append(sealed_envelope(chain, broken, public))
                bad.append((chain.station_id, envelopes[-1].envelope_id))
            deliver(world, chain, envelopes)
    return chains, bad


def test_two_workers_load_every_envelope_once(setup, survey_key, clock, database_url):
    world, _chain = setup
    _chains, bad = fill_inbox(world, survey_key)
    good = 3 * PER_STATION
    progress: list[tuple[int, int]] = []
    report = process_with_workers(
        world.session_factory, survey_key, workers=2, clock=clock, worker_id="w",
        chunk_size=7, progress=lambda done, total: progress.append((done, total)),
        fresh_sessions=lambda: make_session_factory(make_engine(database_url)),
    )  # fmt: skip
    assert (report.processed, report.quarantined) == (good, 3)
    assert report.reasons == {"invalid-answers": 3}
    with world.session_factory() as session:
        responses = session.execute(
            select(ResponseRecord.station_id, ResponseRecord.envelope_id)
        ).all()
        states = dict(
            session.execute(
                select(InboxEnvelope.state, func.count()).group_by(InboxEnvelope.state)
            ).all()
        )
        set_aside = set(
            session.execute(
                select(InboxEnvelope.station_id, InboxEnvelope.envelope_id).where(
                    InboxEnvelope.state == "quarantined"
                )
            ).all()
        )
        claimers = set(session.scalars(select(InboxEnvelope.claimed_by).distinct()))
    assert len(responses) == len(set(responses)) == good  # each once, none twice
    assert states == {"processed": good, "quarantined": 3}
    assert set_aside == set(bad)
    # on PostgreSQL each processor claims under its own name; on SQLite the writer claims
    expected = {"w-1", "w-2"} if database_url.startswith("postgresql") else {"w"}
    assert claimers <= expected and claimers
    assert progress and progress[-1] == (good + 3, good + 3)
    # nothing is left for a second run, in one process or in two
    assert process_inbox(world.session_factory, survey_key, clock=clock).processed == 0
