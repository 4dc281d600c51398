"""Stations whose clock is wrong (a flat clock battery says 1970; 1999; 2300): each
respondent's work must be sealed and synced whatever the clock says, the processor must
load it and flag the impossible date, and once the clock is set right, the station's new
beacon must be the one the server keeps.

Got through: a response stored with an impossible date not flagged as replaced, or a wrong
clock's beacon that hides the later one. Lost: a respondent's finished work that is not a
response in the central store at the end. Duplicated: a response stored twice. 5xx: answers
>= 500 and processor runs that died.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

from sqlalchemy import select

from bench.faults.central import process
from bench.faults.field import field
from bench.faults.tally import Tally
from device_app.scripted_respondent import simulate_respondents
from sync_server.store.models import InboxEnvelope, ResponseRecord, Station

WRONG_CLOCKS = (
    datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
    datetime(2300, 1, 1, 12, 0, tzinfo=UTC),
)


def run(database: str, quick: bool) -> Tally:
    del database  # the station side: its server is the SQLite miniature
    respondents = 2 if quick else 12
    tally = Tally()
    rng = Random(8)
    with field() as place:
        expected: dict[str, int] = {}
        for number, wrong in enumerate(WRONG_CLOCKS * (1 if quick else 3)):
            clock = [wrong]
            name = f"tablet-{number}"
            station = place.station(name, clock=lambda c=clock: c[0])
            try:
                finished = simulate_respondents(station, respondents, rng=rng).finished
                tally.lost += respondents - finished
                station.sync()
                clock[0] = datetime.now(UTC)  # the coordinator sets the clock
                finished += simulate_respondents(station, respondents, rng=rng).finished
                station.sync()
            except Exception as error:  # noqa: BLE001 - a failure is what is counted
                tally.note(f"{wrong.year}: {type(error).__name__}: {str(error)[:120]}")
            finally:
                station.close()
            tally.tried += 2 * respondents
            expected[station.station_id] = 2 * respondents
            with place.sessions() as session:
                beacon = session.get(Station, station.station_id).last_beacon or {}
            if not str(beacon.get("sent_at", "")).startswith(str(clock[0].year)):
                tally.got_through += 1
                tally.note(f"{wrong.year}: the server kept the beacon sent at "
                           f"{beacon.get('sent_at')}")  # fmt: skip
        process(place.sessions, place.world.survey_key, tally)
        earliest, latest = date(2000, 1, 1), date.today() + timedelta(days=2)
        with place.sessions() as session:
            rows = session.execute(
                select(InboxEnvelope.station_id, ResponseRecord.envelope_id,
                       ResponseRecord.completed_on, ResponseRecord.completed_on_source)
                .join(InboxEnvelope, ResponseRecord.envelope_id == InboxEnvelope.envelope_id)
            ).all()  # fmt: skip
        held: dict[str, int] = {}
        seen: dict[str, int] = {}
        for station_id, envelope_id, completed_on, source in rows:
            held[station_id] = held.get(station_id, 0) + 1
            seen[envelope_id] = seen.get(envelope_id, 0) + 1
            if source == "station" and not earliest <= completed_on <= latest:
                tally.got_through += 1
                tally.note(f"a response dated {completed_on} by the tablet was kept unflagged")
        for station_id, count in expected.items():
            tally.lost += max(0, count - held.get(station_id, 0))
        tally.duplicated += sum(count - 1 for count in seen.values())
        tally.five_xx += place.app.count
    return tally
