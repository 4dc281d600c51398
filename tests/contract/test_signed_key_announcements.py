"""A taken-over intake server cannot hand stations a survey key of its own: against the real
app and real SQLCipher stations, an announced key is taken only with a record signed by the
operator key the station pinned at provisioning, for its own country, and not older than
the key it holds. Otherwise the station keeps sealing to its key, says why (a code in its
status), and its next beacon reports the code to the fleet view."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from crypto import OperatorKey, SurveyPublicKey, generate_survey_key
from device_app.station import Station
from protocol import sign_survey_key
from sync_server.settings import utc_now
from sync_server.store.country_keys import ring_record, set_country_key
from sync_server.store.models import InboxEnvelope, RingKey
from sync_server.store.models import Station as StationRow
from sync_server.store.transactions import in_transaction
from tests.contract.test_survey_key_ring_contract import new_key
from tests.contract.world import World, make_world, seal_records

LOOPBACK = "http://127.0.0.1:8080"  # an authenticated channel: the signature is what decides


def announce(world: World, country: str, public: SurveyPublicKey, signer: OperatorKey | None,
             wave: str = "2027") -> None:  # fmt: skip
    """What a server that is taken over can do: make `public` the key `country`'s stations
    are given, with a ring row signed by `signer` (not the operator's), or none at all."""

    def work(session) -> None:  # noqa: ANN001 - a Session
        now = utc_now()
        if signer is not None:
            row = RingKey(key_id=public.key_id(), country=country, wave=wave, kind=public.kem,
                          public_key=public.to_text(), first=False, state="active",
                          created_at=now)  # fmt: skip
            row.signature = sign_survey_key(ring_record(row), signer.sign).signature
            session.add(row)
        set_country_key(session, country, public, now)

    in_transaction(world.session_factory, work)


def sealed_keys(world: World, station: Station) -> list[str | None]:
    with world.session_factory() as session:
        return list(session.scalars(
            select(InboxEnvelope.key_id).where(InboxEnvelope.station_id == station.station_id)
            .order_by(InboxEnvelope.seq)
        ))  # fmt: skip


def reported(world: World, station: Station) -> str | None:
    """What the fleet view holds from the station's latest beacon."""
    with world.session_factory() as session:
        beacon = session.get(StationRow, station.station_id).last_beacon or {}
    return beacon.get("survey_key_refused")


def keeps_its_key(world: World, station: Station, held: SurveyPublicKey, code: str) -> None:
    report = station.sync()
    assert report.survey_key_switched_to is None
    assert (report.survey_key_refused or "").startswith(code + ": ")
    assert station.status().survey_key_refused == code
    assert station.status().survey_key_id == held.key_id()
    seal_records(station, 1)
    assert station.sync().accepted == 1  # this beacon carries the refusal
    assert sealed_keys(world, station)[-1] == held.key_id()
    assert reported(world, station) == code
    reopened = world.unlock("station")  # nothing of the announced key was kept
    assert reopened.status().survey_key_id == held.key_id()
    reopened.close()


def forged_by_the_server(world: World) -> None:
    announce(world, "SL", generate_survey_key().public_key(), None)


def signed_by_another_operator(world: World) -> None:
    announce(world, "SL", generate_survey_key().public_key(), OperatorKey.generate())


def made_for_another_country(world: World) -> None:
    ghana = new_key(world, "GH", "2027")  # truly signed by the operator, but for Ghana
    announce(world, "SL", ghana, None)


@pytest.mark.parametrize(
    ("attack", "code"),
    [
        (forged_by_the_server, "survey-key-unsigned"),
        (signed_by_another_operator, "survey-key-forged"),
        (made_for_another_country, "survey-key-other-country"),
    ],
)
def test_a_key_the_operator_did_not_sign_for_the_country_is_refused(
    tmp_path: Path, attack: Callable[[World], None], code: str
) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    held = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=held.to_text())
    seal_records(station, 1)
    attack(world)
    keeps_its_key(world, station, held, code)


