"""The station's beacon: a signed health report the coordinator's fleet view reads.

It says which software and specs the station runs, how deep its outbox is, its last seq and
its clock (so a drifting clock shows). Nothing about any respondent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import metadata

from protocol import (
    PROTOCOL_VERSION,
    Beacon,
    SpecIdentityWire,
    canonical_json,
    sign_beacon,
)
from protocol.wire import KeyRefusal, wire_time

DISTRIBUTION = "mobile-survey-stations"


def utc_stamp(moment: datetime) -> str:
    """The wire's timestamp (protocol.wire_time) of what the station's clock said, which
    must be aware: a naive time on a tablet has no known zone."""
    if moment.tzinfo is None:
        raise ValueError("the station clock must return an aware datetime")
    return wire_time(moment)


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
    survey_key_refused: KeyRefusal | None = None,
) -> bytes:
    """The JSON body of POST /v1/beacons: the signed beacon, canonical JSON;
    `survey_key_refused`, why the station keeps its key against the latest announcement."""
    beacon = Beacon(
        v=PROTOCOL_VERSION,
        station_id=station_id,
        sent_at=utc_stamp(sent_at),
        app_version=app_version(),
        specs=specs,
        outbox_depth=outbox_depth,
        last_seq=last_seq,
        survey_key_refused=survey_key_refused,
    )
    return canonical_json(sign_beacon(beacon, sign).model_dump(mode="json"))
