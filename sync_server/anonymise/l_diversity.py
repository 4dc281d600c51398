"""Sensitive items: protect the disclosing answer where a class would reveal it, and keep the
item's rates.

A record's class is every record holding the same released quasi-identifiers (a blank its own
value, as for k). A class *reveals* a disclosing answer when every one of its records holds
that answer: whoever knows a respondent's quasi-identifiers then knows it. Which answers
disclose is the spec's (`discloses` on the question: "yes, I was offered", "no, I would not
feel safe"); by default every substantive answer does. A class where everyone says "no, never
offered" reveals nothing anyone needs protecting from, so it is left alone; blanking such
classes (as distinct l-diversity does) removes the common answer and inflates the rare one.

Treatment, within each stratum (country): the item is blanked in the revealing classes, and
the same share of every other substantive answer is blanked at random (seeded), so that the
item's released distribution stays that of the answers — suppression is never asymmetric.
Blanks and non-substantive answers ("prefer not to answer") are other values in a class and
are kept. The report gives the records protected, the share kept and the largest change of
any answer's share (the bias the treatment adds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync_server.anonymise.classes import Combinations

DISTINCT_L = 2  # a revealing class has one value; after treatment every class has two


@dataclass(frozen=True)
class LResult:
    suppressed: np.ndarray  # (records,) bool: set missing here
    violations_before: int  # records in classes revealing a disclosing answer
    classes_before: int
    violations_after: int
    kept: float  # share of the substantive answers released
    bias: float  # largest change of a substantive answer's share among the released ones


def hashable(series: pd.Series) -> pd.Series:
    """Lists (multi_choice answers) as tuples so they can be counted; the rest as is."""
    if series.dtype != object:
        return series
    values = [tuple(v) if isinstance(v, list | tuple | np.ndarray) else v for v in series.tolist()]
    return pd.Series(values, index=series.index, dtype=object)


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


def _discloses(value: object, disclosing: frozenset[object] | None) -> bool:
    if disclosing is None:
        return True
    if isinstance(value, tuple):
        return any(_as_code(code) in disclosing for code in value)
    return _as_code(value) in disclosing


def l_diversify(
    series: pd.Series,
    non_substantive: frozenset[object],
    disclosing: frozenset[object] | None,
    combos: Combinations,
    record_combo: np.ndarray,
    strata: np.ndarray,
    order_key: np.ndarray,
    rng: np.random.Generator,
) -> LResult:
    """`disclosing`: the answers to protect (None: every substantive answer); `strata`: one
    key per record; `order_key`: each record's rank by source id (the draw cannot depend on
    input order)."""
    values, uniques = pd.factorize(hashable(series), use_na_sentinel=True)
    values = values.astype(np.int64)
    # One entry per distinct answer, and a last False that a blank (-1) picks.
    substantive = np.array(
        [not _not_substantive(v, non_substantive) for v in uniques] + [False], bool
    )
    revealing_value = np.array(
        [bool(substantive[i]) and _discloses(v, disclosing) for i, v in enumerate(uniques)]
        + [False],
        bool,
    )
    is_substantive = substantive[values]
    # Per class: one value held by all its records (blank counted as a value, -1).
    classes = len(combos.weights)
    low = np.full(classes, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(classes, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(low, record_combo, values)
    np.maximum.at(high, record_combo, values)
    single = (low == high) & (low >= 0)
    revealing = single & revealing_value[np.where(single, low, -1)]
    hit = revealing[record_combo]
    suppressed = hit.copy()
    for stratum in np.unique(strata[hit]):
        mine = (strata == stratum) & is_substantive
        suppressed |= _companions(values, mine, hit, order_key, rng)
    kept_share = 1.0 - suppressed[is_substantive].mean() if is_substantive.any() else 1.0
    return LResult(
        suppressed=suppressed,
        violations_before=int(hit.sum()),
        classes_before=int(revealing.sum()),
        violations_after=0,
        kept=round(float(kept_share), 6),
        bias=_bias(values, is_substantive, suppressed),
    )


def _companions(
    values: np.ndarray,
    mine: np.ndarray,
    hit: np.ndarray,
    order_key: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Blank the same share of each substantive answer of the stratum as the revealing
    classes lost of theirs, drawn at random: the released shares stay the answers'."""
    out = np.zeros(len(values), dtype=bool)
    codes = np.unique(values[mine])
    held = {int(c): int((mine & (values == c)).sum()) for c in codes}
    lost = {c: int((mine & hit & (values == c)).sum()) for c in held}
    share = max(lost[c] / held[c] for c in held)
    for code in held:
        extra = int(round(share * held[code])) - lost[code]
        if extra <= 0:
            continue
        pool = np.flatnonzero(mine & ~hit & (values == code))
        pool = pool[np.argsort(order_key[pool], kind="stable")]
        out[rng.choice(pool, size=min(extra, len(pool)), replace=False)] = True
    return out


def _bias(values: np.ndarray, is_substantive: np.ndarray, suppressed: np.ndarray) -> float:
    before = pd.Series(values[is_substantive]).value_counts(normalize=True)
    after = pd.Series(values[is_substantive & ~suppressed]).value_counts(normalize=True)
    change = (after.reindex(before.index, fill_value=0.0) - before).abs()
    return round(float(change.max()) if len(change) else 0.0, 6)