def test_an_older_signed_key_replayed_is_refused(tmp_path: Path) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    # The operator signed the 2026 key long ago; the station switches to 2027's, made now.
    old = new_key(world, "SL", "2026", made=lambda: utc_now() - timedelta(days=200))
    station = world.station(survey_public_key=old.to_text())
    wave_2027 = new_key(world, "SL", "2027")
    assert station.sync().survey_key_switched_to == wave_2027.key_id()
    assert station.status().survey_key_refused is None

    def back_to_2026(session) -> None:  # noqa: ANN001 - a Session
        set_country_key(session, "SL", old, utc_now())

    in_transaction(world.session_factory, back_to_2026)
    keeps_its_key(world, station, wave_2027, "survey-key-older")


def test_a_station_that_pinned_no_operator_key_never_switches(tmp_path: Path) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    held = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=held.to_text(), pin_operator=False)
    new_key(world, "SL", "2027")
    keeps_its_key(world, station, held, "survey-key-no-operator-key")


def test_the_operators_key_switches_and_clears_an_earlier_refusal(tmp_path: Path) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    held = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=held.to_text())
    forged_by_the_server(world)
    assert station.sync().survey_key_switched_to is None
    assert station.status().survey_key_refused == "survey-key-unsigned"
    honest: datetime = utc_now()
    wave_2027 = new_key(world, "SL", "2027", made=lambda: honest)
    assert station.sync().survey_key_switched_to == wave_2027.key_id()
    assert station.status().survey_key_refused is None
    seal_records(station, 1)
    assert station.sync().accepted == 1
    assert sealed_keys(world, station) == [wave_2027.key_id()]
    assert reported(world, station) is None


class Tampering(httpx.BaseTransport):
    """Passes requests to the app; rewrites the beacon answer's signed record on the way back
    (what a proxy between station and server could try)."""

    def __init__(self, inner: httpx.BaseTransport, change: Callable[[dict], None]) -> None:
        self.inner, self.change = inner, change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path != "/v1/beacons":
            return response
        response.read()
        document = json.loads(response.content)
        self.change(document)
        return httpx.Response(response.status_code, json=document, request=request)


def test_a_malformed_or_altered_record_on_the_way_is_refused(tmp_path: Path) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    held = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=held.to_text())
    new_key(world, "SL", "2027")
    honest = world.transport

    def another_key_id(document: dict) -> None:  # the record no longer names its key
        document["survey_key"]["record"]["key_id"] = "a" * 16

    def another_wave(document: dict) -> None:  # well formed, but not what was signed
        document["survey_key"]["record"]["wave"] = "2099"

    for change, code in ((another_key_id, "survey-key-unusable"),
                         (another_wave, "survey-key-forged")):  # fmt: skip
        world.transport = Tampering(honest, change)
        tampered = world.unlock("station")
        report = tampered.sync()
        assert report.survey_key_switched_to is None
        assert (report.survey_key_refused or "").startswith(code + ": ")
        assert tampered.status().survey_key_id == held.key_id()
        tampered.close()
    station.close()


def test_a_ring_row_that_makes_no_record_leaves_beacons_answered(tmp_path: Path) -> None:
    world = make_world(tmp_path, server_url=LOOPBACK)
    held = new_key(world, "SL", "2026")
    station = world.station(survey_public_key=held.to_text())
    wave_2027 = new_key(world, "SL", "2027")

    def corrupt(session) -> None:  # noqa: ANN001 - a Session
        session.get(RingKey, wave_2027.key_id()).kind = "mlkem768-x25519"

    in_transaction(world.session_factory, corrupt)
    report = station.sync()  # no 500: the answer names the key, with no record
    assert report.beacon_sent and report.survey_key_switched_to is None
    assert (report.survey_key_refused or "").startswith("survey-key-unsigned: ")
