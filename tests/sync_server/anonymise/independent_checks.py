"""Independent checks of a treated frame (no code shared with the anonymiser): brute-force
counts, and pycanon (PyPI), a privacy-model checker written by others.

Classes are counted strictly: a blank (suppressed or unanswered) is its own value, as
sdcMicro counts with alpha = 0. `compatible_matrix` is the wildcard count (a blank matches
any value), kept for the class engine that the insider measure uses.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from pycanon import anonymity

BLANK = "<blank>"


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


def wildcard_class_sizes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return compatible_matrix(frame, columns).sum(axis=1)


def _keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple[object, ...]]:
    cells = [
        [None if pd.isna(v) else str(v) for v in frame[column].astype(object).tolist()]
        for column in columns
    ]
    return list(zip(*cells, strict=True)) if cells else [()] * len(frame)


def class_sizes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Each record's class size, a blank its own value (plain Python counting)."""
    keys = _keys(frame, columns)
    counts = Counter(keys)
    return np.array([counts[key] for key in keys], dtype=np.int64)


def _answer(value: object, non_substantive: set[object]) -> object:
    """A cell as an answer for diversity: a multi_choice list as the set of codes chosen."""
    if isinstance(value, list | tuple | np.ndarray):
        chosen = tuple(value)
        return None if set(chosen) <= non_substantive else chosen
    if value is None or pd.isna(value):
        return None
    return value


def l_violations(
    frame: pd.DataFrame, columns: list[str], sensitive: str, non_substantive: set[object]
) -> list[int]:
    """Records holding a substantive answer whose class holds fewer than two distinct ones."""
    keys = _keys(frame, columns)
    values = [_answer(v, non_substantive) for v in frame[sensitive].astype(object).tolist()]
    seen: dict[tuple[object, ...], set[object]] = {}
    for key, value in zip(keys, values, strict=True):
        if value is not None and value not in non_substantive:
            seen.setdefault(key, set()).add(value)
    return [
        i
        for i, (key, value) in enumerate(zip(keys, values, strict=True))
        if value is not None and value not in non_substantive and len(seen[key]) < 2
    ]


def as_strict(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns as text with a blank spelled out: what pycanon groups on (it would drop
    a missing key from every class otherwise)."""
    return pd.DataFrame(
        {
            column: [BLANK if pd.isna(v) else str(v) for v in frame[column].astype(object)]
            for column in columns
        }
    )


def pycanon_k(frame: pd.DataFrame, quasi: list[str]) -> int:
    return int(anonymity.k_anonymity(as_strict(frame, quasi), quasi))


def pycanon_l(frame: pd.DataFrame, quasi: list[str], sensitive: str) -> int:
    return int(anonymity.l_diversity(as_strict(frame, [*quasi, sensitive]), quasi, [sensitive]))


def revealed(
    frame: pd.DataFrame, quasi: list[str], item: str, disclosing: set[object] | None
) -> list[int]:
    """Records whose class holds one value of `item` on every record, a disclosing one
    (None: any answer at all discloses): whoever knows their quasi-identifiers learns it."""
    keys = _keys(frame, quasi)
    values = [
        tuple(v) if isinstance(v, list | tuple | np.ndarray) else (None if pd.isna(v) else v)
        for v in frame[item].astype(object).tolist()
    ]
    held: dict[tuple[object, ...], set[object]] = {}
    for key, value in zip(keys, values, strict=True):
        held.setdefault(key, set()).add(value)

    def discloses(value: object) -> bool:
        if value is None:
            return False
        if disclosing is None:
            return True
        codes = value if isinstance(value, tuple) else (value,)
        return any(code in disclosing for code in codes)

    return [
        i for i, key in enumerate(keys) if len(held[key]) == 1 and discloses(next(iter(held[key])))
    ]


def pycanon_l_where_disclosed(
    frame: pd.DataFrame, quasi: list[str], item: str, disclosing: set[object]
) -> int:
    """pycanon's distinct l over the classes that hold a disclosing answer (a class of "no"
    reveals nothing to protect): 2 or more means none of them is all one answer. A blank
    counts as a value, as for k."""
    strict = as_strict(frame, [*quasi, item])
    holds = (
        frame[item]
        .astype(object)
        .map(
            lambda v: (
                bool(set(v) & disclosing)
                if isinstance(v, list | tuple | np.ndarray)
                else (not pd.isna(v) and v in disclosing)
            )
        )
    )
    classes = strict.groupby(quasi, sort=False).ngroup()
    chosen = classes.isin(classes[holds.to_numpy()].unique())
    if not chosen.any():
        return 2
    subset = strict[chosen.to_numpy()].reset_index(drop=True)
    return int(anonymity.l_diversity(subset, quasi, [item]))
