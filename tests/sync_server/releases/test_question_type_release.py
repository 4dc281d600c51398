"""A release of a spec with a date, a range and a calculation, in every format: the date at
the spec's precision (never the day), the range as a number, the calculation as the number
its expression yields (a range doubled: a whole number)."""

from __future__ import annotations

import json
import random
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
        answers = with_calculations(SPEC, "officials", given)  # as the processor stores them
        assert check_response(SPEC, "officials", answers, complete=True) == []
        return answers


def test_a_date_a_range_and_a_calculation_release_in_every_format(
    session_factory, clock, tmp_path: Path
) -> None:
    register_spec(session_factory, canonical_json(SPEC), clock=clock)
    simulation = EveryType(session_factory, SPEC, random.Random(5))
    simulation.add("SL", 40, days=(date(2026, 3, 1), date(2026, 9, 30)))
    order = ReleaseOrder(
        scope="national", country="SL", spec_id=SPEC.id, wave=None, fmt="all", lang="en",
        out_dir=tmp_path / "out",
    )  # fmt: skip
    built = build_release(session_factory, order, release_seed=SEED, cache_dir=tmp_path / "cache")
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
