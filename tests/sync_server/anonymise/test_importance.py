"""The importance order and extra strata declared in the spec: what is kept longest, what no
class crosses; and recoding along the hierarchies before any value is suppressed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from miniatures.officials_population import officials_frame
from questionnaire_specs import Settings, Spec, load_spec
from sync_server.anonymise import anonymise
from tests.sync_server.anonymise.independent_checks import class_sizes, pycanon_k
from tests.sync_server.anonymise.test_adversarial import OFFICIALS
from tests.sync_server.anonymise.test_adversarial import officials_frame as plain_frame
from tests.sync_server.anonymise.tiny_spec import tiny_spec


def with_settings(spec: Spec, **settings: object) -> Spec:
    return spec.model_copy(
        update={"settings": Settings(**{**spec.settings.model_dump(), **settings})}
    )


def scattered(rows: int, seed: int) -> pd.DataFrame:
    """Two quasi-identifiers of five evenly spread codes: nothing is safe untreated."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "response_id": [f"r{i:04d}" for i in range(rows)],
            "country": "SL",
            "qi0": pd.array(rng.integers(1, 6, rows), dtype="Int64"),
            "qi1": pd.array(rng.integers(1, 6, rows), dtype="Int64"),
        }
    )


def test_the_named_variable_is_kept_longest() -> None:
    spec = load_spec(OFFICIALS)
    frame, _ = officials_frame(spec, {"SL": 150, "GT": 150}, seed=3)
    kept = {}
    for order in (["region", "post"], ["post", "region"]):
        treated = anonymise(
            frame,
            with_settings(spec, importance=order),
            rng=np.random.default_rng(1),
            include_free_text=False,
        )
        assert treated.risk.importance[:3] == ["gender", *order]
        kept[order[0]] = treated.risk.suppression
        assert pycanon_k(treated.frame, treated.risk.quasi_identifiers) >= 5
    # Named second, each variable loses more values than when it is named first.
    assert kept["region"]["region"].count < kept["post"]["region"].count
    assert kept["post"]["post"].count < kept["region"]["post"].count


def test_gender_comes_first_whatever_the_spec_names() -> None:
    spec = load_spec(OFFICIALS)
    assert spec.settings.importance[0] == "gender"
    shuffled = with_settings(spec, importance=["region", "post"])
    treated = anonymise(
        plain_frame(200), shuffled, rng=np.random.default_rng(2), include_free_text=False
    )
    assert treated.risk.importance[:3] == ["gender", "region", "post"]
    # Language and population were named by nobody: they go first.
    assert treated.risk.importance[-2:] == ["population", "language"]


def test_women_keep_their_gender_where_other_values_can_go() -> None:
    spec = load_spec(OFFICIALS)
    frame = plain_frame(300, seed=4)
    # A few women at rare combinations of post and grade.
    women = frame.index[frame["gender"] == 1][:6]
    frame.loc[women, "post"] = 1
    frame.loc[women, "grade"] = 1
    treated = anonymise(frame, spec, rng=np.random.default_rng(3), include_free_text=False)
    out = treated.frame
    assert treated.risk.suppression["gender"].count == 0
    assert (out["gender"].isin([1]).sum()) == (frame["gender"] == 1).sum()
    assert pycanon_k(out, treated.risk.quasi_identifiers) >= 5


def test_recoding_comes_before_suppression_and_goes_no_further_than_it_must() -> None:
    spec = load_spec(OFFICIALS)
    frame = plain_frame(400, seed=6)
    treated = anonymise(frame, spec, rng=np.random.default_rng(3), include_free_text=False)
    # The at-risk share fell to 2 % by recoding; suppression only finished the job.
    suppressed = sum(s.count for s in treated.risk.suppression.values())
    assert suppressed <= 0.05 * len(frame) * len(treated.risk.quasi_identifiers)
    assert "gender" not in treated.risk.recodings  # gender_3 would only merge "other"


def test_a_declared_stratum_is_never_suppressed_and_each_cut_meets_k() -> None:
    frame = scattered(80, 5)
    frame["qi0"] = pd.array(np.where(np.arange(80) < 40, 1, 2), dtype="Int64")
    spec = with_settings(tiny_spec([5, 5]), strata=["qi0"])
    treated = anonymise(frame, spec, rng=np.random.default_rng(1), include_free_text=False)
    out = treated.frame
    assert treated.risk.strata == ["country", "qi0"]
    assert treated.risk.suppression["qi0"].count == 0 and "qi0" not in treated.risk.recodings
    for value in (1, 2):
        cut = out[out["qi0"] == value]
        assert len(cut) == 40
        assert class_sizes(cut, treated.risk.quasi_identifiers).min() >= 5
        assert pycanon_k(cut, treated.risk.quasi_identifiers) >= 5


def test_an_importance_naming_no_quasi_identifier_is_refused() -> None:
    spec = with_settings(tiny_spec([3]), importance=["offered"])
    with pytest.raises(
        ValueError,
        match="settings.importance: 'offered' is a single_choice question, not a quasi_id",
    ):
        anonymise(scattered(20, 1), spec, rng=np.random.default_rng(1), include_free_text=False)
