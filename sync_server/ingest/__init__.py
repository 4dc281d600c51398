"""Intake: enrolment, batch verification and dedup into the inbox, receipts, beacons.

Holds no survey private key: it stores sealed envelopes and never opens them.
"""

from sync_server.ingest.batches import accept_batch
from sync_server.ingest.beacons import record_beacon
from sync_server.ingest.enrolment import (
    enrol_station,
    issue_enrolment_token,
    normalise_token,
    revoke_station,
)
from sync_server.ingest.fleet import FleetStatus, StationStatus, fleet_status
from sync_server.ingest.specs import (
    known_spec_identities,
    register_spec,
    register_survey_key,
    spec_body,
)

__all__ = [
    "FleetStatus",
    "StationStatus",
    "accept_batch",
    "enrol_station",
    "fleet_status",
    "issue_enrolment_token",
    "known_spec_identities",
    "normalise_token",
    "record_beacon",
    "register_spec",
    "register_survey_key",
    "revoke_station",
    "spec_body",
]
