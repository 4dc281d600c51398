"""The fleet page's rows, from what ingest.fleet computes for `mss server status`: pure,
no database. A station that has not synced for days comes first and is marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sync_server.access.user_roles import Actor, may
from sync_server.ingest.fleet import CLOCK_SKEW_WARNING_SECONDS, FleetStatus, StationStatus

STALE_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class FleetRow:
    station: StationStatus
    specs: list[str]
    outbox_depth: int | None
    missing: int  # envelopes in the gaps
    gaps: str  # "3–5, 9"
    stale_days: int | None  # whole days since the last sync, when past STALE_AFTER
    never_synced: bool
    clock_wrong: bool

    @property
    def marked(self) -> bool:
        return self.never_synced or self.stale_days is not None


def _gap_text(gaps: list[tuple[int, int]]) -> str:
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in gaps)


def fleet_row(station: StationStatus, now: datetime) -> FleetRow:
    beacon = station.last_beacon or {}
    specs = [
        f"{spec.get('id', '?')} {spec.get('version', '')}".strip()
        for spec in beacon.get("specs", [])
        if isinstance(spec, dict)
    ]
    depth = beacon.get("outbox_depth")
    since = now - station.last_sync_at if station.last_sync_at is not None else None
    skew = station.clock_skew_seconds
    return FleetRow(
        station=station,
        specs=specs,
        outbox_depth=depth if isinstance(depth, int) else None,
        missing=sum(last - first + 1 for first, last in station.gaps),
        gaps=_gap_text(station.gaps),
        stale_days=since.days if since is not None and since >= STALE_AFTER else None,
        never_synced=station.last_sync_at is None,
        clock_wrong=skew is not None and abs(skew) > CLOCK_SKEW_WARNING_SECONDS,
    )


def fleet_rows(
    fleet: FleetStatus,
    actor: Actor,
    *,
    now: datetime,
    country: str | None = None,
    status: str | None = None,
) -> tuple[list[FleetRow], int]:
    """The rows `actor` may see, filtered, the longest silent first; and how many stations
    `actor` may see at all."""
    visible = [s for s in fleet.stations if may(actor, "fleet", "national", s.country)]
    chosen = [
        s
        for s in visible
        if (country is None or s.country == country) and (status is None or s.status == status)
    ]
    rows = [fleet_row(station, now) for station in chosen]
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    rows.sort(
        key=lambda row: (
            not row.marked,
            row.station.last_sync_at or oldest,
            row.station.country,
            row.station.station_id,
        )
    )
    return rows, len(visible)
