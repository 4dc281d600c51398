"""A quasi-identifier nobody answered (or one respondent answered) is treated, not a crash:
the recoding search tries a step up its hierarchy like any other variable's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sync_server.anonymise import anonymise
from tests.sync_server.anonymise.independent_checks import class_sizes
from tests.sync_server.anonymise.tiny_spec import tiny_spec

ROWS = 60


def frame_with(qi0: list[object], dtype: str) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    # qi1 and qi2 vary enough that many records sit below k: the recoding search runs.
    return pd.DataFrame(
        {
            "response_id": [f"r{i:03d}" for i in range(ROWS)],
            "serial": list(range(ROWS)),
            "country": ["SL"] * 40 + ["NP"] * 20,
            "qi0": pd.Series(qi0, dtype=dtype),
            "qi1": pd.array(rng.integers(1, 7, ROWS), dtype="Int64"),
            "qi2": pd.array(rng.integers(1, 7, ROWS), dtype="Int64"),
            "offered": pd.array(rng.choice([1, 2], ROWS), dtype="Int64"),
        }
    )


@pytest.mark.parametrize("dtype", ["Int64", "float64", "object"])
def test_a_quasi_identifier_nobody_answered_is_released_empty(dtype: str) -> None:
    frame = frame_with([None] * ROWS, dtype)
    treated = anonymise(
        frame, tiny_spec([4, 6, 6], k=5), rng=np.random.default_rng(1), include_free_text=False
    )
    out, quasi = treated.frame, treated.risk.quasi_identifiers
    assert treated.risk.below_k_before.records > 0.02 * ROWS  # the search did run
    assert out["qi0"].isna().all()
    assert treated.risk.suppression["qi0"].count == 0  # nothing to suppress
    assert "qi0" not in treated.risk.recodings  # a step up helps nobody
    assert class_sizes(out, quasi).min() >= 5


@pytest.mark.parametrize("dtype", ["Int64", "float64", "object"])
def test_a_quasi_identifier_one_respondent_answered_is_treated(dtype: str) -> None:
    frame = frame_with([None] * 10 + [3] + [None] * (ROWS - 11), dtype)
    treated = anonymise(
        frame, tiny_spec([4, 6, 6], k=5), rng=np.random.default_rng(1), include_free_text=False
    )
    out, quasi = treated.frame, treated.risk.quasi_identifiers
    assert treated.risk.below_k_before.records > 0.02 * ROWS
    assert class_sizes(out, quasi).min() >= 5
    # Only the one respondent can hold a value, the true one (everyone else's missing value
    # matches it, so it needs no suppression of its own).
    answered = out.loc[out["qi0"].notna()]
    assert answered["serial"].tolist() in ([], [10])
    assert set(answered["qi0"]) <= {3}
