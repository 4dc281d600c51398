"""The Station facade with the real session, store, crypto and server (in-process)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from device_app.errors import PinLocked, UnknownLanguage, UnknownPopulation
from device_app.station import Station
from device_app.store import StationStore
from tests.contract.world import (
    PASSPHRASE,
    PIN,
    SECRET_WORDS,
    World,
    inbox_count,
    make_world,
    open_envelope,
)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def answer_all(station: Station, session, comment: str | None = None):  # noqa: ANN001, ANN201
    """Walk a test-spec session to its end with fixed answers."""
    fixed = {"consent": 1, "lead_example": 4, "offered_payment": 2, "years": 7}
    if comment:
        fixed["comment"] = comment
    while (question := session.current) is not None:
        if question.id in fixed:
            session.answer(fixed[question.id])
        session.next()
    return session


def payload_of(world: World, station: Station, seq: int) -> dict:
    entry = next(e for e in station._store.entries() if e.seq == seq)
    return open_envelope(world, station, entry.envelope)


def test_finish_seals_the_response_and_drops_the_draft(world: World) -> None:
    station = world.station()
    session = station.new_session("officials", "fr")
    session.next()  # past the anonymity note
    session.answer(1)
    station.save_draft(session)
    assert len(station._store.drafts()) == 1
    answer_all(station, session, comment="forms are clear")
    world.now[0] += timedelta(minutes=10, seconds=13.7)

    seq = station.finish(session)

    assert seq == 1
    assert station._store.drafts() == []
    payload = payload_of(world, station, 1)
    assert payload["answers"] == {"consent": 1, "lead_example": 4, "offered_payment": 2,
                                  "years": 7, "comment": "forms are clear"}  # fmt: skip
    assert (payload["completed_on"], payload["duration_s"]) == (
        world.now[0].date().isoformat(),
        613,
    )
    assert (payload["country"], payload["region"], payload["language"]) == \
        ("SL", "Western Area", "fr")  # fmt: skip


def test_a_failing_seal_keeps_the_draft_and_appends_nothing(world: World) -> None:
    world.station().close()

    def broken_seal(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("sealing failed")

    store = StationStore.unlock(world.root / "station", PASSPHRASE)
    station = Station(store, clock=world.clock, seal_with=broken_seal)
    session = answer_all(station, station.new_session("officials", "en"), comment="kept")
    with pytest.raises(RuntimeError, match="sealing failed"):
        station.finish(session)  # no save_draft before: finish keeps the answers itself
    assert station.status().last_seq == 0
    assert len(station._store.drafts()) == 1
    station.close()

    # After a restart no key opens that draft: the respondent was cut off. The kiosk
    # abandons it when it starts, and the status counts it.
    station = world.unlock()
    assert station.status().interrupted_drafts == 1
    assert station.abandon_interrupted_drafts() == 1
    assert station._store.drafts() == []
    assert station.status().interrupted_drafts == 1
    assert station.status().last_seq == 0
    station.close()


def test_abandon_discards_by_default(world: World) -> None:
    station = world.station()
    session = station.new_session("officials", "en")
    session.next()
    session.answer(1)
    station.save_draft(session)
    assert station.abandon(session) is None
    assert station._store.drafts() == [] and station.status().last_seq == 0


def test_abandon_seals_a_partial_response_when_the_spec_says_so(tmp_path: Path) -> None:
    world = make_world(tmp_path, abandon="partial")
    station = world.station()
    session = station.new_session("officials", "en")
    session.next()
    session.answer(1)
    session.next()
    station.save_draft(session)
    seq = station.abandon(session)
    assert seq == 1 and station._store.drafts() == []
    payload = payload_of(world, station, 1)
    assert payload["complete"] is False and payload["answers"] == {"consent": 1}


def test_a_draft_left_by_a_restart_is_abandoned_and_counted(world: World) -> None:
    station = world.station()
    session = station.new_session("officials", "fr")
    session.next()
    session.answer(1)
    session.next()
    station.save_draft(session)
    own = station.new_session("officials", "en")
    station.save_draft(own)
    assert station.status().interrupted_drafts == 0  # this run's drafts are its own
    station.close()

    station = world.unlock()
    in_progress = station.new_session("officials", "en")
    station.save_draft(in_progress)
    assert station.abandon_interrupted_drafts() == 2
    assert len(station._store.drafts()) == 1  # this run's draft is kept
    answer_all(station, in_progress)
    assert station.finish(in_progress) == 1
    assert station._store.drafts() == []
    assert station.status().interrupted_drafts == 2


def test_the_station_files_hold_no_free_text_word(world: World) -> None:
    station = world.station()
    words = " ".join(SECRET_WORDS)
    for _ in range(3):
        session = station.new_session("officials", "en")
        station.save_draft(answer_all(station, session, comment=words))
        station.finish(session)
    in_progress = station.new_session("private_sector", "en")
    fixed = {"consent": 1, "lead_example": 5, "comment": words}
    while (question := in_progress.current).id != "comment":
        if question.id in fixed:
            in_progress.answer(fixed[question.id])
        in_progress.next()
    in_progress.answer(words)
    station.save_draft(in_progress)  # a draft with free text stays inside SQLCipher

    def raw_files() -> dict[str, bytes]:
        folder = world.root / "station"
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    open_files = raw_files()
    assert {"station.db", "station.key"} <= set(open_files)
    station.close()
    for files in (open_files, raw_files()):
        for name, data in files.items():
            assert not data.startswith(b"SQLite format 3"), name
            for word in SECRET_WORDS:
                assert word.encode() not in data, (name, word)


def test_pin_lockout_through_the_station(world: World) -> None:
    station = world.station()
    for _ in range(5):
        assert station.verify_pin("0000") is False
    with pytest.raises(PinLocked) as locked:
        station.verify_pin(PIN)
    assert locked.value.seconds == 30
    station.close()

    station = world.unlock()  # the lock is kept in the store across restarts
    with pytest.raises(PinLocked):
        station.verify_pin(PIN)
    world.now[0] += timedelta(seconds=31)
    assert station.verify_pin("0000") is False
    with pytest.raises(PinLocked) as locked:
        station.verify_pin(PIN)
    assert locked.value.seconds == 60
    world.now[0] += timedelta(seconds=61)
    assert station.verify_pin(PIN) is True
    assert station.verify_pin("0000") is False  # counting starts again from zero
    assert station.verify_pin(PIN) is True


def test_sync_in_a_thread_while_respondents_finish(world: World) -> None:
    station = world.station()
    for _ in range(5):
        station.finish(answer_all(station, station.new_session("officials", "en")))
    errors: list[BaseException] = []

    def background() -> None:
        try:
            for _ in range(3):
                station.sync()
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)

    worker = threading.Thread(target=background)
    worker.start()
    for _ in range(10):
        station.finish(answer_all(station, station.new_session("private_sector", "en")))
    worker.join(timeout=60)
    assert errors == []
    station.sync()
    status = station.status()
    assert (status.last_seq, status.pending, status.acknowledged) == (15, 0, 15)
    assert inbox_count(world) == 15
    assert station.integrity_problems() == []


def test_identity_languages_and_refusals(world: World) -> None:
    station = world.station()
    assert station.languages == ["en", "fr"]
    with pytest.raises(UnknownPopulation):
        station.new_session("tourists", "en")
    with pytest.raises(UnknownLanguage):
        station.new_session("officials", "ar")
    status = station.status()
    assert status.station_id == station.station_id
    assert status.spec_versions == {"test-officials": "1.0.0", "test-private": "1.0.0"}


@pytest.mark.parametrize("year", [1970, 1999, 2300])
def test_a_wrong_tablet_clock_still_seals_the_response(world: World, year: int) -> None:
    """A flat clock battery said 1970 and finishing failed: the response stayed a draft
    for ever. Whatever the clock says, the response is sealed; the processor judges it."""
    from datetime import UTC, datetime

    station = world.station()
    world.now[0] = datetime(year, 1, 1, 9, tzinfo=UTC)
    session = answer_all(station, station.new_session("officials", "en"))
    assert station.finish(session) == 1
    assert payload_of(world, station, 1)["completed_on"] == f"{year}-01-01"
    assert station._store.drafts() == []
    # the coordinator is told, in the menu's first line, in their language
    from device_app.kiosk.status_text import status_lines

    status = station.status()
    if year < 2026:
        assert status.wrong_clock is not None and status.wrong_clock.year == year
        assert f"{year}-01-01" in status_lines(status, "ar")[0]
        assert status_lines(status, "fr")[0].startswith("L'horloge de la tablette")
    else:
        assert status.wrong_clock is None  # a clock ahead is only seen by the server
