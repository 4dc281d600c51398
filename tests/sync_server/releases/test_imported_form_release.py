"""A release of an imported XLSForm that asks its own `country` (as a KoBo form did).

The release adds `country`, `region`, `language`… beside the answers. The import renames a
question of such a name (`q_country`, its original name kept), so the form's own question
is released as an answer and the release's `country` stays the station's.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from questionnaire_specs import canonical_json, check_spec_document
from questionnaire_specs.xlsform import import_xlsform
from questionnaire_specs.xlsform_mapping import RELEASE_COLUMNS
from sync_server.anonymise.identifiers import RESPONDENT_ID
from sync_server.ingest import register_spec
from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.releases.frame import BASE_NAMES
from tests.sync_server.releases.simulated import Simulation

SEED = bytes.fromhex("5a" * 32)

SURVEY = [
    ["type", "name", "label", "required"],
    ["select_one countries", "country", "Which country do you work in?", "yes"],
    ["select_one yn", "language", "Do you speak a second language?", None],
    ["integer", "years", "Years of service", None],
]
CHOICES = [
    ["list_name", "name", "label"],
    ["countries", "sierra-leone", "Sierra Leone"],
    ["countries", "ghana", "Ghana"],
    ["yn", "yes", "Yes"],
    ["yn", "no", "No"],
]


def imported_spec(tmp_path: Path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "survey"
    for row in SURVEY:
        workbook.active.append(row)
    choices = workbook.create_sheet("choices")
    for row in CHOICES:
        choices.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["kobo_customs", "3"])
    workbook.save(tmp_path / "kobo.xlsx")
    return check_spec_document(import_xlsform(tmp_path / "kobo.xlsx").document, "kobo.xlsx")


class Imported(Simulation):
    def answers(self) -> dict[str, Any]:
        return {
            "q_country": self.rng.choice([1, 2]),
            "q_language": self.rng.choice(["yes", "no"]),
            "years": self.rng.randint(0, 30),
        }


def test_the_import_never_takes_a_name_the_release_adds() -> None:
    # The release's own columns, read from the release code, are all reserved by the import.
    assert {*BASE_NAMES, RESPONDENT_ID, "wave"} <= RELEASE_COLUMNS


def test_an_imported_form_with_its_own_country_question_releases(
    session_factory, clock, tmp_path: Path
) -> None:
    spec = imported_spec(tmp_path)
    country = spec.question("q_country")
    assert country.name == "country"
    assert [(o.code, o.name) for o in spec.options_for(country)] == [
        (1, "sierra-leone"),
        (2, "ghana"),
    ]
    register_spec(session_factory, canonical_json(spec), clock=clock)
    simulation = Imported(session_factory, spec, random.Random(3))
    simulation.add("SL", 60, days=(date(2026, 3, 1), date(2026, 9, 30)))

    order = ReleaseOrder(
        scope="national",
        country="SL",
        spec_id=spec.id,
        wave=None,
        fmt="csv",
        lang="en",
        out_dir=tmp_path / "out",
    )
    built = build_release(session_factory, order, release_seed=SEED, cache_dir=tmp_path / "treated")
    assert built.rows == 60
    (csv,) = [path for path in built.files if path.suffix == ".csv"]
    frame = pd.read_csv(csv)
    assert set(frame["country"]) == {"SL"}  # the station's country, not the answer
    assert set(frame["q_country"].dropna()) <= {1, 2}
    assert frame["q_country"].notna().all()
    assert {"q_language", "years", "language"} <= set(frame.columns)
    # The codebook keeps each renumbered option's own name, as the form spelt it.
    (codebook,) = [path for path in built.files if path.name == "codebook.json"]
    variables = {v["name"]: v for v in json.loads(codebook.read_text())["variables"]}
    assert [(c["code"], c["name"]) for c in variables["q_country"]["codes"]] == [
        (1, "sierra-leone"),
        (2, "ghana"),
    ]
    assert all("name" not in c for c in variables["q_language"]["codes"])
