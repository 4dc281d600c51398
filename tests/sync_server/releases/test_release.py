"""Releases of simulated data from two countries, read back with the readers analysts use."""

from __future__ import annotations

import json
import re
import time
from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from sync_server.anonymise import RiskReport
from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.releases.comment_reviews import comments
from sync_server.releases.formats import NAMES
from sync_server.releases.refusals import ReleaseRefused
from tests.sync_server.releases.simulated import Simulation, simulate

SEED = bytes.fromhex("8f" * 16 + "3c" * 16)
IDENTIFYING = {"response_id", "envelope_id", "station_id", "station", "batch_id", "batch",
               "seq", "processed_at", "received_at"}  # fmt: skip
DAY_PRECISE = re.compile(r"\d{4}-\d{2}-\d{2}")
ORDER_FIELDS = {field.name for field in fields(ReleaseOrder)}


@pytest.fixture
def store(session_factory, clock):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 150)
    simulation.add("GH", 100, region="Ashanti")
    simulation.add("SL", 3, days=(date(2024, 4, 1), date(2024, 4, 30)))  # a tiny older wave
    return simulation


def release(session_factory, out_dir: Path, **changes):
    """A national SL release in every format, French labels; `changes` to the order or to
    the seed and cache folder."""
    order = {
        "scope": "national",
        "country": "SL",
        "spec_id": "cips-officials",
        "wave": None,
        "fmt": "all",
        "lang": "fr",
        "out_dir": out_dir,
    } | {name: value for name, value in changes.items() if name in ORDER_FIELDS}
    options = {"release_seed": SEED, "cache_dir": out_dir.parent / "treated"} | {
        name: value for name, value in changes.items() if name not in ORDER_FIELDS
    }
    return build_release(session_factory, ReleaseOrder(**order), **options)


def read_all(folder: Path, stem: str) -> dict[str, pd.DataFrame]:
    """Each data file through its analysts' reader, as text cells for comparison."""
    frames = {
        "csv": pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False),
        "parquet": pq.read_table(folder / f"{stem}.parquet").to_pandas(),
    }
    workbook = openpyxl.load_workbook(folder / f"{stem}.xlsx", read_only=True)
    rows = list(workbook["data"].iter_rows(values_only=True))
    width = len(rows[0])  # empty trailing cells are not stored: pad the short rows
    frames["xlsx"] = pd.DataFrame(
        [list(row) + [None] * (width - len(row)) for row in rows[1:]], columns=rows[0]
    )
    frames["sav"], _ = pyreadstat.read_sav(folder / f"{stem}.sav")
    frames["dta"], _ = pyreadstat.read_dta(folder / f"{stem}.dta")
    return frames


def cells(frame: pd.DataFrame) -> list[str]:
    return [str(value) for value in frame.to_numpy().ravel() if not pd.isna(value)]


def smallest_class(frame: pd.DataFrame, quasi_identifiers: list[str]) -> int:
    """Independent of the anonymiser: for each record, the records compatible with it on the
    quasi-identifiers (a missing value matches anything), counted pairwise."""
    codes = np.column_stack([pd.factorize(frame[q])[0] for q in quasi_identifiers])
    a, b = codes[:, None, :], codes[None, :, :]
    compatible = ((a == b) | (a < 0) | (b < 0)).all(axis=2)
    return int(compatible.sum(axis=1).min())


