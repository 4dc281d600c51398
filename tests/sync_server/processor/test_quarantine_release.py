"""Releasing from quarantine (ingest.quarantine_release) on a real store, SQLite and
PostgreSQL: a processor-quarantined envelope goes back to the queue and is loaded once its
cause is fixed, exactly once; an intake conflict enters the inbox only when intake's own
sorting no longer finds it conflicting."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from crypto import generate_survey_key
from mss.cli import app
from protocol import Problem
from sync_server.ingest.fleet import quarantine_entries
from sync_server.ingest.quarantine_release import (
    QuarantineRef,
    quarantined_country,
    release_quarantined,
)
from sync_server.ingest.specs import known_spec_identities, register_survey_key
from sync_server.processor import process_inbox
from sync_server.store import make_engine, make_session_factory
from sync_server.store.models import InboxEnvelope, ResponseRecord, Station
from tests.sync_server.access.conftest import audit_rows
from tests.sync_server.builders import World
from tests.sync_server.processor.test_process import (
    GOOD_ANSWERS,
    deliver,
    response,
    sealed_envelope,
)

KEY = "a survey key passphrase"


def responses(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(ResponseRecord)) or 0


def test_a_released_envelope_is_processed_once_its_cause_is_fixed(setup, survey_key, clock):
    world, chain = setup
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec),
                                           survey_key.public_key())])  # fmt: skip
    # The processor was started with the wrong key (another wave's): left pending for the
    # key it names, not quarantined, not lost.
    wrong = process_inbox(world.session_factory, generate_survey_key(), clock=clock)
    assert (wrong.processed, wrong.quarantined) == (0, 0)
    assert wrong.left_for_keys == {survey_key.public_key().key_id(): 1}
    # Sealed to a key the server does not know yet (the next wave's, not registered): set
    # aside until it is.
    later = generate_survey_key()
    deliver(world, chain, [sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec),
                                           later.public_key())])  # fmt: skip
    unknown = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (unknown.processed, unknown.reasons) == (1, {"unknown-survey-key": 1})
    (entry,) = quarantine_entries(world.session_factory)
    ref = QuarantineRef.of(entry)
    assert QuarantineRef.from_text(ref.to_text()) == ref
    assert quarantined_country(world.session_factory, ref) == "SL"

    register_survey_key(world.session_factory, "SL", later.public_key().to_text(), clock=clock)
    released = release_quarantined(world.session_factory, ref, clock=clock)
    assert (released.reason, released.country) == ("unknown-survey-key", "SL")
    assert quarantine_entries(world.session_factory) == []
    with pytest.raises(Problem) as again:
        release_quarantined(world.session_factory, ref, clock=clock)  # not held any more
    assert again.value.code == "not-found"

    right = process_inbox(world.session_factory, later, clock=clock)
    assert (right.processed, right.quarantined) == (1, 0)
    assert process_inbox(world.session_factory, later, clock=clock).processed == 0
    assert responses(world.session_factory) == 2
    assert quarantined_country(world.session_factory, ref) is None


def test_an_intake_conflict_is_released_only_when_it_no_longer_conflicts(setup, survey_key, clock):
    world, chain = setup
    public = survey_key.public_key()
    first = sealed_envelope(chain, response(GOOD_ANSWERS, chain.spec), public)
    deliver(world, chain, [first])
    # A second tablet restored from the first one's backup seals another response as seq 1.
    chain.last_seq, chain.last_hash = 0, first.prev
    rival = sealed_envelope(chain, response({**GOOD_ANSWERS, "years": 3}, chain.spec), public)
    deliver(world, chain, [rival])
    (entry,) = quarantine_entries(world.session_factory)
    assert (entry.where, entry.reason) == ("intake", "sequence-conflict")
    ref = QuarantineRef.of(entry)

    with pytest.raises(Problem) as still:
        release_quarantined(world.session_factory, ref, clock=clock)
    assert still.value.code == "sequence-conflict"
    assert len(quarantine_entries(world.session_factory)) == 1

    # The operator has removed the first envelope, never processed (a repair by hand).
    with world.session_factory.begin() as session:
        session.execute(delete(InboxEnvelope).where(InboxEnvelope.envelope_id == first.envelope_id))
    released = release_quarantined(world.session_factory, ref, clock=clock)
    assert released.envelope_id == rival.envelope_id
    assert quarantine_entries(world.session_factory) == []
    with world.session_factory() as session:
        held = session.get(InboxEnvelope, (chain.station_id, rival.envelope_id))
        assert held is not None and held.state == "pending"
        assert held.sealed == base64.b64decode(rival.sealed)
        assert session.get(Station, chain.station_id).envelopes_received == 2
    report = process_inbox(world.session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (1, 0)
    assert responses(world.session_factory) == 1


def test_a_name_that_is_not_a_quarantine_entry_is_refused(setup, clock):
    world, _chain = setup
    for text in ("", "intake:", "intake:x", "processor:st_a", "elsewhere:1"):
        with pytest.raises(Problem) as refused:
            QuarantineRef.from_text(text)
        assert refused.value.code == "invalid-request"
    with pytest.raises(Problem) as missing:
        release_quarantined(world.session_factory, QuarantineRef.from_text("intake:99"),
                            clock=clock)  # fmt: skip
    assert missing.value.code == "not-found"


def test_the_command_line_lists_and_releases_audited(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("MSS_KEY_PASSPHRASE", KEY)
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    runner, data = CliRunner(), tmp_path / "server"
    assert runner.invoke(app, ["server", "init", "--data-dir", str(data)]).exit_code == 0
    engine = make_engine(f"sqlite:///{data / 'central.db'}")
    sessions = make_session_factory(engine)
    # What `init` registered, and a station enrolled the usual way.
    identity = next(i for i in known_spec_identities(sessions) if i.id == "cips-officials")
    sl_key = generate_survey_key()
    register_survey_key(sessions, "SL", sl_key.public_key().to_text(), clock=clock)
    world = World(sessions, clock, identity, "")
    chain = world.enrol()
    deliver(world, chain, chain.envelopes(2))  # bytes SL's key does not open
    process_inbox(sessions, sl_key, clock=clock)
    engine.dispose()

    listed = runner.invoke(app, ["server", "quarantine", "list", "--data-dir", str(data), "--json"])
    assert listed.exit_code == 0, listed.output
    entries = json.loads(listed.output)["entries"]
    assert len(entries) == 2 and "sealed" not in listed.output
    ref = entries[0]["ref"]
    assert ref.startswith(f"processor:{chain.station_id}/")
    released = runner.invoke(app, ["server", "quarantine", "release", "--data-dir", str(data), ref])
    assert released.exit_code == 0 and "queued for the processor" in released.output
    again = runner.invoke(app, ["server", "quarantine", "release", "--data-dir", str(data), ref])
    assert again.exit_code == 1 and "not released" in again.output
    engine = make_engine(f"sqlite:///{data / 'central.db'}")
    rows = audit_rows(make_session_factory(engine))
    engine.dispose()
    assert [(r[0], r[2]) for r in rows if r[1] == "quarantine"] == [
        (None, "ok"),
        (None, "not-found"),
    ]
