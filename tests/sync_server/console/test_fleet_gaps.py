"""The fleet's gaps (the page's "lost responses at a glance") on both databases: the window
runs only over stations holding fewer envelopes than their highest seq, and that filter
must hide no gap — at the start, in the middle, several at one station — nor invent one."""

from __future__ import annotations

from sync_server.ingest.batches import accept_batch
from sync_server.ingest.fleet import fleet_status
from tests.sync_server.builders import World


def test_every_gap_is_found_and_a_whole_chain_has_none(world: World) -> None:
    held = {  # station -> the seqs (of 1..8) the server receives
        "whole": [1, 2, 3, 4, 5, 6, 7, 8],
        "start": [3, 4, 5],
        "middle": [1, 2, 5, 6],
        "several": [2, 4, 5, 8],
        "nothing": [],
    }
    chains = {name: world.enrol() for name in held}
    for name, seqs in held.items():
        chain = chains[name]
        envelopes = chain.envelopes(8)
        for seq in seqs:
            batch = chain.batch([envelopes[seq - 1]])
            accept_batch(world.session_factory, chain.signed_bytes(batch), via="usb",
                         clock=world.clock)  # fmt: skip
    found = {s.station_id: s.gaps for s in fleet_status(world.session_factory).stations}
    assert {name: found[chains[name].station_id] for name in held} == {
        "whole": [],
        "start": [(1, 2)],
        "middle": [(3, 4)],
        "several": [(1, 1), (3, 3), (6, 7)],
        "nothing": [],
    }
