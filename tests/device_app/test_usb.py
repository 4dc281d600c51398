"""USB export: batch files + manifest, imported through the server's own verification."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from device_app.batching import BatchLimits
from device_app.errors import ExportTargetInvalid
from protocol import Problem
from sync_server.ingest import accept_batch
from tests.contract.world import World, inbox_count, make_world, seal_records


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def import_folder(world: World, folder: Path) -> list[str]:
    """What `mss server import` does per file: the manifest's files through accept_batch."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    statuses = []
    for item in manifest["files"]:
        data = (folder / item["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        receipt = accept_batch(world.session_factory, data, via="usb", clock=world.clock)
        statuses += [result.status for result in receipt.results]
    return statuses


def test_export_writes_signed_batch_files_and_a_manifest(world: World, tmp_path: Path) -> None:
    station = world.station(limits=BatchLimits(max_envelopes=4))
    seal_records(station, 9)
    usb = tmp_path / "usb"

    report = station.export_usb(usb)

    sid = station.station_id
    assert report.envelopes == 9 and report.batches == 3
    assert sorted(p.name for p in usb.iterdir()) == sorted(
        ["manifest.json", f"{sid}-1.mssb", f"{sid}-2.mssb", f"{sid}-3.mssb"]
    )
    manifest = json.loads((usb / "manifest.json").read_text(encoding="utf-8"))
    for item in manifest["files"]:
        data = (usb / item["file"]).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        batch = json.loads(gzip.decompress(data))["batch"]
        assert (item["batch_id"], item["envelopes"], item["station_id"]) == (
            batch["batch_id"], len(batch["envelopes"]), sid,
        )  # fmt: skip
    # Export marks nothing: only a receipt does.
    assert station.status().pending == 9 and station.status().acknowledged == 0


def test_export_import_then_sync_adds_nothing(world: World, tmp_path: Path) -> None:
    station = world.station()
    seal_records(station, 6)
    station.export_usb(tmp_path / "usb")

    assert import_folder(world, tmp_path / "usb") == ["accepted"] * 6
    assert import_folder(world, tmp_path / "usb") == ["accepted"] * 6  # a stored receipt again
    report = station.sync()

    assert (report.accepted, report.duplicate) == (0, 6)
    assert inbox_count(world) == 6
    assert station.status().pending == 0


def test_export_all_includes_acknowledged_ones(world: World, tmp_path: Path) -> None:
    station = world.station()
    seal_records(station, 3)
    station.sync()
    seal_records(station, 2)

    assert station.export_usb(tmp_path / "pending").envelopes == 2
    assert station.export_usb(tmp_path / "all", include_acknowledged=True).envelopes == 5
    assert import_folder(world, tmp_path / "all").count("duplicate") == 3


def test_a_file_altered_by_one_byte_is_refused_and_nothing_stored(
    world: World, tmp_path: Path
) -> None:
    station = world.station()
    seal_records(station, 4)
    station.export_usb(tmp_path / "usb")
    path = next((tmp_path / "usb").glob("*.mssb"))
    data = bytearray(path.read_bytes())
    for offset in (len(data) // 2, 12):  # inside the deflate stream, then the gzip header
        altered = bytearray(data)
        altered[offset] ^= 0x01
        with pytest.raises(Problem) as refused:
            accept_batch(world.session_factory, bytes(altered), via="usb", clock=world.clock)
        assert refused.value.code in {"malformed-batch", "bad-signature"}
    assert inbox_count(world) == 0


def test_a_tampered_envelope_inside_a_valid_gzip_fails_the_signature(
    world: World, tmp_path: Path
) -> None:
    station = world.station()
    seal_records(station, 2)
    station.export_usb(tmp_path / "usb")
    path = next((tmp_path / "usb").glob("*.mssb"))
    document = json.loads(gzip.decompress(path.read_bytes()))
    sealed = document["batch"]["envelopes"][0]["sealed"]
    document["batch"]["envelopes"][0]["sealed"] = ("B" if sealed[0] == "A" else "A") + sealed[1:]
    forged = gzip.compress(json.dumps(document).encode())

    with pytest.raises(Problem) as refused:
        accept_batch(world.session_factory, forged, via="usb", clock=world.clock)
    assert refused.value.code == "bad-signature"
    assert inbox_count(world) == 0


def test_exports_add_to_the_manifest_already_on_the_stick(world: World, tmp_path: Path) -> None:
    station = world.station()
    seal_records(station, 2)
    station.export_usb(tmp_path / "usb")
    seal_records(station, 1)
    station.export_usb(tmp_path / "usb")

    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text(encoding="utf-8"))
    assert [item["envelopes"] for item in manifest["files"]] == [2, 3]


def test_nothing_pending_writes_nothing(world: World, tmp_path: Path) -> None:
    station = world.station()
    report = station.export_usb(tmp_path / "usb")
    assert report.batches == 0
    assert not (tmp_path / "usb" / "manifest.json").exists()


def test_a_file_in_the_way_is_a_clear_error(world: World, tmp_path: Path) -> None:
    station = world.station()
    seal_records(station, 1)
    (tmp_path / "usb").write_text("not a folder")
    with pytest.raises(ExportTargetInvalid, match="not a directory"):
        station.export_usb(tmp_path / "usb")


def test_the_server_import_names_an_altered_file_and_its_reason(
    world: World, tmp_path: Path
) -> None:
    from sync_server.ingest.usb_import import import_folder as server_import

    station = world.station(limits=BatchLimits(max_envelopes=2))
    seal_records(station, 4)
    station.export_usb(tmp_path / "usb")
    first = sorted((tmp_path / "usb").glob("*.mssb"))[0]
    data = bytearray(first.read_bytes())
    data[len(data) // 2] ^= 0x01
    first.write_bytes(bytes(data))

    report = server_import(world.session_factory, tmp_path / "usb", clock=world.clock)

    assert [(o.file, o.ok) for o in report.refused] == [(first.name, False)]
    assert "altered" in report.refused[0].reason
    assert report.total("accepted") == 2 and inbox_count(world) == 2
    assert station.sync().accepted == 2  # the altered file's envelopes still go by HTTP
