"""Sensitive items on realistic data: only the disclosing answer is protected, only where a
class would reveal it, and never asymmetrically (the released rate stays the true rate)."""

from __future__ import annotations

import numpy as np
import pytest

from miniatures.officials_population import officials_frame
from questionnaire_specs import load_spec
from sync_server.anonymise import anonymise
from tests.sync_server.anonymise.independent_checks import pycanon_l_where_disclosed, revealed
from tests.sync_server.anonymise.test_adversarial import OFFICIALS


@pytest.fixture(scope="module")
def treated():
    spec = load_spec(OFFICIALS)
    frame, _ = officials_frame(spec, {"SL": 150, "NE": 150, "JO": 300}, seed=9)
    return (
        spec,
        frame,
        anonymise(frame, spec, rng=np.random.default_rng(2), include_free_text=False),
    )


@pytest.mark.parametrize("item", ["offered", "asked_internal", "know_report", "safe_report"])
def test_no_class_reveals_a_disclosing_answer_and_rates_hold(treated, item: str) -> None:
    spec, frame, result = treated
    out, quasi = result.frame, result.risk.quasi_identifiers
    disclosing = set(spec.question(item).discloses)
    substantive = {o.code for o in spec.options_for(spec.question(item)) if not o.non_substantive}
    for country in frame["country"].unique():
        national = out[out["country"] == country].reset_index(drop=True)
        assert revealed(national, quasi, item, disclosing) == []
        assert pycanon_l_where_disclosed(national, quasi, item, disclosing) >= 2
        true = frame.loc[frame["country"] == country, item]
        true = true[true.isin(substantive)]
        released = national[item][national[item].isin(substantive)]
        assert len(released) >= 0.9 * len(true), country
        for code in disclosing:
            assert abs((released == code).mean() - (true == code).mean()) <= 0.02, (country, code)
    report = result.risk.diversity[item]
    assert report.kept >= 0.9 and report.bias <= 0.02


def test_a_class_of_no_is_left_alone() -> None:
    spec = load_spec(OFFICIALS)
    frame, _ = officials_frame(spec, {"SL": 200}, seed=4)
    frame["offered"] = frame["offered"].where(frame["offered"].isna(), 2)  # nobody offered
    frame["offered_times"] = frame["offered_times"].astype("Int64").mask(frame["offered"].notna())
    result = anonymise(frame, spec, rng=np.random.default_rng(1), include_free_text=False)
    assert result.risk.diversity["offered"].suppressed.count == 0
    assert result.frame["offered"].notna().sum() == frame["offered"].notna().sum()
