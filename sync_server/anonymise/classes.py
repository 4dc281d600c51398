"""Equivalence classes on the quasi-identifiers, with a missing value matching any value.

Records are held as integer codes per quasi-identifier (-1 = missing or suppressed). Two
records are *compatible* when they agree on every quasi-identifier where both have a value:
a missing value is a wildcard, as in sdcMicro. A record's class is the set of records
compatible with it, so classes overlap and their sizes are not a plain group-by.

The work is done on the table of distinct combinations (a few thousand rows, weighted by how
many records hold each), grouped by *pattern* (which quasi-identifiers are present): for a
query pattern P and a data pattern Q, compatibility is equality on the columns in both, a
plain group-by on those columns. Patterns are few, so this stays vectorised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Reduction = Literal["sum", "min", "max"]

MISSING = -1
# Identities for min/max over an empty set; values are non-negative codes.
NO_MIN = np.iinfo(np.int64).max
NO_MAX = -1
_KEY_LIMIT = 2**62
# Up to this many query x data cells, a pattern's queries are compared row by row.
_DIRECT_CELLS = 200_000


def row_keys(codes: np.ndarray, columns: Sequence[int]) -> np.ndarray:
    """One int64 key per row that is equal exactly when the rows agree on `columns`."""
    codes = codes.astype(np.int64, copy=False)
    rows = codes.shape[0]
    key = np.zeros(rows, dtype=np.int64)
    radix = 1
    for column in columns:
        values = codes[:, column] + 1  # missing (-1) becomes 0
        width = int(values.max(initial=0)) + 1
        if radix * width >= _KEY_LIMIT:
            # Renumber the key so far densely before it overflows.
            key = pd.factorize(key)[0].astype(np.int64)
            radix = int(key.max(initial=0)) + 1
        key = key * width + values
        radix *= width
    return key


@dataclass(frozen=True)
class Combinations:
    """The distinct rows of a code matrix, their weights, and each row's combination."""

    codes: np.ndarray  # (combinations, columns), int64
    weights: np.ndarray  # (combinations,), int64
    inverse: np.ndarray  # (rows,), index into codes


def combine(codes: np.ndarray, weights: np.ndarray | None = None) -> Combinations:
    """Group identical rows (missing equals missing here: this is identity, not matching)."""
    rows, width = codes.shape
    if weights is None:
        weights = np.ones(rows, dtype=np.int64)
    inverse, uniques = pd.factorize(row_keys(codes, range(width)))
    inverse = inverse.astype(np.intp)
    distinct = np.empty((len(uniques), width), dtype=np.int64)
    distinct[inverse] = codes
    totals = np.bincount(inverse, weights=weights, minlength=len(uniques)).astype(np.int64)
    return Combinations(distinct, totals, inverse)


def _patterns(codes: np.ndarray) -> np.ndarray:
    present = (codes >= 0).astype(np.int64)
    bits = np.int64(1) << np.arange(codes.shape[1], dtype=np.int64)
    return present @ bits


def _columns(mask: int, width: int) -> list[int]:
    return [column for column in range(width) if mask >> column & 1]


def compatible_reduce(
    queries: np.ndarray,
    data: np.ndarray,
    values: np.ndarray,
    how: Reduction,
    *,
    at_least: int | None = None,
) -> np.ndarray:
    """For each query row, `how` (sum, min or max) of `values` over the compatible data rows.

    With `at_least` (sums of non-negative values only), a result of `at_least` or more may
    be a partial sum: a query stops being counted once it is known to reach that bound,
    which is all the callers asking "is this class below k?" need, and much faster.
    """
    settled = None
    if at_least is not None:
        bound = at_least

        def settled(acc: list[np.ndarray]) -> np.ndarray:
            return acc[0] >= bound

    return _engine(queries, data, [values], [how], settled)[0]


