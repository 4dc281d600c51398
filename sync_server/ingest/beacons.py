"""Beacons: a station's signed health report, kept (the latest one) for the fleet view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from protocol.codec import (
    BEACON_SIGNING_DOMAIN,
    beacon_signing_payload,
    parse_signed_beacon,
)
from protocol.wire import BeaconAnswer, wire_time
from sync_server.ingest.signatures import check_station_signature
from sync_server.ingest.stations import lock_active_station
from sync_server.store.country_keys import signed_country_key
from sync_server.store.models import SurveyKey
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


# A claimed send time further ahead of the server's clock than this is a wrong clock (a
# tablet that once said 2300), not news: it must not outrank what arrives after it.
CLOCK_AHEAD_TOLERANCE = timedelta(days=1)


def _sent_at(beacon: dict[str, object] | None) -> str:
    # Wire timestamps are fixed-width UTC apart from an optional fraction: compare the
    # seconds part as text, which orders like time.
    return str((beacon or {}).get("sent_at", ""))[:19]


def is_fresher(new: dict[str, object], stored: dict[str, object] | None, now: datetime) -> bool:
    """Whether `new` is later news than `stored`. The outbox sequence decides first: it only
    grows, whatever the tablet's clock says. At the same sequence the send times decide,
    unless the stored one claims a time the server has not reached (a wrong clock): then
    arrival order does, so a clock in the future cannot hide every later beacon."""
    if stored is None:
        return True
    new_seq, stored_seq = int(new.get("last_seq", 0)), int(stored.get("last_seq", 0))
    if new_seq != stored_seq:
        return new_seq > stored_seq
    horizon = wire_time(now + CLOCK_AHEAD_TOLERANCE)[:19]
    if _sent_at(stored) > horizon:
        return True
    return _sent_at(new) >= _sent_at(stored)


def record_beacon(
    session_factory: sessionmaker[Session], data: bytes, *, clock: Clock
) -> BeaconAnswer:
    """Verify and keep a beacon (JSON body). An older beacon than the stored one (see
    is_fresher) is verified but not kept, so a late delivery cannot hide fresher news. The
    answer announces the survey key the station's country seals to now (key rotation)."""
    signed, document = parse_signed_beacon(data)
    # CPU work before the transaction locks the station row, as for batches.
    payload = beacon_signing_payload(document["beacon"])

    def work(session: Session) -> BeaconAnswer:
        station = lock_active_station(session, signed.beacon.station_id)
        check_station_signature(
            station.public_key,
            BEACON_SIGNING_DOMAIN,
            payload,
            signed.signature_bytes(),
            what="beacon",
        )
        now = clock()
        if is_fresher(document["beacon"], station.last_beacon, now):
            station.last_beacon = document["beacon"]
            station.last_beacon_at = now
        current = session.get(SurveyKey, station.country)
        return BeaconAnswer(
            status="recorded",
            station_id=station.station_id,
            survey_public_key=None if current is None else current.public_key,
            survey_key=None if current is None else signed_country_key(session, current.public_key),
        )

    return in_transaction(session_factory, work)
