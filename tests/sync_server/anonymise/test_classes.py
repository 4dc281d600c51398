"""Class sizes with a missing value matching any value, against a brute-force count."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_server.anonymise.classes import class_sizes, combine, compatible_reduce
from tests.sync_server.anonymise import independent_checks as checks


def brute(codes: np.ndarray) -> np.ndarray:
    frame = pd.DataFrame(np.where(codes < 0, np.nan, codes))
    return checks.wildcard_class_sizes(frame, list(frame.columns))


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(-1, 2), min_size=width, max_size=width), min_size=1, max_size=30
        )
    )
)
def test_sizes_match_a_brute_force_count(rows: list[list[int]]) -> None:
    codes = np.array(rows, dtype=np.int64)
    combos = combine(codes)
    assert (class_sizes(combos)[combos.inverse] == brute(codes)).all()


def test_large_tables_take_the_grouped_path_and_agree() -> None:
    # 900 distinct rows: too many to compare pairwise, so counted pattern by pattern.
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 6, size=(3000, 4))
    codes[rng.random(codes.shape) < 0.15] = -1
    combos = combine(codes)
    assert len(combos.codes) > 700
    expected = brute(combos.codes)
    # Weighted: each distinct row counts its records.
    agree = checks.compatible_matrix(
        pd.DataFrame(np.where(combos.codes < 0, np.nan, combos.codes)), [0, 1, 2, 3]
    )
    weighted = agree.astype(np.int64) @ combos.weights
    assert (class_sizes(combos) == weighted).all()
    assert (expected >= 1).all()
    small = class_sizes(combos, at_least=5)
    assert ((small < 5) == (weighted < 5)).all()
    assert (small[weighted < 5] == weighted[weighted < 5]).all()
    values = rng.integers(0, 3, size=len(combos.codes))
    lows = compatible_reduce(combos.codes, combos.codes, values, "min")
    assert (lows == np.array([values[row].min() for row in agree])).all()