def compatible_spread(
    queries: np.ndarray, data: np.ndarray, lows: np.ndarray, highs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest of `lows` and largest of `highs` over the compatible data rows — enough to
    tell one distinct value from two: once they differ, a query is settled and left alone
    (so the results are exact only where they are equal)."""

    def settled(acc: list[np.ndarray]) -> np.ndarray:
        return acc[0] < acc[1]

    low, high = _engine(queries, data, [lows, highs], ["min", "max"], settled)
    return low, high


def _engine(
    queries: np.ndarray,
    data: np.ndarray,
    columns_of_values: list[np.ndarray],
    hows: list[str],
    settled: Callable[[list[np.ndarray]], np.ndarray] | None,
) -> list[np.ndarray]:
    width = queries.shape[1]
    values_list = [v.astype(np.int64, copy=False) for v in columns_of_values]
    identities = [{"sum": 0, "min": NO_MIN, "max": NO_MAX}[how] for how in hows]
    results = [np.full(queries.shape[0], i, dtype=np.int64) for i in identities]
    if queries.shape[0] == 0 or data.shape[0] == 0:
        return results
    query_patterns = _patterns(queries)
    data_patterns = _patterns(data)
    order = np.argsort(data_patterns, kind="stable")
    bounds = np.flatnonzero(np.diff(data_patterns[order])) + 1
    groups = np.split(order, bounds)
    group_patterns = [int(data_patterns[rows[0]]) for rows in groups]
    for query_pattern in np.unique(query_patterns):
        asking = np.flatnonzero(query_patterns == query_pattern)
        own = _columns(int(query_pattern), width)
        if len(asking) * len(data) <= _DIRECT_CELLS:
            for result, values, how in zip(results, values_list, hows, strict=True):
                result[asking] = _reduce_direct(queries[asking], data, values, own, how)
            continue
        by_overlap: dict[int, list[np.ndarray]] = {}
        for pattern, rows in zip(group_patterns, groups, strict=True):
            by_overlap.setdefault(int(query_pattern) & pattern, []).append(rows)
        # The most permissive overlaps first (fewest columns to agree on: rows that skipped
        # questions match many queries), so that queries settle and drop out early.
        sizes = {o: sum(len(m) for m in rows) for o, rows in by_overlap.items()}
        overlaps = sorted(by_overlap, key=lambda o: (bin(o).count("1"), -sizes[o], o))
        acc = [np.full(len(asking), i, dtype=np.int64) for i in identities]
        open_rows = np.arange(len(asking))
        for overlap in overlaps:
            members = by_overlap[overlap]
            rows = np.concatenate(members) if len(members) > 1 else members[0]
            columns = _columns(overlap, width)
            asked = queries[asking[open_rows]]
            for a, values, how in zip(acc, values_list, hows, strict=True):
                part = _reduce_overlap(asked, data[rows], values[rows], columns, how)
                a[open_rows] = _merge(a[open_rows], part, how)
            if settled is not None:
                open_rows = open_rows[~settled([a[open_rows] for a in acc])]
                if len(open_rows) == 0:
                    break
        for result, a in zip(results, acc, strict=True):
            result[asking] = a
    return results


def _reduce_direct(
    queries: np.ndarray, data: np.ndarray, values: np.ndarray, columns: list[int], how: str
) -> np.ndarray:
    """Few queries: compare each with every data row (cheaper than a group-by per pattern)."""
    compatible = np.ones((len(queries), len(data)), dtype=bool)
    for column in columns:
        theirs = data[:, column]
        compatible &= (theirs[None, :] == queries[:, column, None]) | (theirs < 0)[None, :]
    if how == "sum":
        return (compatible.astype(np.int64) @ values).astype(np.int64)
    identity = NO_MIN if how == "min" else NO_MAX
    picked = np.where(compatible, values[None, :], identity)
    return picked.min(axis=1) if how == "min" else picked.max(axis=1)


def _reduce_overlap(
    queries: np.ndarray, data: np.ndarray, values: np.ndarray, columns: list[int], how: str
) -> np.ndarray:
    if not columns:
        total = {"sum": values.sum, "min": values.min, "max": values.max}[how]()
        return np.full(len(queries), total, dtype=np.int64)
    keys = row_keys(np.concatenate([queries[:, columns], data[:, columns]]), range(len(columns)))
    ids, uniques = pd.factorize(keys)
    query_ids, data_ids = ids[: len(queries)], ids[len(queries) :]
    if how == "sum":
        totals = np.bincount(data_ids, weights=values, minlength=len(uniques))
        return totals.astype(np.int64)[query_ids]
    identity = NO_MIN if how == "min" else NO_MAX
    totals = np.full(len(uniques), identity, dtype=np.int64)
    ufunc = np.minimum if how == "min" else np.maximum
    ufunc.at(totals, data_ids, values)
    return totals[query_ids]


def _merge(left: np.ndarray, right: np.ndarray, how: str) -> np.ndarray:
    if how == "sum":
        return left + right
    return np.minimum(left, right) if how == "min" else np.maximum(left, right)


def class_sizes(combinations: Combinations, *, at_least: int | None = None) -> np.ndarray:
    """The class size of each combination (records compatible with it, itself included).

    With `at_least`, sizes of that bound or more are only known to be at least the bound.
    """
    return compatible_reduce(
        combinations.codes, combinations.codes, combinations.weights, "sum", at_least=at_least
    )
