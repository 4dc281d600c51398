"""Importing a USB folder's files by upload, through the real app: the same checks and
counts as `mss server import` (ingest.usb_import), twice the same files counting
duplicates, a file altered on the stick refused by the manifest, size bounds, CSRF and
roles at the door."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from miniatures.station_chain import StationChain
from protocol import UsbManifest
from protocol.usb_manifest import ManifestFile, batch_file_name
from sync_server.console.import_pages import MAX_UPLOAD_FILES
from sync_server.ingest.usb_import import import_files, import_folder
from sync_server.store.models import InboxEnvelope
from tests.sync_server.access.conftest import audit_rows
from tests.sync_server.builders import World
from tests.sync_server.console.conftest import Visitor, csrf_of

Sessions = sessionmaker[Session]


def usb_export(chain: StationChain, sizes: list[int]) -> list[tuple[str, bytes]]:
    """What `mss station export-usb` leaves on a stick: one file per batch, a manifest."""
    files: list[tuple[str, bytes]] = []
    manifest = UsbManifest(files=[])
    for size in sizes:
        batch = chain.batch(chain.envelopes(size))
        data = chain.signed_bytes(batch)
        name = batch_file_name(chain.station_id, batch.batch_seq)
        files.append((name, data))
        manifest = manifest.with_file(
            ManifestFile(
                file=name, sha256=hashlib.sha256(data).hexdigest(), batch_id=batch.batch_id,
                batch_seq=batch.batch_seq, envelopes=size, station_id=chain.station_id,
            )
        )  # fmt: skip
    return [("manifest.json", manifest.to_json()), *files]


def upload(visitor: Visitor, files: list[tuple[str, bytes]], csrf: str) -> httpx.Response:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return visitor.client.post("/console/import", data={"csrf": csrf}, files=parts)


def counts(page: httpx.Response) -> dict[str, int]:
    marker = page.text.split('id="import-counts"')[1].split(">")[0]
    return {
        key: int(marker.split(f'data-{key}="')[1].split('"')[0])
        for key in ("files", "accepted", "duplicate", "conflict", "refused", "missing")
    }


def inbox_count(session_factory: Sessions) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEnvelope)) or 0


def test_uploaded_files_are_imported_once_and_again_count_as_duplicates(
    app: FastAPI, world: World, session_factory: Sessions
) -> None:
    files = usb_export(world.station, [3, 2])
    cole = Visitor(app)
    cole.sign_in("cole")
    form = cole.get("/console/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text

    first = upload(cole, files, csrf_of(form))
    assert first.status_code == 200
    assert counts(first) == {"files": 2, "accepted": 5, "duplicate": 0, "conflict": 0,
                             "refused": 0, "missing": 0}  # fmt: skip
    assert "2 files: 5 new envelopes, 0 already here, 0 conflicts" in first.text
    again = upload(cole, files, csrf_of(first))
    assert counts(again) == {"files": 2, "accepted": 0, "duplicate": 5, "conflict": 0,
                             "refused": 0, "missing": 0}  # fmt: skip
    assert inbox_count(session_factory) == 5
    imports = [row for row in audit_rows(session_factory) if row[1] == "import"]
    assert [(row[0], row[2]) for row in imports] == [("cole", "ok"), ("cole", "ok")]
    assert "5 new envelopes" in imports[0][4] and "5 already here" in imports[1][4]


def test_an_altered_file_is_refused_and_a_missing_one_named(
    app: FastAPI, world: World, session_factory: Sessions
) -> None:
    manifest, first, second = usb_export(world.station, [2, 2])
    altered = (first[0], first[1][:-1] + bytes([first[1][-1] ^ 1]))
    cole = Visitor(app)
    cole.sign_in("cole")
    # A path in the name is dropped: the browser's folder upload sends "folder/name".
    page = upload(cole, [manifest, (f"stick/{altered[0]}", altered[1]), ("notes.txt", b"x")],
                  cole.csrf())  # fmt: skip
    assert counts(page) == {"files": 1, "accepted": 0, "duplicate": 0, "conflict": 0,
                            "refused": 1, "missing": 1}  # fmt: skip
    assert "the file was altered" in page.text and second[0] in page.text
    assert "notes.txt" in page.text
    assert inbox_count(session_factory) == 0
    (entry,) = [row for row in audit_rows(session_factory) if row[1] == "import"]
    assert entry[2] == "refused" and "1 refused, 1 missing" in entry[4]

    bad = upload(cole, [("manifest.json", b"not json"), second], cole.csrf())
    assert bad.status_code == 422 and "not a readable MSS manifest" in bad.text
    twice = upload(cole, [second, (f"copy/{second[0]}", second[1])], cole.csrf())
    assert twice.status_code == 422 and inbox_count(session_factory) == 0


def test_the_door_csrf_roles_and_size_bounds(
    app: FastAPI, world: World, session_factory: Sessions
) -> None:
    files = usb_export(world.station, [1])
    ana, cole = Visitor(app), Visitor(app)
    ana.sign_in("ana")
    cole.sign_in("cole")
    assert ana.get("/console/import").status_code == 403
    assert upload(ana, files, ana.csrf()).status_code == 403
    assert upload(cole, files, "0" * 64).status_code == 403
    assert cole.client.post("/console/import", data={"csrf": cole.csrf()}).status_code == 403
    many = [(f"f{i}.mssb", b"x") for i in range(MAX_UPLOAD_FILES + 1)]
    too_many = upload(cole, many, cole.csrf())
    assert too_many.status_code == 413 and "several parts" in too_many.text
    assert inbox_count(session_factory) == 0
    refusals = [(row[0], row[2]) for row in audit_rows(session_factory) if row[1] == "page"]
    assert refusals == [("ana", "denied"), ("ana", "denied"), ("cole", "refused"),
                        ("cole", "refused"), ("cole", "invalid")]  # fmt: skip


def test_the_folder_import_and_the_upload_count_alike(
    world: World, session_factory: Sessions, tmp_path: Path
) -> None:
    """`mss server import` (import_folder) and the console (import_files): one import."""
    files = usb_export(world.station, [2, 3])
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    first = import_folder(session_factory, tmp_path, clock=world.clock)
    again = import_files(session_factory, files, clock=world.clock)
    assert (first.total("accepted"), first.total("duplicate")) == (5, 0)
    assert (again.total("accepted"), again.total("duplicate")) == (0, 5)
    assert import_folder(session_factory, tmp_path, clock=world.clock).total("duplicate") == 5
    assert inbox_count(session_factory) == 5
