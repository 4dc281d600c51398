"""Two threads posting batches of one station at once store each envelope exactly once."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from protocol import Problem, Receipt
from sync_server.ingest import accept_batch, fleet_status
from tests.sync_server.builders import World, count_rows


def test_concurrent_batches_of_one_station_make_no_duplicate_rows(
    world: World, engine: Engine
) -> None:
    chain = world.station
    envelopes = chain.envelopes(40)
    # Overlapping batches: every envelope is sent twice, by different threads.
    batches = [
        chain.signed_bytes(chain.batch(envelopes[start : start + 20]))
        for start in (0, 10, 20, 0, 20)
    ]
    outcomes: list[Receipt | Problem] = []
    barrier = threading.Barrier(len(batches))
    lock = threading.Lock()

    def post(data: bytes) -> None:
        barrier.wait()
        try:
            outcome: Receipt | Problem = accept_batch(
                world.session_factory, data, via="http", clock=world.clock
            )
        except Problem as problem:
            outcome = problem
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=post, args=(data,)) for data in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(batches)
    assert all(isinstance(o, Receipt) for o in outcomes), outcomes
    statuses = [r.status for o in outcomes if isinstance(o, Receipt) for r in o.results]
    assert statuses.count("accepted") == 40
    assert statuses.count("duplicate") == len(statuses) - 40
    rows = count_rows(engine)
    assert (rows["inbox"], rows["batches"], rows["receipts"], rows["quarantine"]) == (40, 5, 5, 0)
    station = fleet_status(world.session_factory).stations[0]
    assert (station.received, station.gaps, station.last_envelope_seq) == (40, [], 40)
