"""An imported XLSForm deployed end to end, through the real commands and a real uvicorn server.

`mss spec import-xlsform` → `spec validate` → `server init --spec` → `enroll-token
--population all` → `station provision` → scripted respondents → `sync` → `server process`
→ `server release`. The form uses every type MSS imports (a rank, a calculation, a date, a
range and a cascading select among them), names XLSForm allows and a spec id does not,
`or_other`, a conditional required, and its own `country` question (which the release adds too).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import yaml

from mss.demo import Demo

COLUMNS = ["required", "default", "read_only", "parameters", "calculation", "choice_filter"]
SURVEY = [
    ["type", "name", "label::English", "label::Français", "hint::English", *COLUMNS],
    ["note", "welcome", "Welcome", "Bienvenue", None, None],
    ["select_one countries", "country", "Your country?", "Votre pays ?", None, "yes"],
    ["select_one ports", "port", "Your port?", "Votre port ?", None, "yes",
     None, None, None, None, "country=${country}"],
    ["begin_group", "work", "Work", "Travail", None, None],
    ["select_one yn or_other", "paid-before", "Ever asked to pay?", "Déjà payé ?", None, "yes"],
    ["select_multiple stages", "stages", "Where?", "Où ?", "Pick any", None],
    ["rank stages", "slowest", "Slowest first", "Le plus lent d'abord", None, "yes"],
    ["calculate", "stage_count", None, None, None, None,
     None, None, None, "count-selected(${stages})"],
    ["integer", "âge", "Age", "Âge", "In years", "${paid-before} = 1"],  # a conditional required
    ["decimal", "hours", "Hours a day", "Heures par jour", None, None, "7.5"],
    ["select_one yn", "surveyed", "Surveyed before", "Déjà interrogé", None, None, "2", "yes"],
    ["date", "joined", "Joined when?", "Entré quand ?", None, None],
    ["range", "trust", "Trust, 0 to 10", "Confiance, 0 à 10", None, None,
     None, None, "start=0 end=10 step=1"],
    ["text", "comment", "Anything else?", "Autre chose ?", None, None],
    ["end_group", None, None, None, None, None],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English", "label::Français", "country"],
    ["countries", "sl", "Sierra Leone", "Sierra Leone", None],
    ["countries", "gh", "Ghana", "Ghana", None],
    ["ports", "freetown", "Freetown", "Freetown", "sl"],
    ["ports", "tema", "Tema", "Tema", "gh"],
    ["ports", "takoradi", "Takoradi", "Takoradi", "gh"],
    ["yn", 1, "Yes", "Oui", None],
    ["yn", 2, "No", "Non", None],
    ["stages", "declaration", "Declaration", "Déclaration", None],
    ["stages", "release", "Release", "Mainlevée", None],
]  # fmt: skip


def write_form(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = "survey"
    for row in SURVEY:
        workbook.active.append(row)
    for title, rows in (
        ("choices", CHOICES),
        ("settings", [["form_id", "version", "form_title"], ["ngo_customs", "2", "Customs"]]),
    ):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_an_imported_form_is_deployed_answered_and_released(tmp_path: Path) -> None:
    demo = Demo(tmp_path / "work", responses=12, seed=7)
    demo.work.mkdir(parents=True)
    spec_path = demo.work / "ngo_customs.yaml"
    demo.mss(
        "spec", "import-xlsform", str(write_form(demo.work / "form.xlsx")), "-o", str(spec_path)
    )
    document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["populations"]] == ["all"]
    (age,) = [q for s in document["sections"] for q in s["questions"] if q["id"] == "age"]
    assert age["required_when"] == "${paid_before} = 1"  # the spec id of paid-before
    demo.mss("spec", "validate", str(spec_path))
    demo.mss("server", "init", "--data-dir", str(demo.data_dir), "--spec", str(spec_path))
    server = subprocess.Popen(
        [sys.executable, "-m", "mss", "server", "serve", "--data-dir", str(demo.data_dir),
         "--host", "127.0.0.1", "--port", str(demo.port)],
        env=demo.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        demo.wait_for_health(server)
        bundle = demo.work / "bundle.json"
        demo.mss("server", "enroll-token", "--data-dir", str(demo.data_dir), "--country", "SL",
                 "--region", "Western Area", "--server-url", demo.url, "--population", "all",
                 "--out", str(bundle))  # fmt: skip
        demo.mss("station", "provision", "--station-dir", str(demo.station_dir),
                 "--bundle", str(bundle))  # fmt: skip
        demo.mss("station", "simulate", "--station-dir", str(demo.station_dir),
                 "--responses", "12", "--seed", "7")  # fmt: skip
        demo.mss("station", "sync", "--station-dir", str(demo.station_dir))
    finally:
        server.terminate()
        server.wait(timeout=10)
    demo.mss("server", "process", "--data-dir", str(demo.data_dir))
    totals = demo.mss_json("server", "status", "--data-dir", str(demo.data_dir))["totals"]
    assert (totals.get("processed"), totals.get("quarantined", 0)) == (12, 0)
    demo.mss("server", "user", "add", "--data-dir", str(demo.data_dir), "admin",
             "--role", "administrator")  # fmt: skip
    release_dir = demo.work / "release"
    demo.mss("server", "release", "--data-dir", str(demo.data_dir), "--user", "admin",
             "--scope", "national", "--country", "SL", "--spec", "ngo_customs",
             "--format", "csv", "--out", str(release_dir))  # fmt: skip
    (data,) = [p for p in release_dir.iterdir() if p.suffix == ".csv"]
    with data.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert {row["country"] for row in rows} == {"SL"}  # the station's, beside the answer
    assert {"q_country", "paid_before", "paid_before_other", "age", "hours"} <= set(rows[0])
    # the ranking: one column per stage, its position
    # a read_only question: shown, never sent, worked out by the processor for every response
    assert {row["surveyed"] for row in rows} == {"2"}
    ranks = [(row["slowest_declaration"], row["slowest_release"]) for row in rows]
    assert set(ranks) <= {("1", "2"), ("2", "1")} and len(set(ranks)) == 2
    # the cascade: each port is one of the chosen country's
    ports = {"sl": {"freetown"}, "gh": {"tema", "takoradi"}}
    assert all(row["port"] in ports[row["q_country"]] for row in rows)
    assert {row["q_country"] for row in rows} == {"sl", "gh"}
    # the calculation, worked out again by the processor and released as a whole number
    for row in rows:
        chosen = sum(row[f"stages_{stage}"] == "1" for stage in ("declaration", "release"))
        assert row["stage_count"] == str(chosen)
    # the date at the spec's precision (a month, never the day); the range a whole number
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{2}", row["joined"]) for row in rows if row["joined"])
    assert any(row["joined"] for row in rows)
    assert all(0 <= int(row["trust"]) <= 10 for row in rows if row["trust"])
    # the conditional required: an age from everyone asked to pay before
    assert all(row["age"] for row in rows if row["paid_before"] == "1")
    assert any(row["paid_before"] == "1" for row in rows)
