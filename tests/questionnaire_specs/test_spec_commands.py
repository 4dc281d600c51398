"""`mss spec …` commands, through typer's runner and once through the installed entry point."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from questionnaire_specs import load_spec
from questionnaire_specs.spec_commands import app
from tests.questionnaire_specs.documents import BASE, FIXTURES

EXAMPLE = FIXTURES / "example.yaml"
FLAT = FIXTURES / "flat.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    document = json.loads(json.dumps(BASE))
    document["questions"][2]["relevant"] = "${nope} = 1"
    del document["questions"][3]["label"]["ar"]
    document["questions"][4]["colour"] = "red"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_validate_ok(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE), str(FLAT)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"ok  {EXAMPLE}: example-integrity 1.2.0, 8 questions",
        f"ok  {FLAT}: flat-demo 0.3.1, 4 questions",
    ]


def test_validate_lists_every_problem_of_every_file(
    runner: CliRunner, broken: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = runner.invoke(app, ["validate", str(EXAMPLE), str(broken), str(empty)])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert any(
        line.startswith(f"{broken}:") and "question trust: relevant: unknown question ${nope}"
        in line for line in errors
    )  # fmt: skip
    assert any("question age: label.ar: missing the 'ar' text" in line for line in errors)
    assert any("question comment: colour: unknown field 'colour'" in line for line in errors)
    assert f"{empty}: is empty, not a questionnaire spec" in errors
    assert errors[-1] == "4 problem(s) in 2 file(s)"
    assert f"ok  {EXAMPLE}" in result.stdout
    assert "Traceback" not in result.output


def test_validate_json(runner: CliRunner, broken: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(EXAMPLE), str(broken)])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    good, bad = document["files"]
    assert good["valid"] and good["sha256"] == load_spec(EXAMPLE).identity.sha256
    assert not bad["valid"]
    assert {(p["question_id"], p["field"]) for p in bad["problems"]} == {
        ("trust", "relevant"),
        ("age", "label.ar"),
        ("comment", "colour"),
    }
    assert all(p["file"] == str(broken) and p["line"] for p in bad["problems"])


def test_hash_and_export_agree(runner: CliRunner) -> None:
    hashed = runner.invoke(app, ["hash", str(EXAMPLE)])
    assert hashed.exit_code == 0
    sha, name, version = hashed.stdout.split()
    assert (name, version) == ("example-integrity", "1.2.0")
    assert hashed.stdout == f"{sha}  example-integrity 1.2.0\n"
    exported = runner.invoke(app, ["export", str(EXAMPLE), "--format", "json"])
    assert exported.exit_code == 0
    assert hashlib.sha256(exported.stdout_bytes).hexdigest() == sha
    assert json.loads(exported.stdout)["id"] == "example-integrity"
    as_json = json.loads(runner.invoke(app, ["hash", "--json", str(EXAMPLE)]).stdout)
    assert as_json == {"file": str(EXAMPLE), "id": "example-integrity", "version": "1.2.0",
                       "sha256": sha}  # fmt: skip


def test_export_refuses_an_unknown_format(runner: CliRunner) -> None:
    result = runner.invoke(app, ["export", str(EXAMPLE), "--format", "xml"])
    assert result.exit_code == 1 and "unknown format 'xml'" in result.stderr


def test_hash_of_a_broken_spec_fails_cleanly(runner: CliRunner, broken: Path) -> None:
    result = runner.invoke(app, ["hash", str(broken)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 3
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_show_in_french_with_skip_logic(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", str(EXAMPLE), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Enquête sur l'intégrité" in out
    assert "== main ==  asked if: Q consent = 1 (Oui)" in out
    assert "asked if: Q offered_payment = 1 (Oui)" in out
    assert "must hold: (number chosen in this answer) <= 2 — “Choisissez-en deux au plus.”" in out
    assert "key factor 1: Leadership et engagement" in out
    assert "     9  Aucune  (exclusive)" in out
    assert "     8  Je ne sais pas  (non-substantive)" in out
    assert "generalised as age_2: 1 Moins de 35 ans = {1}; 2 35 ans ou plus = {2, 3}" in out
    assert "\x1b[" not in out  # plain text when not on a terminal


def test_show_arabic_and_population(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", str(FLAT), "--lang", "ar", "--population", "traders"])
    assert result.exit_code == 0, result.output
    assert "right to left" in result.stdout and "population traders (التجار)" in result.stdout
    assert ". grade ·" not in result.stdout  # officials only
    assert "asked if: Q tools includes 'b' (ماسح) and Q grade >= 2" in result.stdout
    assert "asked if: Q role = 'manager' (مدير)" in result.stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--lang", "de"], "unknown language 'de' (the spec has en, fr, ar)"),
        (["--population", "pilots"], "unknown population 'pilots' (the spec has officials)"),
    ],
)
def test_show_refuses_unknown_language_or_population(
    runner: CliRunner, option: list[str], message: str
) -> None:
    result = runner.invoke(app, ["show", str(EXAMPLE), *option])
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""


def test_installed_entry_point(broken: Path) -> None:
    mss = Path(sys.executable).with_name("mss")
    ok = subprocess.run([mss, "spec", "validate", EXAMPLE], capture_output=True, text=True)
    assert ok.returncode == 0 and "example-integrity 1.2.0" in ok.stdout
    bad = subprocess.run([mss, "spec", "validate", broken], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "unknown question ${nope}" in bad.stderr and "Traceback" not in bad.stderr


def test_show_marks_where_a_text_shows_an_earlier_answer(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", str(FIXTURES / "piping.yaml"), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Vous travaillez à [Q post], depuis [Q years] ans." in out
    assert "help: Noté : [Q post_name]." in out
    assert "“Au plus 20 caractères sur [Q post].”" in out
