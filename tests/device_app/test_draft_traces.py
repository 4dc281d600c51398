"""A finished or interrupted response leaves no readable trace: every page of the station's
database and of its WAL, decrypted with the coordinator's passphrase, free pages included.

The pages are decrypted here by hand from SQLCipher 4's page format (AES-256-CBC with the
raw database key, a 16-byte IV and a 64-byte HMAC reserved at the end of each page, the
file salt in front of page 1), not through SQLCipher, so a page SQL cannot reach (a freed
page, an old WAL frame) is read too. A positive control proves the decryption works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from device_app.station import Station
from device_app.store.keyfile import KEY_FILE_NAME, read_key
from tests.contract.world import PASSPHRASE, World, make_world

PAGE = 4096
RESERVE = 16 + 64  # IV, HMAC-SHA512
WAL_HEADER, FRAME_HEADER = 32, 24
CANARY = "Quokka-5531-ledger"


def decrypt_page(key: bytes, page: bytes, *, first: bool) -> bytes:
    start = 16 if first else 0
    body, iv = page[start : PAGE - RESERVE], page[PAGE - RESERVE : PAGE - 64]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def readable_pages(folder: Path, key: bytes) -> list[bytes]:
    pages = []
    database = (folder / "station.db").read_bytes()
    for number, offset in enumerate(range(0, len(database) - PAGE + 1, PAGE)):
        pages.append(decrypt_page(key, database[offset : offset + PAGE], first=number == 0))
    wal = folder / "station.db-wal"
    if wal.exists():
        data = wal.read_bytes()
        offset = WAL_HEADER
        while offset + FRAME_HEADER + PAGE <= len(data):
            page_number = int.from_bytes(data[offset : offset + 4], "big")
            frame = data[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE]
            pages.append(decrypt_page(key, frame, first=page_number == 1))
            offset += FRAME_HEADER + PAGE
    return pages


def copy_of(folder: Path, to: Path) -> Path:
    to.mkdir()
    for name in ("station.db", "station.db-wal", KEY_FILE_NAME):
        if (folder / name).exists():
            shutil.copy2(folder / name, to / name)
    return to


def answer_with(station: Station, session, comment: str):  # noqa: ANN001, ANN201
    fixed = {"consent": 1, "lead_example": 4, "offered_payment": 2, "years": 7}
    while (question := session.current) is not None:
        if question.id == "comment":
            session.answer(comment)
            station.save_draft(session)  # the kiosk saves as the respondent types
        elif question.id in fixed:
            session.answer(fixed[question.id])
        session.next()
    return session


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def test_no_page_holds_a_finished_or_interrupted_respondents_words(
    world: World, tmp_path: Path
) -> None:
    station = world.station()
    folder = world.root / "station"
    key = read_key(folder / KEY_FILE_NAME, PASSPHRASE)

    finished = answer_with(station, station.new_session("officials", "en"), f"{CANARY} one")
    station.save_draft(finished)
    station.finish(finished)
    interrupted = station.new_session("officials", "en")
    answer_with(station, interrupted, f"{CANARY} two")  # typed, saved, never finished

    copies = {"while running": copy_of(folder, tmp_path / "running")}
    station.close()  # as a kill or power cut would leave it, the draft still stored
    copies["after close"] = copy_of(folder, tmp_path / "closed")

    for when, copy in copies.items():
        pages = readable_pages(copy, key)
        joined = b"".join(pages)
        # positive control: the decryption reads the store's plain content (a spec id)
        assert b"test-officials" in joined, when
        assert CANARY.encode() not in joined, f"{when}: a respondent's words are readable"
