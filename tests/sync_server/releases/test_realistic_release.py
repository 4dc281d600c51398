"""Releases of realistic officials (skewed, correlated demographics, 2.5 % skipping "about
you", rare languages, the planted lone woman at a small land-border post) through the store,
checked with pycanon (an implementation we did not write), a blank counted as its own value;
and the codebook and SPSS labels of recoded variables are those of the level released."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pyreadstat
import pytest
from sqlalchemy import update

from miniatures.officials_population import LONE_WOMAN, respondent
from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.store.models import ResponseRecord
from tests.sync_server.anonymise.independent_checks import (
    class_sizes,
    pycanon_k,
    pycanon_l_where_disclosed,
    revealed,
)
from tests.sync_server.releases.simulated import Simulation, register

SEED = bytes.fromhex("5a" * 32)


class Officials(Simulation):
    """The store simulation answering as real officials do; the first respondent of each
    country added is the lone woman."""

    country = "SL"
    plant = True

    def answers(self):
        _language, answers = respondent(self.spec, self.rng, self.country)
        if self.plant:
            answers.update(LONE_WOMAN)
            self.plant = False
        return answers

    def add_officials(self, country: str, count: int, rare: int) -> list[str]:
        self.country, self.plant = country, True
        ids = self.add(country, count)
        with self.session_factory.begin() as session:
            session.execute(
                update(ResponseRecord)
                .where(ResponseRecord.response_id.in_(ids[-rare:]))
                .values(language="ar")
            )
        return ids


@pytest.fixture
def store(session_factory, clock):
    simulation = Officials(session_factory, register(session_factory, clock), random.Random(21))
    simulation.add_officials("SL", 150, rare=2)
    simulation.add_officials("GT", 160, rare=1)
    return simulation


def release(session_factory, out_dir: Path, scope: str, country: str | None):
    order = ReleaseOrder(scope, country, "cips-officials", None, "all", "fr", out_dir)
    return build_release(session_factory, order, release_seed=SEED, cache_dir=out_dir.parent / "c")


def test_realistic_releases_meet_k_and_protect_disclosing_answers(
    session_factory, store, tmp_path
) -> None:
    spec = store.spec
    for scope, country, rows in (("national", "SL", 150), ("national", "GT", 160),
                                 ("pooled", None, 310)):  # fmt: skip
        folder = tmp_path / f"{scope}-{country}"
        result = release(session_factory, folder, scope, country)
        assert result.rows == rows
        codebook = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
        quasi = codebook["quasi_identifiers"]
        data = pq.read_table(next(folder.glob("*.parquet"))).to_pandas()
        # k, a blank its own value: by pycanon and by a plain count.
        assert pycanon_k(data, quasi) >= 5
        assert class_sizes(data, quasi).min() >= 5
        risk = json.loads((folder / "risk-report.json").read_text(encoding="utf-8"))
        assert risk["release"]["smallest_class"] >= 5
        assert risk["treatment"]["risk_after"]["insider_unique"] == 0
        assert risk["treatment"]["risk_before"]["sample_uniques"] > 0
        # No class reveals a disclosing answer (pycanon's l over the classes holding one).
        for item in ("offered", "asked_internal", "know_report", "safe_report"):
            disclosing = set(spec.question(item).discloses)
            assert revealed(data, quasi, item, disclosing) == [], (scope, item)
            assert pycanon_l_where_disclosed(data, quasi, item, disclosing) >= 2
        # Gender is kept (protected first: other values go before it).
        assert data["gender"].notna().mean() >= 0.85


def test_recoded_variables_carry_the_labels_of_the_level_released(
    session_factory, store, tmp_path
) -> None:
    spec = store.spec
    folder = tmp_path / "sl"
    result = release(session_factory, folder, "national", "SL")
    recodings = result.risk.recodings
    assert "age" in recodings  # 150 officials: age is coarsened
    codebook = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    variables = {v["name"]: v for v in codebook["variables"]}
    _, meta = pyreadstat.read_sav(next(folder.glob("*.sav")))
    for name, level in recodings.items():
        if name not in variables or not spec.question(name).hierarchy:
            continue
        step = next(s for s in spec.question(name).hierarchy if s.level == level)
        expected = {g.code: g.label["fr"] for g in step.groups}
        assert {c["code"]: c["label"]["fr"] for c in variables[name]["codes"]} == expected
        assert {int(c): t for c, t in meta.variable_value_labels[name].items()} == expected
        markdown = (folder / "codebook.md").read_text(encoding="utf-8")
        assert f"`{step.groups[0].code}` {step.groups[0].label['fr']}" in markdown
    # And an answer's own label never stands for a group: age code 1 is not "18–24" any more.
    age = {c["code"]: c["label"]["en"] for c in variables["age"]["codes"]}
    assert "18–24" not in age.values()
