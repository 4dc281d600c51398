"""Beacons: a station's signed health report, kept (the latest one) for the fleet view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from protocol.codec import (
    BEACON_SIGNING_DOMAIN,
    beacon_signing_payload,
    parse_signed_beacon,
)
from protocol.wire import Beacon
from sync_server.ingest.signatures import check_station_signature
from sync_server.ingest.stations import lock_active_station
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


def _sent_at(beacon: dict[str, object] | None) -> str:
    # Wire timestamps are fixed-width UTC apart from an optional fraction: compare the
    # seconds part as text, which orders like time.
    return str((beacon or {}).get("sent_at", ""))[:19]


def record_beacon(session_factory: sessionmaker[Session], data: bytes, *, clock: Clock) -> Beacon:
    """Verify and keep a beacon (JSON body). An older beacon than the stored one is
    verified but not kept, so a late delivery cannot hide fresher news."""
    signed, document = parse_signed_beacon(data)
    # CPU work before the transaction locks the station row, as for batches.
    payload = beacon_signing_payload(document["beacon"])

    def work(session: Session) -> Beacon:
        station = lock_active_station(session, signed.beacon.station_id)
        check_station_signature(
            station.public_key,
            BEACON_SIGNING_DOMAIN,
            payload,
            signed.signature_bytes(),
            what="beacon",
        )
        if _sent_at(document["beacon"]) >= _sent_at(station.last_beacon):
            station.last_beacon = document["beacon"]
            station.last_beacon_at = clock()
        return signed.beacon

    return in_transaction(session_factory, work)
