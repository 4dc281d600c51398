"""The USB manifest: one model (protocol.usb_manifest) written by the station, read here."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol import UsbManifest
from protocol.usb_manifest import ManifestFile, batch_file_name
from sync_server.ingest.usb_import import ImportFolderInvalid, read_checksums

ENTRY = ManifestFile(
    file=batch_file_name("st_abc", 4),
    sha256="ab" * 32,
    batch_id="3f1c2a4e-0b5d-4c6e-8f7a-1b2c3d4e5f60",
    batch_seq=4,
    envelopes=100,
    station_id="st_abc",
)

# What the station has always written: keys sorted, two-space indent, a trailing newline.
ON_DISK = (
    b'{\n  "files": [\n    {\n      "batch_id": "3f1c2a4e-0b5d-4c6e-8f7a-1b2c3d4e5f60",\n'
    b'      "batch_seq": 4,\n      "envelopes": 100,\n      "file": "st_abc-4.mssb",\n'
    b'      "sha256": "' + b"ab" * 32 + b'",\n      "station_id": "st_abc"\n    }\n  ],\n'
    b'  "v": 1\n}\n'
)


def test_the_manifest_bytes_are_pinned_and_read_back() -> None:
    manifest = UsbManifest(files=[]).with_file(ENTRY)
    assert manifest.to_json() == ON_DISK
    assert UsbManifest.from_json(ON_DISK) == manifest


def test_a_later_export_replaces_the_entry_for_the_same_file() -> None:
    again = ENTRY.model_copy(update={"sha256": "cd" * 32})
    manifest = UsbManifest(files=[]).with_file(ENTRY).with_file(again)
    assert manifest.files == [again]


def test_the_server_reads_the_checksums(tmp_path: Path) -> None:
    assert read_checksums(tmp_path) == {}
    (tmp_path / "manifest.json").write_bytes(ON_DISK)
    assert read_checksums(tmp_path) == {"st_abc-4.mssb": "ab" * 32}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"v": 1}',
        ON_DISK.replace(b'"st_abc-4.mssb"', b'"../st_abc-4.mssb"'),
        ON_DISK.replace(b'"v": 1', b'"v": 1, "extra": true'),
    ],
    ids=["not json", "no files", "a path", "an unknown field"],
)
def test_a_manifest_that_is_not_ours_refuses_the_folder(tmp_path: Path, body: bytes) -> None:
    (tmp_path / "manifest.json").write_bytes(body)
    with pytest.raises(ImportFolderInvalid, match="not a readable MSS manifest"):
        read_checksums(tmp_path)
