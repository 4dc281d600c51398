"""k-anonymity on the quasi-identifiers: global recoding up the hierarchies, then local
suppression.

1. Global recoding (greedy). While more than `max_at_risk_share` of the records sit in a
   class smaller than k, try one step up the hierarchy of each quasi-identifier and take the
   step that removes most records at risk per bit of information lost (the drop in the
   variable's entropy, times the records that answered it). Stop when no step helps.
2. Local suppression. Each combination still in a class smaller than k loses one value per
   round: among its values whose suppression lifts it to k, the rarest; when none does,
   the one whose suppression gives the largest class. Suppression only ever grows classes,
   so this ends (at the latest with everything but the stratum suppressed).

The stratum (`country`) is never recoded nor suppressed: a record without its country would
be in no national release, and a national file cut from the pooled treatment would lose the
records that filled its classes. As every record keeps its country, a class never crosses
countries and k holds within each country: each national cut meets k on its own. A record
with every other value suppressed matches every record of its country, so a country with at
least k records always ends; one with fewer cannot be released at all (CountryTooSmall).

A suppressed (or unanswered) value matches any value when classes are counted (classes.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync_server.anonymise.classes import MISSING, Combinations, class_sizes, combine
from sync_server.anonymise.classes import compatible_reduce as reduce_compatible
from sync_server.anonymise.disclosure_roles import STRATUM, QuasiIdentifier

DEFAULT_MAX_AT_RISK_SHARE = 0.02


class TooFewRecords(ValueError):
    """Fewer records than k: no treatment can make them k-anonymous."""


class CountryTooSmall(TooFewRecords):
    """A country with fewer than k records: classes never cross countries, so none of its
    records can be made k-anonymous (and its country is never suppressed instead)."""

    def __init__(self, counts: dict[str, int], k: int) -> None:
        self.counts = dict(sorted(counts.items()))  # every country below k -> its records
        self.k = k
        self.country, self.count = next(iter(self.counts.items()))
        named = ", ".join(f"{country} has {count}" for country, count in self.counts.items())
        super().__init__(
            f"fewer than k={k} respondents in a country ({named}): a country's respondents "
            "can only be made k-anonymous among themselves, so it cannot be released; leave "
            "it out of the treatment"
        )


@dataclass(frozen=True)
class Encoded:
    """One quasi-identifier as codes: level 0 is the answers, then each hierarchy level."""

    name: str
    level_names: tuple[str | None, ...]  # None for the answers themselves
    maps: tuple[np.ndarray, ...]  # answer code -> code at the level
    values: tuple[pd.Index, ...]  # code at the level -> released value


@dataclass(frozen=True)
class BelowK:
    classes: int
    records: int


@dataclass(frozen=True)
class KResult:
    names: tuple[str, ...]
    levels: dict[str, str | None]  # the level each QI is released at (None: answers)
    codes: np.ndarray  # (records, QIs): released codes at the chosen level, -1 missing
    encoded: tuple[Encoded, ...]
    suppressed: np.ndarray  # (records, QIs) bool: set missing here (was answered)
    below_k_before: BelowK
    below_k_after: BelowK

    def column(self, index: int, answers: pd.Series) -> pd.Series:
        """The released values of one quasi-identifier (missing where suppressed)."""
        encoded = self.encoded[index]
        level = encoded.level_names.index(self.levels[encoded.name])
        codes = self.codes[:, index]
        if level == 0:
            # The answers as given (same dtype), less what was suppressed.
            return answers.reset_index(drop=True).where(codes >= 0)
        groups = encoded.values[level]
        if len(groups) == 0:
            return pd.Series([None] * len(codes), dtype=object)
        values = pd.Series(groups.take(np.maximum(codes, 0)), dtype=object)
        if all(isinstance(v, int | np.integer) for v in groups):
            values = values.astype("Int64")
        return values.where(codes >= 0)


def encode(series: pd.Series, quasi: QuasiIdentifier) -> tuple[np.ndarray, Encoded]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniques = pd.Index(uniques)
    maps = [np.arange(len(uniques), dtype=np.int64)]
    values = [uniques]
    for level in quasi.levels:
        unknown = [v for v in uniques if v not in level.groups]
        if unknown:
            # The values themselves are answers: counted, never quoted.
            raise ValueError(
                f"{quasi.name}: {len(unknown)} distinct answer(s) are not among the codes the "
                f"spec's hierarchy groups (level {level.name})"
            )
        group_codes, groups = pd.factorize(
            pd.Index([level.groups[v] for v in uniques], dtype=object)
        )
        maps.append(group_codes.astype(np.int64))
        values.append(pd.Index(list(groups), dtype=object))
    names = (None, *(level.name for level in quasi.levels))
    return codes.astype(np.int64), Encoded(quasi.name, names, tuple(maps), tuple(values))


def _at_level(column: np.ndarray, enc: Encoded, level: int) -> np.ndarray:
    mapping = enc.maps[level]
    if len(mapping) == 0:
        return np.full_like(column, MISSING)  # nobody answered: nothing to look up
    return np.where(column < 0, MISSING, mapping[np.maximum(column, 0)])


def _recode(base: np.ndarray, encoded: tuple[Encoded, ...], levels: list[int]) -> np.ndarray:
    out = np.empty_like(base)
    for j, (enc, level) in enumerate(zip(encoded, levels, strict=True)):
        out[:, j] = _at_level(base[:, j], enc, level)
    return out


def _at_risk(codes: np.ndarray, weights: np.ndarray, k: int) -> tuple[Combinations, BelowK]:
    combos = combine(codes, weights)
    small = class_sizes(combos, at_least=k) < k
    return combos, BelowK(int(small.sum()), int(combos.weights[small].sum()))


def _entropy(codes: np.ndarray, weights: np.ndarray) -> float:
    answered = codes >= 0
    counts = np.bincount(codes[answered], weights=weights[answered])
    counts = counts[counts > 0]
    if counts.sum() == 0:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum() * counts.sum())  # bits over all answering records


def _choose_recoding(
    base: np.ndarray,
    weights: np.ndarray,
    encoded: tuple[Encoded, ...],
    k: int,
    max_share: float,
    fixed: np.ndarray,
) -> list[int]:
    levels = [0] * len(encoded)
    total = int(weights.sum())
    risk = _at_risk(_recode(base, encoded, levels), weights, k)[1].records
    while risk > max_share * total:
        best: tuple[float, int, int] | None = None  # (score, -index, risk after)
        for j, enc in enumerate(encoded):
            if fixed[j] or levels[j] + 1 >= len(enc.maps):
                continue
            trial = levels.copy()
            trial[j] += 1
            after = _at_risk(_recode(base, encoded, trial), weights, k)[1].records
            gain = risk - after
            if gain <= 0:
                continue
            before_bits = _entropy(_at_level(base[:, j], enc, levels[j]), weights)
            after_bits = _entropy(_at_level(base[:, j], enc, trial[j]), weights)
            lost = max(before_bits - after_bits, 0.0)
            # Rounded: sums in another order must not flip a tie (input order must not matter).
            score = round(gain / lost, 9) if lost > 0 else float("inf")
            if best is None or (score, -j) > best[:2]:
                best = (score, -j, after)
        if best is None:
            break
        levels[-best[1]] += 1
        risk = best[2]
    return levels


def _suppress_locally(
    codes: np.ndarray, weights: np.ndarray, k: int, fixed: np.ndarray
) -> tuple[np.ndarray, Combinations]:
    """Suppress values of `codes` (distinct rows, weighted) until every class has k; the
    `fixed` columns (the stratum) are never candidates."""
    codes = codes.copy()
    width = codes.shape[1]
    while True:
        combos = combine(codes, weights)
        sizes = class_sizes(combos, at_least=k)
        small = np.flatnonzero(sizes < k)
        if len(small) == 0:
            return codes, combos
        rows, columns = np.nonzero((combos.codes[small] >= 0) & ~fixed[None, :])
        if len(np.unique(rows)) < len(small):
            # Checked up front (too few records, a country below k): cannot happen.
            raise TooFewRecords("a class stays below k with every other value suppressed")
        owners = small[rows]
        candidates = combos.codes[owners].copy()
        candidates[np.arange(len(owners)), columns] = MISSING
        grown = reduce_compatible(candidates, combos.codes, combos.weights, "sum", at_least=k)
        # How common each candidate's value is among all records (rarest goes first).
        frequency = np.zeros(len(owners), dtype=np.int64)
        for j in range(width):
            mine = columns == j
            if mine.any():
                present = combos.codes[:, j] >= 0
                counts = np.bincount(combos.codes[present, j], weights=combos.weights[present])
                frequency[mine] = counts[combos.codes[owners[mine], j]].astype(np.int64)
        reaches = grown >= k
        preference = np.where(reaches, frequency, -grown)
        order = np.lexsort((columns, preference, ~reaches, owners))
        first = order[np.unique(owners[order], return_index=True)[1]]
        chosen_column = np.full(len(combos.codes), -1, dtype=np.int64)
        chosen_column[owners[first]] = columns[first]
        per_row = chosen_column[combos.inverse]
        hit = np.flatnonzero(per_row >= 0)
        codes[hit, per_row[hit]] = MISSING


def k_anonymise(
    frame: pd.DataFrame,
    quasi_identifiers: tuple[QuasiIdentifier, ...],
    k: int,
    *,
    max_at_risk_share: float = DEFAULT_MAX_AT_RISK_SHARE,
) -> KResult:
    records = len(frame)
    if records < k:
        raise TooFewRecords(f"{records} records cannot form a class of k={k}")
    names = tuple(qi.name for qi in quasi_identifiers)
    if STRATUM in names:
        _check_strata(frame[STRATUM], k)
    columns, encoded_list = [], []
    for quasi in quasi_identifiers:
        codes, enc = encode(frame[quasi.name], quasi)
        columns.append(codes)
        encoded_list.append(enc)
    encoded = tuple(encoded_list)
    raw = np.column_stack(columns) if columns else np.zeros((records, 0), dtype=np.int64)
    base = combine(raw)
    _, before = _at_risk(base.codes, base.weights, k)
    # The stratum is released as recorded: classes stay within one country.
    fixed = np.array([name == STRATUM for name in names], dtype=bool)
    levels = _choose_recoding(base.codes, base.weights, encoded, k, max_at_risk_share, fixed)
    recoded = _recode(base.codes, encoded, levels)
    treated, final = _suppress_locally(recoded, base.weights, k, fixed)
    small = class_sizes(final, at_least=k) < k
    after = BelowK(int(small.sum()), int(final.weights[small].sum()))
    codes = treated[base.inverse]
    suppressed = (codes < 0) & (recoded[base.inverse] >= 0)
    return KResult(
        names=names,
        levels={
            enc.name: enc.level_names[level] for enc, level in zip(encoded, levels, strict=True)
        },
        codes=codes,
        encoded=encoded,
        suppressed=suppressed,
        below_k_before=before,
        below_k_after=after,
    )


def _check_strata(countries: pd.Series, k: int) -> None:
    """Every record has a country, and every country has at least k records."""
    missing = int(countries.isna().sum())
    if missing:
        raise ValueError(
            f"{STRATUM} is missing on {missing} records: every respondent belongs to a country"
        )
    counts = countries.astype(str).value_counts()
    small = counts[counts < k]
    if len(small):
        raise CountryTooSmall({str(c): int(n) for c, n in small.items()}, k)
