"""Independent, brute-force checks of a treated frame (no code shared with the anonymiser)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def compatible_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """[i, j]: records i and j agree wherever both have a value (missing matches any)."""
    rows = len(frame)
    agree = np.ones((rows, rows), dtype=bool)
    for column in columns:
        values = frame[column].astype(object).where(frame[column].notna(), None).tolist()
        for i in range(rows):
            for j in range(rows):
                a, b = values[i], values[j]
                if a is not None and b is not None and a != b:
                    agree[i, j] = False
    return agree


def class_sizes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return compatible_matrix(frame, columns).sum(axis=1)


def l_violations(
    frame: pd.DataFrame, columns: list[str], sensitive: str, non_substantive: set[object]
) -> list[int]:
    """Records holding a substantive answer whose class holds fewer than two distinct ones."""
    agree = compatible_matrix(frame, columns)
    values = frame[sensitive].astype(object).where(frame[sensitive].notna(), None).tolist()
    # A multi_choice answer is the set of codes chosen; all of them non-substantive (or
    # none chosen) is no answer for diversity.
    values = [
        (None if set(v) <= non_substantive else tuple(v)) if isinstance(v, list) else v
        for v in values
    ]
    bad = []
    for i, value in enumerate(values):
        if value is None or value in non_substantive:
            continue
        seen = {
            values[j]
            for j in np.flatnonzero(agree[i])
            if values[j] is not None and values[j] not in non_substantive
        }
        if len(seen) < 2:
            bad.append(i)
    return bad