def test_national_and_pooled_releases_open_and_are_safe(session_factory, store, tmp_path):
    national = release(session_factory, tmp_path / "sl")
    pooled = release(session_factory, tmp_path / "all", scope="pooled", country=None)
    assert (national.rows, pooled.rows, national.wave) == (150, 250, "2026")
    assert sorted(p.name for p in national.files) == sorted(
        [f"cips-officials-national-SL-2026.{ext}" for ext in NAMES]
        + ["codebook.json", "codebook.md", "risk-report.json", "risk-report.md"]
    )
    assert all(path.exists() for path in national.files + pooled.files)
    for folder, stem, countries in (
        (tmp_path / "sl", "cips-officials-national-SL-2026", {"SL"}),
        (tmp_path / "all", "cips-officials-pooled-2026", {"SL", "GH"}),
    ):
        codebook = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
        frames = read_all(folder, stem)
        reference = frames["parquet"]
        for name, frame in frames.items():
            assert len(frame) == len(reference), name
            assert not IDENTIFYING & set(frame.columns), name
            assert set(frame["country"]) == countries, name
            assert sorted(frame["respondent_id"]) == sorted(reference["respondent_id"]), name
            found = [cell for cell in cells(frame) if DAY_PRECISE.search(cell)]
            assert not found, (name, found[:3])
        for text_file in ("codebook.md", "risk-report.md", "risk-report.json", f"{stem}.csv"):
            assert not DAY_PRECISE.search((folder / text_file).read_text(encoding="utf-8"))
        assert set(reference["completed_on"]) <= {f"2026-{m:02d}" for m in range(1, 13)}
        quasi = codebook["quasi_identifiers"]
        assert {"gender", "age", "post", "region", "country"} <= set(quasi)
        assert smallest_class(reference, quasi) >= 5
        assert codebook["release"]["rows"] == len(reference)
        # Labels in the chosen language travel with the SPSS and Stata files.
        _, sav = pyreadstat.read_sav(folder / f"{stem}.sav")
        _, dta = pyreadstat.read_dta(folder / f"{stem}.dta")
        for meta in (sav, dta):
            assert meta.variable_value_labels["lead_example"][1] == "Pas du tout d'accord"
            assert meta.column_names_to_labels["lead_example"].startswith("La haute direction")
        _, sav = pyreadstat.read_sav(folder / f"{stem}.sav", user_missing=True)
        assert sav.missing_ranges["lead_example"] == [
            {"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0},
        ]  # fmt: skip
        variables = {v["name"]: v for v in codebook["variables"]}
        assert variables["lead_example"]["key_factor"]["number"] == 1
        assert variables["lead_example"]["label"]["ar"]
        assert {c["code"] for c in variables["lead_example"]["codes"] if c["non_substantive"]} == {
            8, 9,
        }  # fmt: skip
        assert variables["offered"]["disclosure"] == "sensitive"
        assert variables["offered"]["treatment"].startswith("sensitive")
        assert variables["gender"]["disclosure"] == "quasi_identifier"
        assert "payment_stage_1" in variables and "payment_stage" not in variables

    # The same respondent carries the same values in both releases (free text aside).
    sl = pq.read_table(tmp_path / "sl" / "cips-officials-national-SL-2026.parquet").to_pandas()
    everyone = pq.read_table(tmp_path / "all" / "cips-officials-pooled-2026.parquet").to_pandas()
    assert "comment" in sl.columns and "comment" not in everyone.columns
    matched = everyone.set_index("respondent_id").loc[sl["respondent_id"]]
    for column in everyone.columns.drop("respondent_id"):
        left, right = sl[column].astype(object).to_numpy(), matched[column].astype(object)
        assert all(
            (pd.isna(x) and pd.isna(y)) or x == y
            for x, y in zip(left, right.to_numpy(), strict=True)
        ), column
    # Comments are queued for review, scrubbed; none is released before it is cleared.
    assert sl["comment"].dropna().empty
    queued = [view.text for view in comments(session_factory, "cips-officials", "2026")]
    assert any("[EMAIL]" in c for c in queued)
    assert not any("@douane.example" in c or "Kamara" in c for c in queued)
    pooled_book = json.loads((tmp_path / "all" / "codebook.json").read_text(encoding="utf-8"))
    assert "comment" not in {v["name"] for v in pooled_book["variables"]}


def test_releases_are_reproducible_and_never_carry_the_seed(
    session_factory, store, tmp_path, database_url
):
    if not database_url.startswith("sqlite"):
        pytest.skip("reproducibility does not depend on the database; SQLite suffices")
    first = release(session_factory, tmp_path / "a")
    time.sleep(1.1)  # the SPSS header would carry another second if it were not pinned
    again = release(session_factory, tmp_path / "b")  # from the cached treated file
    fresh = release(session_factory, tmp_path / "c", cache_dir=None)  # treated anew
    for path in first.files:
        content = path.read_bytes()
        assert content == (tmp_path / "b" / path.name).read_bytes(), path.name
        assert content == (tmp_path / "c" / path.name).read_bytes(), path.name
        for secret in (SEED, SEED.hex().encode(), SEED.hex().upper().encode()):
            assert secret not in content, path.name
    assert again.rows == fresh.rows == first.rows
    # The cached treatment gives back the anonymiser's report, as a fresh one does.
    assert isinstance(again.risk, RiskReport) and again.risk == fresh.risk
    other = release(
        session_factory, tmp_path / "d", fmt="csv", release_seed=b"\1" * 32,
        cache_dir=tmp_path / "other-server",
    )  # fmt: skip
    assert other.files[0].read_bytes() != (tmp_path / "a" / other.files[0].name).read_bytes()
    # New responses: the released treatment stays frozen; they join as an increment.
    frozen = sorted(p.name for p in (tmp_path / "treated").glob("*frozen-*.parquet"))
    assert len(frozen) == 2  # the treatment and the set of responses it holds
    store.add("SL", 10)
    grown = release(session_factory, tmp_path / "e", fmt="parquet")
    assert grown.rows == 160
    now = sorted(p.name for p in (tmp_path / "treated").glob("*frozen-*.parquet"))
    assert len(now) == 4 and set(frozen) < set(now)


def test_refusals_write_nothing(session_factory, store, tmp_path):
    work = tmp_path / "work"  # tmp_path also holds the SQLite store
    work.mkdir()
    full = work / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    cases = [
        ({"country": "KE"}, "unknown-country"),
        ({"spec_id": "cips-nothing"}, "unknown-spec"),
        ({"lang": "de"}, "unknown-language"),
        ({"wave": "2024"}, "fewer-than-k"),
        ({"wave": "2019"}, "no-responses"),
        ({"fmt": "pdf"}, "unknown-format"),
        ({"country": None}, "missing-country"),
        ({"scope": "pooled"}, "country-in-pooled"),
        ({"out_dir": full}, "out-dir-not-empty"),
    ]
    for changes, code in cases:
        out_dir = changes.pop("out_dir", work / "out")
        with pytest.raises(ReleaseRefused) as refused:
            release(session_factory, out_dir, cache_dir=work / "treated", **changes)
        assert refused.value.code == code, changes
        assert refused.value.message
        assert not (work / "out").exists()
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in work.iterdir()) == ["full"]  # no staging left behind


