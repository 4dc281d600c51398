"""Releasing from quarantine on the console, through the real app: the coordinator of the
station's country sends a processor-quarantined envelope back to the queue; another
country's coordinator, a forged form and an unknown name are refused and audited; an intake
conflict that still conflicts stays, said so."""

from __future__ import annotations

import base64

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from crypto import generate_survey_key
from sync_server.ingest.batches import accept_batch
from sync_server.ingest.fleet import quarantine_entries
from sync_server.processor import process_inbox
from sync_server.store.models import InboxEnvelope
from tests.sync_server.access.conftest import audit_rows
from tests.sync_server.builders import FakeClock, World
from tests.sync_server.console.conftest import Visitor

Sessions = sessionmaker[Session]


def test_a_coordinator_releases_a_quarantined_envelope_of_their_country(
    app: FastAPI, world: World, session_factory: Sessions, clock: FakeClock
) -> None:
    chain = world.station
    chain.key_id = "xxxxxxxxxxxxxxxx"  # a survey key this server never made: set aside
    (held,) = chain.envelopes(1)
    accept_batch(session_factory, chain.signed_bytes(chain.batch([held])), via="http",
                 clock=clock)  # fmt: skip
    process_inbox(session_factory, generate_survey_key(), clock=clock)
    (entry,) = quarantine_entries(session_factory)
    ref = f"processor:{chain.station_id}/{held.envelope_id}"

    cole, gina = Visitor(app), Visitor(app)
    cole.sign_in("cole")
    gina.sign_in("gina")
    page = cole.get("/console/quarantine")
    assert f'data-ref="{ref}"' in page.text and entry.reason in page.text
    assert held.sealed not in page.text
    assert (
        gina.post("/console/quarantine/release", {"csrf": gina.csrf(), "ref": ref}).status_code
        == 403
    )
    assert cole.post("/console/quarantine/release", {"ref": ref}).status_code == 403
    assert cole.post("/console/quarantine/release",
                     {"csrf": cole.csrf(), "ref": "intake:x"}).status_code == 404  # fmt: skip

    done = cole.post("/console/quarantine/release", {"csrf": cole.csrf(), "ref": ref})
    assert done.status_code == 303
    shown = cole.get(done.headers["location"])
    assert 'id="notice"' in shown.text and f'data-ref="{ref}"' not in shown.text
    with session_factory() as session:
        row = session.get(InboxEnvelope, (chain.station_id, held.envelope_id))
        assert row is not None and (row.state, row.problem_code) == ("pending", None)
    again = cole.post("/console/quarantine/release", {"csrf": cole.csrf(), "ref": ref})
    assert again.status_code == 404

    rows = audit_rows(session_factory)
    released = [(r[0], r[2]) for r in rows if r[1] == "quarantine"]
    assert released == [("cole", "ok")]
    refused = [(r[0], r[2]) for r in rows if r[1] == "page"]
    assert refused == [("gina", "denied"), ("cole", "refused"), ("cole", "not-found"),
                       ("cole", "not-found")]  # fmt: skip


def test_an_intake_conflict_that_still_conflicts_stays_and_says_so(
    app: FastAPI, world: World, session_factory: Sessions, clock: FakeClock
) -> None:
    chain = world.station
    (first,) = chain.envelopes(1)
    accept_batch(session_factory, chain.signed_bytes(chain.batch([first])), via="http",
                 clock=clock)  # fmt: skip
    other = first.model_copy(update={"sealed": base64.b64encode(b"other bytes").decode()})
    accept_batch(session_factory, chain.signed_bytes(chain.batch([other])), via="http",
                 clock=clock)  # fmt: skip
    (entry,) = quarantine_entries(session_factory)
    cole = Visitor(app)
    cole.sign_in("cole")
    answer = cole.post("/console/quarantine/release",
                       {"csrf": cole.csrf(), "ref": f"intake:{entry.quarantine_id}"})  # fmt: skip
    assert answer.status_code == 409 and "envelope-conflict" in answer.text
    assert len(quarantine_entries(session_factory)) == 1
    assert [(r[0], r[2]) for r in audit_rows(session_factory) if r[1] == "quarantine"] == [
        ("cole", "refused")
    ]
