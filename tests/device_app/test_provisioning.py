"""Provisioning against the real server app: enrolment, specs, and no half-made station."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from crypto import KdfCost, generate_survey_key
from device_app.errors import (
    BundleInvalid,
    EnrolmentRefused,
    NotAStation,
    SpecMismatch,
    StationDirInvalid,
    WrongPassphrase,
)
from device_app.provisioning import provision
from device_app.station import Station
from tests.contract.world import COUNTRY, PASSPHRASE, PIN, REGION, World, make_world, spec_bodies


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def provision_into(world: World, target: Path, bundle: Path) -> Station:
    return provision(
        target, bundle, PASSPHRASE, PIN, http_transport=world.transport, clock=world.clock,
        cost=KdfCost.FAST,
    )  # fmt: skip


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if name in p.name)


def test_provisioning_enrols_and_stores_what_the_station_needs(world: World) -> None:
    target = world.root / "tablet-7"
    with provision_into(world, target, world.bundle(world.root / "b.json")) as station:
        assert station.station_id.startswith("st_")
        assert (station.country, station.region) == (COUNTRY, REGION)
        assert station.populations == ["officials", "private_sector"]
        assert [spec.id for spec in station.specs()] == ["test-officials", "test-private"]
        assert station.spec_for("private_sector").id == "test-private"
        assert station.languages == ["en", "fr"]
        assert station.verify_pin(PIN)
    assert sorted(p.name for p in target.iterdir()) == ["station.db", "station.key"]
    assert leftovers(world.root, ".tablet-7") == []
    with Station.unlock(target, PASSPHRASE, http_transport=world.transport) as again:
        assert again.status().last_seq == 0


def test_a_used_token_is_refused_and_leaves_no_directory(world: World) -> None:
    bundle = world.bundle(world.root / "b.json")
    provision_into(world, world.root / "first", bundle).close()

    with pytest.raises(EnrolmentRefused, match="already used") as refused:
        provision_into(world, world.root / "second", bundle)

    assert refused.value.problem_code == "token-used"
    assert leftovers(world.root, "second") == []


def test_an_expired_token_is_refused_and_leaves_no_directory(world: World) -> None:
    # Issued two hours ago for one hour: the server judges expiry by its own (real) clock.
    world.now[0] -= timedelta(hours=2)
    bundle = world.bundle(world.root / "b.json", lifetime=timedelta(hours=1))
    world.now[0] += timedelta(hours=2)

    with pytest.raises(EnrolmentRefused, match="expired") as refused:
        provision_into(world, world.root / "late", bundle)

    assert refused.value.problem_code == "token-expired"
    assert leftovers(world.root, "late") == []


def test_an_unknown_token_is_refused_and_leaves_no_directory(world: World) -> None:
    bundle = world.bundle(world.root / "b.json")
    data = json.loads(bundle.read_text())
    data["token"] = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"
    bundle.write_text(json.dumps(data))

    with pytest.raises(EnrolmentRefused, match="not known") as refused:
        provision_into(world, world.root / "stranger", bundle)

    assert refused.value.problem_code == "token-unknown"
    assert leftovers(world.root, "stranger") == []


def test_a_spec_body_that_does_not_match_its_identity_is_refused(world: World) -> None:
    bundle = world.bundle(world.root / "b.json")
    data = json.loads(bundle.read_text())
    officials, private = spec_bodies()
    other = json.loads(private)
    data["specs"] = [
        {"id": "test-officials", "version": "1.0.0",
         "sha256": __import__("hashlib").sha256(officials).hexdigest(),
         "canonical_json": json.dumps(other)},
    ]  # fmt: skip
    bundle.write_text(json.dumps(data))

    with pytest.raises(SpecMismatch, match="test-officials"):
        provision_into(world, world.root / "swapped", bundle)
    assert leftovers(world.root, "swapped") == []


def test_an_existing_directory_is_never_overwritten(world: World) -> None:
    (world.root / "taken").mkdir()
    (world.root / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(StationDirInvalid, match="already exists"):
        provision_into(world, world.root / "taken", world.bundle(world.root / "b.json"))
    assert (world.root / "taken" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"server_url": "ftp://x", "token": "t"}', "http"),
        ('{"server_url": "http://x"}', "token"),
        (
            '{"server_url": "http://x", "token": "t", "survey_public_key": "nope"}',
            "survey_public_key is not",
        ),
    ],
)
def test_a_bad_bundle_is_a_clear_error(world: World, content: str, message: str) -> None:
    bundle = world.root / "bad.json"
    bundle.write_text(content)
    with pytest.raises(BundleInvalid, match=message):
        provision_into(world, world.root / "never", bundle)
    assert leftovers(world.root, "never") == []


def test_wrong_passphrase_and_missing_station_are_clear(world: World) -> None:
    world.station("tablet").close()
    with pytest.raises(WrongPassphrase, match="^the passphrase does not unlock this station$"):
        Station.unlock(world.root / "tablet", "not the passphrase")
    with pytest.raises(NotAStation):
        Station.unlock(world.root / "nowhere", PASSPHRASE)


def test_a_station_for_one_population_keeps_only_its_spec(world: World) -> None:
    bundle = world.bundle(world.root / "b.json", populations=("private_sector",))
    with provision_into(world, world.root / "traders", bundle) as station:
        assert station.populations == ["private_sector"]
        assert [spec.id for spec in station.specs()] == ["test-private"]
        with pytest.raises(Exception, match="officials"):
            station.spec_for("officials")


def test_a_server_answering_with_another_survey_key_is_refused(world: World) -> None:
    """The bundle's key is the one the coordinator trusts: another key from the enrolment
    answer (a swapped server, or someone on the way) would be able to open every response."""
    bundle = world.bundle(world.root / "b.json")
    data = json.loads(bundle.read_text())
    data["survey_public_key"] = generate_survey_key().public_key().to_text()
    bundle.write_text(json.dumps(data))

    with pytest.raises(BundleInvalid, match="is not the bundle's"):
        provision_into(world, world.root / "misled", bundle)
    assert leftovers(world.root, "misled") == []


def test_an_undecodable_bundle_is_refused_without_quoting_it(world: World) -> None:
    bundle = world.root / "latin1.json"
    bundle.write_bytes(b'{"token": "\xe9tude-secret"}')
    with pytest.raises(BundleInvalid, match="not JSON") as refused:
        provision_into(world, world.root / "never", bundle)
    assert "secret" not in str(refused.value) and "0xe9" not in str(refused.value)
    assert leftovers(world.root, "never") == []
