"""A report made from a real release (simulated store → anonymiser → release files), its
figures recomputed from the release's own Parquet file with plain pandas."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.reports.build import ReportRefused, build_report
from sync_server.store.models import ResponseRecord
from tests.sync_server.releases.simulated import PRIVATE_SECTOR, simulate
from tests.sync_server.reports.test_figures import assert_mean, plain_scores

SEED = bytes.fromhex("5a" * 32)


def test_a_national_report_from_its_release(session_factory, clock, tmp_path: Path) -> None:
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 160)
    with session_factory.begin() as session:  # the processor's flags, as it would set them
        ids = session.scalars(select(ResponseRecord.response_id).limit(9)).all()
        session.execute(
            update(ResponseRecord).where(ResponseRecord.response_id.in_(ids[:6]))
            .values(careless="speeder")
        )  # fmt: skip
        session.execute(
            update(ResponseRecord).where(ResponseRecord.response_id.in_(ids[6:]))
            .values(careless="straight_liner speeder")
        )  # fmt: skip
    release_dir = tmp_path / "release"
    build_release(
        session_factory,
        ReleaseOrder("national", "SL", "cips-officials", None, "parquet", "en", release_dir),
        release_seed=SEED,
        cache_dir=tmp_path / "cache",
    )
    files = build_report(release_dir, simulation.spec, tmp_path / "report", lang="fr")
    figures = json.loads(files.figures.read_text("utf-8"))
    assert figures["countries"] == ["SL"]
    officials = figures["populations"]["officials"]
    rows = pd.read_parquet(next(release_dir.glob("*.parquet")))
    assert officials["respondents"] == len(rows)
    # the release carries the flags; the report leaves those nine out of its indices
    assert (rows["careless"].notna().sum(), officials["quality"]["excluded"]) == (9, 9)
    assert (officials["quality"]["speeders"], officials["quality"]["straight_liners"]) == (9, 3)
    kept = rows[rows["careless"].isna()]
    for figure in officials["factors"]:
        assert_mean(figure["index"], plain_scores(kept, figure["factor"]))
    assert [p.name for p in files.html] == ["report-officials-fr.html"]
    # the breakdowns' column heads are the codebook's labels: those of the level released
    codebook = json.loads((release_dir / "codebook.json").read_text("utf-8"))
    age = next(v for v in codebook["variables"] if v["name"] == "age")
    page = files.html[0].read_text("utf-8")
    released = officials["factors"][0]["by"]["age"]["categories"]
    for code in (c for c in released if c != "not_stated"):
        label = next(c["label"]["fr"] for c in age["codes"] if str(c["code"]) == code)
        assert f"<th>{label}</th>" in page
    assert files.pdf[0].read_bytes().startswith(b"%PDF")
    with pytest.raises(ReportRefused):  # an out folder that holds something already
        build_report(release_dir, simulation.spec, tmp_path / "report", lang="fr")


def test_the_report_command(session_factory, clock, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mss.cli import app

    simulation = simulate(session_factory, clock)
    simulation.add("SL", 120)
    release_dir = tmp_path / "release"
    build_release(
        session_factory,
        ReleaseOrder("national", "SL", "cips-officials", None, "all", "en", release_dir),
        release_seed=SEED,
        cache_dir=tmp_path / "cache",
    )
    officials = Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml"
    private = officials.with_name("private_sector.yaml")
    runner = CliRunner()

    def report(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["server", "report", "--release", str(release_dir), *args])
        return result.exit_code, " ".join(result.output.split())

    code, output = report("--spec", str(officials), "--lang", "ar", "--out", str(tmp_path / "r"))
    assert code == 0, output
    assert {p.name for p in (tmp_path / "r").iterdir()} == {
        "figures.json", "report-officials-ar.html", "report-officials-ar.pdf",
    }  # fmt: skip
    # the wrong spec, an unknown language, a folder that is no release: refused, nothing made
    code, output = report("--spec", str(private), "--out", str(tmp_path / "x"))
    assert code == 2 and "give the release's own spec" in output
    code, output = report("--spec", str(officials), "--lang", "de", "--out", str(tmp_path / "x"))
    assert code == 2 and "no language 'de'" in output
    assert not (tmp_path / "x").exists()
    # an earlier wave of another questionnaire is no earlier wave of this one
    other = tmp_path / "other-release"
    shutil.copytree(release_dir, other)
    book = json.loads((other / "codebook.json").read_text("utf-8"))
    book["spec"]["id"] = "cips-private-sector"
    (other / "codebook.json").write_text(json.dumps(book), "utf-8")
    code, output = report("--spec", str(officials), "--previous", str(other),
                          "--out", str(tmp_path / "x"))  # fmt: skip
    assert code == 2 and "the same questionnaire's" in output
    assert not (tmp_path / "x").exists()
    result = runner.invoke(
        app, ["server", "report", "--release", str(tmp_path), "--spec", str(officials),
              "--out", str(tmp_path / "x")],
    )  # fmt: skip
    assert result.exit_code == 2 and "not a release folder" in " ".join(result.output.split())


def test_wave_over_wave_only_between_comparable_releases(
    session_factory, clock, tmp_path: Path
) -> None:
    """Two waves of SL: the later report shows the change; the waves swapped, another
    country, or a spec version whose factor statements differ are refused, nothing made."""
    simulation = simulate(session_factory, clock)
    earlier_ids = simulation.add("SL", 150, days=(date(2024, 3, 1), date(2024, 10, 30)))
    with session_factory.begin() as session:  # careless in the earlier wave too
        session.execute(
            update(ResponseRecord).where(ResponseRecord.response_id.in_(earlier_ids[:12]))
            .values(careless="straight_liner")
        )  # fmt: skip
    simulation.add("SL", 150)  # 2026
    simulation.add("GH", 150)
    releases = {}
    for name, country, wave in (("2024", "SL", "2024"), ("2026", "SL", "2026"),
                                ("gh", "GH", "2026")):  # fmt: skip
        releases[name] = tmp_path / f"release-{name}"
        build_release(
            session_factory,
            ReleaseOrder("national", country, "cips-officials", wave, "parquet", "en",
                         releases[name]),
            release_seed=SEED, cache_dir=tmp_path / "cache",
        )  # fmt: skip
    codebook = json.loads((releases["2026"] / "codebook.json").read_text("utf-8"))
    careless = next(v for v in codebook["variables"] if v["name"] == "careless")
    assert "under 2 s a question" in careless["label"]["en"]  # the spec's floor

    files = build_report(
        releases["2026"], simulation.spec, tmp_path / "report", lang="en",
        previous_dir=releases["2024"],
    )  # fmt: skip
    officials = json.loads(files.figures.read_text("utf-8"))["populations"]["officials"]
    now, earlier = (
        pd.read_parquet(next(releases[wave].glob("*.parquet"))) for wave in ("2026", "2024")
    )
    for figure in officials["factors"]:
        # both waves by the same rule: careless respondents left out of each
        assert earlier["careless"].notna().sum() == 12
        then = plain_scores(earlier[earlier["careless"].isna()], figure["factor"])
        kept = plain_scores(now[now["careless"].isna()], figure["factor"])
        assert figure["change"]["difference"] == pytest.approx(kept.mean() - then.mean())

    def refused(now: str, then: Path, match: str) -> None:
        out = tmp_path / f"refused-{then.name}"
        with pytest.raises(ReportRefused, match=match):
            build_report(releases[now], simulation.spec, out, lang="en", previous_dir=then)
        assert not out.exists()

    refused("2024", releases["2026"], "not earlier than wave 2024")
    refused("2026", releases["gh"], "country is GH")
    recoded = tmp_path / "release-recoded"
    shutil.copytree(releases["2024"], recoded)
    book = json.loads((recoded / "codebook.json").read_text("utf-8"))
    book["spec"]["version"] = "0.9"
    statement = next(v for v in book["variables"] if v.get("key_factor"))
    statement["codes"] = statement["codes"][:-1]
    (recoded / "codebook.json").write_text(json.dumps(book), "utf-8")
    refused("2026", recoded, f"differ in the key factors' statements \\({statement['name']}\\)")


def test_the_report_command_on_the_server_by_scope(
    session_factory, clock, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mss server report --scope national --country SL --compare 2024`: the releases are
    built (listed, audited) when missing, then reused; the report is the API's."""
    from typer.testing import CliRunner

    from crypto import KdfCost
    from mss.cli import app
    from sync_server.access.users import add_user
    from tests.sync_server.access.conftest import audit_rows

    simulation = simulate(session_factory, clock)
    simulation.add("SL", 120, days=(date(2024, 3, 1), date(2024, 10, 30)))
    simulation.add("SL", 120)
    add_user(session_factory, name="ana", role="analyst", countries=["SL"],
             password="correct horse battery", clock=clock, cost=KdfCost.FAST)  # fmt: skip
    monkeypatch.setenv("MSS_DATABASE_URL", database_url)
    monkeypatch.setenv("MSS_USER_PASSWORD", "correct horse battery")
    (tmp_path / "server").mkdir()
    runner = CliRunner()

    def report(out: str, *args: str) -> tuple[int, str]:
        where = ["--data-dir", str(tmp_path / "server"), "--out", str(tmp_path / out)]
        result = runner.invoke(app, ["server", "report", "--user", "ana", *where, *args])
        return result.exit_code, " ".join(result.output.split())

    sl = ("--scope", "national", "--country", "SL", "--compare", "2024", "--lang", "fr")
    code, output = report("first", *sl)
    assert code == 0, output
    assert output.count("built release") == 2  # this wave's and the earlier one's
    made = {p.name for p in (tmp_path / "first").iterdir()}
    assert made == {"figures.json", "report-officials-fr.html", "report-officials-fr.pdf"}
    figures = json.loads((tmp_path / "first" / "figures.json").read_text("utf-8"))
    assert all(f["change"] for f in figures["populations"]["officials"]["factors"])
    code, output = report("again", *sl)  # the listed releases and report are reused
    assert code == 0 and "built release" not in output, output
    again = json.loads((tmp_path / "again" / "figures.json").read_text("utf-8"))
    assert again == figures
    # the private sector beside officials, of the same (latest) wave
    simulate(session_factory, clock, seed=8, spec_file=PRIVATE_SECTOR).add("SL", 80)
    code, output = report("beside", "--scope", "national", "--country", "SL", "--alongside",
                          "cips-private-sector")  # fmt: skip
    assert code == 0, output
    beside = json.loads((tmp_path / "beside" / "figures.json").read_text("utf-8"))
    assert beside["populations"]["officials"]["alongside"]["respondents"] == 80
    code, output = report("gh", "--scope", "national", "--country", "GH")
    assert code == 2 and "may not request" in output
    monkeypatch.setenv("MSS_USER_PASSWORD", "wrong horse battery")
    code, output = report("wrong", *sl)
    assert code == 2 and "is not a user with that password" in output
    assert [r[1:3] for r in audit_rows(session_factory) if r[1] in ("report", "release")] == [
        ("release", "ok"), ("release", "ok"), ("report", "ok"), ("release", "ok"),
        ("report", "ok"), ("release", "denied"), ("report", "unauthenticated"),
    ]  # fmt: skip
