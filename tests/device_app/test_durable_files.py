"""Whole files or none: the one atomic writer behind the key file and the USB export."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from device_app.durable_files import sync_directory, write_whole_file


def test_a_new_file_is_whole_private_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "station.key"
    (tmp_path / ".station.key.partial").write_bytes(b"left by a crash")

    write_whole_file(target, b"wrapped", mode=0o600, replace=False)

    assert target.read_bytes() == b"wrapped"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["station.key"]


def test_without_replace_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "station.key"
    target.write_bytes(b"the first station's key")

    with pytest.raises(FileExistsError):
        write_whole_file(target, b"another key", mode=0o600, replace=False)

    assert target.read_bytes() == b"the first station's key"
    assert [p.name for p in tmp_path.iterdir()] == ["station.key"]


def test_with_replace_the_new_content_takes_the_name(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")

    write_whole_file(target, b"new")

    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_a_directory_that_cannot_be_synced_is_an_error_only_when_strict(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    sync_directory(missing, strict=False)
    with pytest.raises(OSError):
        sync_directory(missing)
