"""Distinct l-diversity (l = 2) for sensitive items, within the quasi-identifier classes.

A record's class is every record compatible with it on the treated quasi-identifiers (a
missing value matches any value, as for k). A record *violates* when it holds a substantive
answer and its class holds fewer than two distinct substantive answers: whoever knows its
quasi-identifiers learns its answer. Non-substantive answers ("prefer not to answer") neither
count as diversity nor disclose anything, so they are kept.

Treatment: the item is suppressed (set missing) for the violating records, all records with
the same released quasi-identifiers together, and classes are checked again — removing
values can leave a neighbouring class with a single value — until none violates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync_server.anonymise.classes import NO_MAX, NO_MIN, Combinations, compatible_spread

DISTINCT_L = 2


@dataclass(frozen=True)
class LResult:
    suppressed: np.ndarray  # (records,) bool: set missing here
    violations_before: int  # records
    classes_before: int  # distinct released quasi-identifier combinations in violation
    violations_after: int


def hashable(series: pd.Series) -> pd.Series:
    """Lists (multi_choice answers) as tuples so they can be counted; the rest as is."""
    if series.dtype != object:
        return series
    values = [tuple(v) if isinstance(v, list | tuple) else v for v in series.tolist()]
    return pd.Series(values, index=series.index, dtype=object)


def substantive_codes(series: pd.Series, non_substantive: frozenset[object]) -> np.ndarray:
    """One code per distinct substantive answer; -1 for missing and non-substantive ones."""
    codes, uniques = pd.factorize(hashable(series), use_na_sentinel=True)
    codes = codes.astype(np.int64)
    excluded = [i for i, value in enumerate(uniques) if _not_substantive(value, non_substantive)]
    if excluded:
        codes[np.isin(codes, excluded)] = -1
    return codes


def _not_substantive(value: object, non_substantive: frozenset[object]) -> bool:
    if isinstance(value, tuple):
        return len(value) == 0 or all(code in non_substantive for code in value)
    if isinstance(value, str) and ";" in value:
        return all(_as_code(part) in non_substantive for part in value.split(";"))
    return _as_code(value) in non_substantive


def _as_code(value: object) -> object:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _violating(codes: np.ndarray, combos: Combinations, record_combo: np.ndarray) -> np.ndarray:
    """Per combination: its class holds exactly one distinct substantive answer."""
    held = codes >= 0
    lows = np.full(len(combos.codes), NO_MIN, dtype=np.int64)
    highs = np.full(len(combos.codes), NO_MAX, dtype=np.int64)
    np.minimum.at(lows, record_combo[held], codes[held])
    np.maximum.at(highs, record_combo[held], codes[held])
    low, high = compatible_spread(combos.codes, combos.codes, lows, highs)
    return (low == high) & (low != NO_MIN)


def l_diversify(
    series: pd.Series,
    non_substantive: frozenset[object],
    combos: Combinations,
    record_combo: np.ndarray,
) -> LResult:
    codes = substantive_codes(series, non_substantive)
    suppressed = np.zeros(len(codes), dtype=bool)
    before: tuple[int, int] | None = None
    while True:
        bad = _violating(codes, combos, record_combo)
        hit = (codes >= 0) & bad[record_combo]
        if before is None:
            before = (int(hit.sum()), len(np.unique(record_combo[hit])))
        if not hit.any():
            break
        codes[hit] = -1
        suppressed |= hit
    return LResult(suppressed, before[0], before[1], 0)
