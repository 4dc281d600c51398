"""Looking up the sending station, locked for the rest of the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from protocol.problems import Problem
from sync_server.store.models import Station


def lock_active_station(session: Session, station_id: str) -> Station:
    """The station row, locked (PostgreSQL: FOR UPDATE; SQLite: the IMMEDIATE transaction
    already holds the write lock), so one station's batches are taken one at a time."""
    station = session.execute(
        select(Station).where(Station.station_id == station_id).with_for_update()
    ).scalar_one_or_none()
    if station is None:
        raise Problem("unknown-station", f"station {station_id} is not enrolled on this server")
    if station.status != "active":
        raise Problem("station-revoked", f"station {station_id} has been revoked")
    return station
