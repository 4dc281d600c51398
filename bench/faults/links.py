"""Bad links between real stations and the real server, through the loopback fault proxy:
uploads cut part-way, receipts swallowed after the server stored the batch, links throttled
to 1 KB/s each way — M sync sessions, each on whatever connection the proxy deals next
(tried: the faulty connections dealt). At the end each station syncs over a clean link and
the processor runs.

Got through: an envelope the station marked delivered before the server held it. Lost: a
finished response missing from the central store at the end. Duplicated: a response held
twice. 5xx: answers >= 500 and processor runs that died.
"""

from __future__ import annotations

import itertools
from random import Random

from sqlalchemy import func, select

from bench.faults.central import process, responses_by_envelope
from bench.faults.field import field
from bench.faults.tally import Tally
from device_app.errors import StationError
from device_app.scripted_respondent import simulate_respondents
from miniatures.fault_proxy import Fault, fault_proxy
from sync_server.store.models import InboxEnvelope

KINDS = ("cut", "swallow", "throttle", "pass")


def run(database: str, quick: bool) -> Tally:
    del database  # the station side: its server is the SQLite miniature
    sessions, per_session, tablets = (4, 2, 2) if quick else (24, 3, 4)
    rng = Random(6)
    tally = Tally()
    kinds = itertools.cycle(KINDS)

    def choose() -> Fault:
        kind = next(kinds)
        return Fault(kind=kind, cut_after=rng.randrange(1, 1500))

    with field() as place, fault_proxy(place.url, choose) as proxy:
        names = [f"tablet-{number}" for number in range(tablets)]
        for name in names:
            place.station(name).close()
        finished = 0
        for session in range(sessions):
            station = place.unlock(names[session % tablets])
            try:
                finished += simulate_respondents(station, per_session, rng=rng).finished
                try:
                    station.sync(max_attempts=5, server_url=proxy.url)
                except StationError as error:
                    tally.note(f"session {session}: gave up for now: {error.code}")
                with place.sessions() as db:
                    held = db.scalar(select(func.count()).select_from(InboxEnvelope).where(
                        InboxEnvelope.station_id == station.station_id)) or 0  # fmt: skip
                tally.got_through += max(0, station.status().acknowledged - held)
            finally:
                station.close()
        for name in names:  # a clean link at last
            station = place.unlock(name)
            try:
                station.sync(server_url=place.url)
            finally:
                station.close()
        process(place.sessions, place.world.survey_key, tally)
        held_responses = responses_by_envelope(place.sessions)
        tally.lost += max(0, finished - len(held_responses))
        tally.duplicated += sum(count - 1 for count in held_responses.values())
        tally.five_xx += place.app.count
        tally.tried = sum(count for kind, count in proxy.faults.items() if kind != "pass")
    return tally
