"""The cases of the fault harness, in the order the table shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.faults import (
    bit_flips,
    clock,
    guessing,
    hostile_bodies,
    ingest_kills,
    links,
    poison,
    replay,
    station_kills,
)
from bench.faults.tally import Tally


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    run: Callable[[str, bool], Tally]
    per_database: bool  # False: the station side, against the SQLite miniature server


CASES = (
    Case("replay", "replay and front-running by a second tablet", replay.run, True),
    Case("poison", "poison envelopes among good ones", poison.run, True),
    Case("clock", "wrong tablet clocks (1970, 1999, 2300)", clock.run, False),
    Case("guessing", "password and token guessing", guessing.run, True),
    Case("hostile", "hostile request lines and bodies", hostile_bodies.run, True),
    Case("bit-flips", "a bit flipped in every byte of a batch file", bit_flips.run, True),
    Case(
        "station-kills", "SIGKILLs of a station finishing and syncing", station_kills.run, False
    ),  # fmt: skip
    Case("links", "fault proxy: cut, swallowed, 1 KB/s", links.run, False),
    Case("ingest-kills", "SIGKILLs of serve and process mid-ingest", ingest_kills.run, True),
)
