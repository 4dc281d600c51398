"""A release of a spec with a date, a range, a rank and a calculation, in every format: the
date at the spec's precision (never the day), the range as a number, the rank as one position
column per option, the calculation as the number its expression yields (a range doubled: a
whole number)."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from questionnaire_specs import canonical_json, load_spec
from questionnaire_specs.answers import check_response, with_calculations
from sync_server.ingest import register_spec
from sync_server.releases.build import ReleaseOrder, build_release
from tests.sync_server.releases.simulated import Simulation

SEED = bytes.fromhex("6b" * 32)
SPEC = load_spec(Path(__file__).parents[2] / "questionnaire_specs" / "fixtures" / "every_type.yaml")


class EveryType(Simulation):
    def answers(self) -> dict[str, Any]:
        rng = self.rng
        given = {
            "post": rng.choice([1, 2]),
            "joined": date(rng.randint(1990, 2020), rng.randint(1, 12), 28).isoformat(),
            "trust": rng.choice(range(0, 11, 2)),
        }
        if rng.random() < 0.8:  # the rest leave the optional ranking unanswered
            given["priorities"] = rng.sample([1, 2, 3], 3)
        answers = with_calculations(SPEC, "officials", given)  # as the processor stores them
        assert check_response(SPEC, "officials", answers, complete=True) == []
        return answers


def _released(session_factory, clock, tmp_path: Path, simulation: Simulation, count: int):
    """A national release of `count` simulated responses from SL, in every format."""
    register_spec(session_factory, canonical_json(SPEC), clock=clock)
    simulation.add("SL", count, days=(date(2026, 3, 1), date(2026, 9, 30)))
    order = ReleaseOrder(
        scope="national", country="SL", spec_id=SPEC.id, wave=None, fmt="all", lang="en",
        out_dir=tmp_path / "out",
    )  # fmt: skip
    return build_release(session_factory, order, release_seed=SEED, cache_dir=tmp_path / "cache")


class Recorded(EveryType):
    sent: list[dict[str, Any]]

    def answers(self) -> dict[str, Any]:
        answers = super().answers()
        self.sent.append(answers)
        return answers


def test_a_date_a_range_and_a_calculation_release_in_every_format(
    session_factory, clock, tmp_path: Path
) -> None:
    built = _released(
        session_factory, clock, tmp_path, EveryType(session_factory, SPEC, random.Random(5)), 40
    )
    assert built.rows == 40
    by_suffix = {path.suffix: path for path in built.files}
    frame = pd.read_parquet(by_suffix[".parquet"])
    joined = frame["joined"].dropna()
    assert len(joined) and joined.str.fullmatch(r"\d{4}-\d{2}").all()  # never the day
    assert set(frame["trust"].dropna()) <= {0, 2, 4, 6, 8, 10}
    doubled = frame.dropna(subset=["trust", "trust_doubled"])
    assert len(doubled) and pd.api.types.is_integer_dtype(frame["trust_doubled"].dtype)
    assert (doubled["trust_doubled"] == 2 * doubled["trust"]).all()
    # SPSS and Stata carry it as a number too, not as text.
    for suffix, read in ((".sav", pyreadstat.read_sav), (".dta", pyreadstat.read_dta)):
        package, _ = read(str(by_suffix[suffix]))
        assert pd.api.types.is_float_dtype(package["trust_doubled"].dtype), suffix
        both = package.dropna(subset=["trust", "trust_doubled"])
        assert (both["trust_doubled"] == 2 * both["trust"]).all(), suffix
    assert pd.read_csv(by_suffix[".csv"])["joined"].dropna().str.fullmatch(r"\d{4}-\d{2}").all()
    codebook = json.loads(
        next(p for p in built.files if p.name.endswith("codebook.json")).read_text()
    )
    kinds = {v["name"]: v["type"] for v in codebook["variables"]}
    assert (kinds["joined"], kinds["trust"], kinds["trust_doubled"]) == (
        "period",
        "number",
        "number",
    )
    ranks = ["priorities_1", "priorities_2", "priorities_3"]
    assert [kinds[name] for name in ranks] == ["rank_position"] * 3
    assert "priorities" not in frame.columns


def test_a_rank_is_released_as_each_options_position(session_factory, clock, tmp_path: Path):
    simulation = Recorded(session_factory, SPEC, random.Random(11))
    simulation.sent = []
    built = _released(session_factory, clock, tmp_path, simulation, 30)
    by_suffix = {path.suffix: path for path in built.files}
    ranks = ["priorities_1", "priorities_2", "priorities_3"]
    sent = [answers.get("priorities") for answers in simulation.sent]
    expected = Counter(
        tuple(ranking.index(code) + 1 for code in (1, 2, 3)) if ranking else (None,) * 3
        for ranking in sent
    )
    assert len(expected) > 3 and (None, None, None) in expected
    for frame in (
        pd.read_parquet(by_suffix[".parquet"]),
        pd.read_csv(by_suffix[".csv"]),
        pd.read_stata(by_suffix[".dta"]),
    ):
        rows = [
            tuple(None if pd.isna(cell) else int(cell) for cell in row)
            for row in frame[ranks].itertuples(index=False)
        ]
        assert Counter(rows) == expected
