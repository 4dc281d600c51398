"""The fleet page's rows, pure: the silent stations first and marked, gaps counted, the
clock checked, and only the stations of the user's countries (user_roles decides)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync_server.access.user_roles import Actor
from sync_server.console.fleet_view import STALE_AFTER, fleet_rows
from sync_server.ingest.fleet import FleetStatus, StationStatus

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
ADA = Actor.of("ada", "administrator", [], False)
COLE = Actor.of("cole", "coordinator", ["SL"], False)
ANA = Actor.of("ana", "analyst", ["SL"], False)


def station(
    name: str, country: str, synced_ago: timedelta | None, **fields: object
) -> StationStatus:
    values: dict[str, object] = {
        "station_id": name, "country": country, "region": "Western Area", "status": "active",
        "app_version": "1.0.0", "enrolled_at": NOW - timedelta(days=30), "received": 10,
        "duplicates": 0, "conflicts": 0, "last_batch_seq": 1, "last_envelope_seq": 10,
        "gaps": [], "last_sync_at": NOW - synced_ago if synced_ago is not None else None,
        "last_beacon": None, "last_beacon_at": None,
    }  # fmt: skip
    values.update(fields)
    return StationStatus.model_validate(values)


def fleet(*stations: StationStatus) -> FleetStatus:
    return FleetStatus(stations=list(stations), pending=0, processed=0, quarantined=0, conflicts=0)


def test_silent_stations_come_first_and_are_marked() -> None:
    rows, total = fleet_rows(
        fleet(
            station("st_fresh", "SL", timedelta(hours=1)),
            station("st_quiet", "SL", STALE_AFTER + timedelta(days=3)),
            station("st_never", "SL", None),
            station("st_edge", "SL", STALE_AFTER - timedelta(minutes=1)),
        ),
        ADA,
        now=NOW,
    )
    assert total == 4
    assert [row.station.station_id for row in rows] == [
        "st_never",
        "st_quiet",
        "st_edge",
        "st_fresh",
    ]
    assert [row.marked for row in rows] == [True, True, False, False]
    assert rows[0].never_synced and rows[1].stale_days == 5


def test_gaps_outbox_specs_and_a_wrong_clock_are_read() -> None:
    spec = {"id": "cips-officials", "version": "1.0.0", "sha256": "0" * 64}
    beacon = {"sent_at": "2056-11-29T10:00:00Z", "outbox_depth": 7, "specs": [spec]}
    (row,), _ = fleet_rows(
        fleet(
            station(
                "st_a",
                "SL",
                timedelta(hours=1),
                gaps=[(3, 5), (9, 9)],
                last_beacon=beacon,
                last_beacon_at=NOW,
                clock_skew_seconds=30 * 365 * 86400,
            )
        ),  # fmt: skip
        COLE,
        now=NOW,
    )
    assert (row.missing, row.gaps, row.outbox_depth) == (4, "3–5, 9", 7)
    assert row.specs == ["cips-officials 1.0.0"] and row.clock_wrong


def test_only_the_users_countries_and_the_filters() -> None:
    everything = fleet(
        station("st_sl1", "SL", timedelta(hours=1)),
        station("st_sl2", "SL", timedelta(hours=1), status="revoked"),
        station("st_gh1", "GH", timedelta(hours=1)),
    )
    names = lambda rows: [row.station.station_id for row in rows[0]]  # noqa: E731
    assert names(fleet_rows(everything, COLE, now=NOW)) == ["st_sl1", "st_sl2"]
    assert fleet_rows(everything, COLE, now=NOW, country="GH") == ([], 2)
    assert names(fleet_rows(everything, ADA, now=NOW, country="GH")) == ["st_gh1"]
    assert names(fleet_rows(everything, ADA, now=NOW, status="revoked")) == ["st_sl2"]
    # An analyst watches no fleet, whatever their countries.
    assert fleet_rows(everything, ANA, now=NOW) == ([], 0)