def test_a_country_below_k_is_held_back_and_blocks_no_other_release(
    session_factory, clock, tmp_path
):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 60)
    simulation.add("GH", 3, region="Ashanti")  # fewer than k = 5
    pooled = release(session_factory, tmp_path / "pooled", scope="pooled", country=None, fmt="csv")
    data = pd.read_csv(next((tmp_path / "pooled").glob("*.csv")), dtype=str)
    assert set(data["country"]) == {"SL"} and len(data) == 60
    report = json.loads((tmp_path / "pooled" / "risk-report.json").read_text())
    assert report["release"]["countries_held_back"] == {"GH": 3}
    assert "GH (3)" in (tmp_path / "pooled" / "risk-report.md").read_text()
    national = release(session_factory, tmp_path / "sl", fmt="csv")
    assert national.rows == 60
    with pytest.raises(ReleaseRefused) as refused:
        release(session_factory, tmp_path / "gh", country="GH", fmt="csv")
    assert refused.value.code == "fewer-than-k"
    assert not (tmp_path / "gh").exists()
    assert pooled.rows == 60


QUASI = ["gender", "age", "years_service", "grade", "post", "region", "country", "language"]
# One small land-border post: a woman aged 55-64, over 20 years of service, senior grade.
BORDER_POST = {"post": 1, "region": 2, "gender": 2, "age": 7, "years_service": 5, "grade": 4}


