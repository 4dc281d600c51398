"""The risk report's figures against brute-force counts of our own (no anonymiser code), and
a skipped demographic section never making a file look safe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from miniatures.officials_population import officials_frame
from questionnaire_specs import load_spec
from sync_server.anonymise import RiskReport, anonymise
from tests.sync_server.anonymise.independent_checks import (
    class_sizes,
    compatible_matrix,
    pycanon_k,
)
from tests.sync_server.anonymise.test_adversarial import OFFICIALS


@pytest.fixture(scope="module")
def spec():
    return load_spec(OFFICIALS)


def test_the_figures_before_treatment_are_the_brute_force_counts(spec) -> None:
    frame, _ = officials_frame(spec, {"SL": 120, "JO": 80}, seed=12)
    treated = anonymise(frame, spec, rng=np.random.default_rng(3), include_free_text=False)
    quasi = treated.risk.quasi_identifiers
    sizes = class_sizes(frame, quasi)  # a blank its own value
    before = treated.risk.risk_before
    assert before.records == len(frame)
    assert before.sample_uniques == int((sizes == 1).sum()) > 0
    assert before.below_k == int((sizes < 5).sum())
    assert before.expected_reidentifications == pytest.approx((1 / sizes).sum(), abs=1e-3)
    assert before.max_individual_risk == 1.0
    # The insider: records whose true values fit one record only (a blank fits anything).
    fits = compatible_matrix(frame, quasi).sum(axis=1)
    assert before.insider_unique == int((fits == 1).sum())
    assert before.insider_below_k == int((fits < 5).sum())
    after = treated.risk.risk_after
    released = class_sizes(treated.frame, quasi)
    assert (after.sample_uniques, after.below_k, after.insider_unique) == (0, 0, 0)
    assert after.expected_reidentifications == pytest.approx((1 / released).sum(), abs=1e-3)
    # k under the strict count holds under the wildcard count too (a blank only adds matches).
    assert compatible_matrix(treated.frame, quasi).sum(axis=1).min() >= 5
    # It survives the JSON round trip the cached treatment makes.
    assert RiskReport.from_json(treated.risk.to_json()) == treated.risk


def test_respondents_who_skip_about_you_do_not_make_a_file_safe(spec) -> None:
    frame, _ = officials_frame(spec, {"SL": 200}, seed=5)
    quasi_questions = ["gender", "age", "years_service", "grade", "post", "region"]
    frame["language"] = "en"
    # Ten respondents skip the whole section: as wildcards they would match everyone.
    frame.loc[frame.index[-10:], quasi_questions] = pd.NA
    treated = anonymise(frame, spec, rng=np.random.default_rng(1), include_free_text=False)
    quasi = treated.risk.quasi_identifiers
    wildcard = compatible_matrix(frame, quasi).sum(axis=1)
    assert wildcard.min() >= 10  # the old count: every class "large" before any treatment
    assert treated.risk.risk_before.below_k > 100  # counted strictly, most are at risk
    assert treated.risk.suppression["age"].count > 0  # so treatment did act
    assert pycanon_k(treated.frame, quasi) >= 5
    assert "is its own value" in treated.risk.to_markdown()
