"""Fieldwork targets through the real app, on SQLite and PostgreSQL: set per campaign,
country and population by a coordinator of that country (others refused, audited), shown on
the fleet page against the processed responses, with the gender split only where no gender
group is below the spec's k."""

from __future__ import annotations

import json
from itertools import cycle
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync_server.ingest.fieldwork import Progress, fieldwork_progress, set_target, targets
from sync_server.releases.waves import wave_bounds
from sync_server.settings import Settings
from sync_server.store.models import ResponseRecord
from tests.sync_server.access.conftest import audit_rows
from tests.sync_server.builders import FakeClock
from tests.sync_server.console.conftest import Visitor
from tests.sync_server.releases.simulated import PRIVATE_SECTOR, Simulation, simulate

Sessions = sessionmaker[Session]
TRADERS, POPULATION = "cips-private-sector", "private_sector"


class Genders(Simulation):
    """Simulated processed responses whose genders come from a given sequence."""

    genders: Any = None

    def answers(self) -> dict[str, Any]:
        return {**super().answers(), "gender": next(self.genders)}


def responses_of(session_factory: Sessions, clock: FakeClock) -> Genders:
    # The traders' spec: the world's stand-in holds the officials' id.
    base = simulate(session_factory, clock, spec_file=PRIVATE_SECTOR)
    return Genders(base.session_factory, base.spec, base.rng)


def add(simulation: Genders, country: str, genders: list[int]) -> None:
    simulation.genders = cycle(genders)
    simulation.add(country, len(genders))


def stored_genders(session_factory: Sessions, country: str) -> dict[str, int]:
    """Independent of the service: each stored answers document read in Python."""
    found: dict[str, int] = {}
    with session_factory() as session:
        for document in session.scalars(
            select(ResponseRecord.answers).where(ResponseRecord.country == country)
        ):
            code = str(json.loads(document)["gender"])
            found[code] = found.get(code, 0) + 1
    return found


def aim(session_factory: Sessions, clock: FakeClock, country: str, wave: str, n: int) -> bool:
    return set_target(
        session_factory, spec_id=TRADERS, wave=wave, country=country, population=POPULATION,
        target=n, set_by="cole", clock=clock,
    )  # fmt: skip


def progress_of(session_factory: Sessions) -> list[Progress]:
    return fieldwork_progress(session_factory, targets(session_factory), wave_dates=wave_bounds)


def test_progress_counts_processed_responses_and_withholds_small_groups(
    settings: Settings, session_factory: Sessions, clock: FakeClock
) -> None:
    simulation = responses_of(session_factory, clock)
    add(simulation, "SL", [1] * 12 + [2] * 7)
    add(simulation, "GH", [1] * 9 + [2] * 2)  # two men: below k = 5
    assert aim(session_factory, clock, "SL", "2026", 100)
    assert aim(session_factory, clock, "GH", "2026", 40)
    assert not aim(session_factory, clock, "GH", "2026", 40)  # nothing changed
    progress = {p.target.country: p for p in progress_of(session_factory)}
    sl, gh = progress["SL"], progress["GH"]
    assert (sl.received, sl.percent, sl.k) == (19, 19, 5)
    assert dict(sl.by_gender or []) == stored_genders(session_factory, "SL") == {"1": 12, "2": 7}
    assert sl.gender_labels["1"]["en"] == "Female"
    assert (gh.received, gh.by_gender) == (11, None)
    # Another wave has nothing in yet; a target of 0 removes it.
    aim(session_factory, clock, "SL", "2024", 10)
    older = [p for p in progress_of(session_factory) if p.target.wave == "2024"]
    assert [(p.received, p.by_gender) for p in older] == [(0, [])]
    assert aim(session_factory, clock, "SL", "2024", 0)
    assert len(targets(session_factory)) == 2


def test_coordinators_set_targets_of_their_countries_and_see_them_on_the_fleet_page(
    app: FastAPI, session_factory: Sessions, clock: FakeClock
) -> None:
    simulation = responses_of(session_factory, clock)
    add(simulation, "SL", [1] * 6 + [2] * 6 + [9] * 5)
    add(simulation, "GH", [1] * 20)
    cole, gina = Visitor(app), Visitor(app)
    cole.sign_in("cole")
    gina.sign_in("gina")
    form = {"spec": "cips-private-sector", "wave": "2026", "country": "SL",
            "population": "private_sector", "target": "34"}  # fmt: skip
    assert cole.get("/console/targets").status_code == 200
    assert gina.post("/console/targets", {**form, "csrf": gina.csrf()}).status_code == 403
    assert cole.post("/console/targets", form).status_code == 403  # no CSRF token
    for bad in ({"wave": "26"}, {"target": "-3"}, {"population": "pilots"}, {"spec": "x"}):
        assert (
            cole.post("/console/targets", {**form, **bad, "csrf": cole.csrf()}).status_code == 422
        )
    assert cole.post("/console/targets", {**form, "csrf": cole.csrf()}).status_code == 303
    gina.post("/console/targets", {**form, "country": "GH", "target": "20", "csrf": gina.csrf()})

    page = cole.get("/console/fleet").text
    row = page[page.index(f'id="target-{TRADERS}-2026-SL-{POPULATION}"') :].split("</tr>")[0]
    assert 'data-received="17"' in row and 'data-target="34"' in row and "50" in row
    assert 'data-split="1:6,2:6,9:5"' in row and "Female 6" in row
    assert "target-cips-private-sector-2026-GH" not in page  # another country's
    assert 'data-split="withheld"' not in page
    ghana = gina.get("/console/fleet").text
    assert 'data-split="1:20"' in ghana and "target-cips-private-sector-2026-SL" not in ghana

    rows = audit_rows(session_factory)
    assert [(r[0], r[2]) for r in rows if r[1] == "target"] == [("cole", "ok"), ("gina", "ok")]
    assert [(r[0], r[2]) for r in rows if r[1] == "page"] == [("gina", "denied"),
                                                              ("cole", "refused")]  # fmt: skip
