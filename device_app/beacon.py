"""The station's beacon: a signed health report the coordinator's fleet view reads.

It says which software and specs the station runs, how deep its outbox is, its last seq and
its clock (so a drifting clock shows). Nothing about any respondent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata

from protocol import (
    PROTOCOL_VERSION,
    Beacon,
    SpecIdentityWire,
    canonical_json,
    sign_beacon,
)

DISTRIBUTION = "mobile-survey-stations"


def utc_stamp(moment: datetime) -> str:
    """The wire's timestamp form: UTC, second precision, with a Z."""
    if moment.tzinfo is None:
        raise ValueError("the station clock must return an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def app_version() -> str:
    try:
        return f"mss-station {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        return "mss-station unknown"


def beacon_body(
    *,
    station_id: str,
    sent_at: datetime,
    specs: list[SpecIdentityWire],
    outbox_depth: int,
    last_seq: int,
    sign: Callable[[str, bytes], bytes],
) -> bytes:
    """The JSON body of POST /v1/beacons: the signed beacon, canonical JSON."""
    beacon = Beacon(
        v=PROTOCOL_VERSION,
        station_id=station_id,
        sent_at=utc_stamp(sent_at),
        app_version=app_version(),
        specs=specs,
        outbox_depth=outbox_depth,
        last_seq=last_seq,
    )
    return canonical_json(sign_beacon(beacon, sign).model_dump(mode="json"))