class LateBorderPost(Simulation):
    """The late USB batch: every respondent from the one small border post."""

    def answers(self):
        return super().answers() | BORDER_POST


def parquet(folder: Path) -> pd.DataFrame:
    return pq.read_table(next(folder.glob("*.parquet"))).to_pandas()


def rows_only_in(second: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """What an analyst holding both files finds by linking them: the rows new in `second`,
    matched on every released value (respondent ids aside, which a re-treatment redraws)."""
    columns = [c for c in first.columns if c != "respondent_id"]

    def keys(frame: pd.DataFrame) -> pd.Series:
        rows = frame[columns].astype(object).to_numpy()
        return pd.Series(["|".join(map(str, row)) for row in rows], index=frame.index)

    return second[~keys(second).isin(set(keys(first)))]


def smallest_strict_class(frame: pd.DataFrame, quasi: list[str]) -> int:
    """Independent of the anonymiser: classes with a blank counted as its own value."""
    rows = frame[[q for q in quasi if q in frame.columns]].astype(object).to_numpy()
    return int(pd.Series(["|".join(map(str, row)) for row in rows]).value_counts().min())


def test_a_late_batch_is_never_isolated_by_a_second_release(session_factory, clock, tmp_path):
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 150)
    simulation.add("GH", 60, region="Ashanti")
    first = release(session_factory, tmp_path / "first", fmt="parquet")
    before = parquet(tmp_path / "first")

    # The attack: four late respondents of one small post, then the same wave again.
    late = LateBorderPost(session_factory, simulation.spec, simulation.rng)
    late.add("SL", 4, region="North")
    second = release(session_factory, tmp_path / "second", fmt="parquet")
    after = parquet(tmp_path / "second")
    assert rows_only_in(after, before).empty  # nothing to link: the four are held back
    assert second.rows == first.rows == 150
    pd.testing.assert_frame_equal(after, before)  # the frozen treatment, row for row
    risk = json.loads((tmp_path / "second" / "risk-report.json").read_text(encoding="utf-8"))
    assert risk["release"]["late_responses_held_back"] == {"SL": 4}
    assert "SL (4)" in (tmp_path / "second" / "risk-report.md").read_text(encoding="utf-8")

    # More late responses arrive: they are released as one increment that meets k alone.
    simulation.add("SL", 8)
    third = release(session_factory, tmp_path / "third", fmt="parquet")
    grown = parquet(tmp_path / "third")
    assert third.rows == 162
    added = rows_only_in(grown, before)
    assert len(added) == 12
    assert smallest_class(added, QUASI) >= 5  # among the added rows alone
    assert smallest_strict_class(added, QUASI) >= 5  # and with a blank its own value
    border = added[list(BORDER_POST)].eq(pd.Series(BORDER_POST)).fillna(False).all(axis=1)
    assert not border.any(), "a border-post respondent is released with every value intact"
    # Earlier rows keep their values and their suppressions.
    kept = grown.set_index("respondent_id").loc[before["respondent_id"]].reset_index()
    pd.testing.assert_frame_equal(kept, before, check_dtype=False)
    risk = json.loads((tmp_path / "third" / "risk-report.json").read_text(encoding="utf-8"))
    assert risk["release"]["late_responses_held_back"] == {}
    assert risk["release"]["increments"] == 1
    # The pooled release of the wave is cut from the same frozen parts.
    pooled = release(session_factory, tmp_path / "pooled", scope="pooled", country=None,
                     fmt="parquet")  # fmt: skip
    everyone = parquet(tmp_path / "pooled")
    assert pooled.rows == 222
    assert set(grown["respondent_id"]) <= set(everyone["respondent_id"])
