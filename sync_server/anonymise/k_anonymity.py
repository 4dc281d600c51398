"""k-anonymity on the quasi-identifiers, counted strictly: global recoding up the hierarchies,
then local suppression in the spec's importance order.

**A blank is its own value** (sdcMicro's `alpha = 0`): two records are in one class only when
they hold the same released value, or both hold none, on every quasi-identifier. Counting a
blank as matching any value lets the few respondents who skip the "about you" section fill
every class of their country; counted strictly, a skipped section never makes a file safe.
Classes are then a plain group-by on the released codes (classes.combine), and a file meeting
k this way also meets it under the wildcard count (a wildcard only adds matches).

1. Global recoding (greedy). While more than `max_at_risk_share` of the records sit in a
   class smaller than k, try one step up the hierarchy of each quasi-identifier and take the
   step that removes most records at risk per bit of information lost (the drop in the
   variable's entropy times the records that answered it), that loss weighted by the
   variable's importance (doubling with each rank), so that the more important a variable,
   the later it is coarsened. Stop when no step helps.
2. Local suppression. Each combination still in a class smaller than k loses one value per
   round: the least important value whose suppression lifts it to k, or when none does, its
   least important value; the most important quasi-identifier (gender) is not a candidate.
   Suppression moves records into classes with more blanks, so this ends. A class left
   below k with nothing but its strata and gender is filled from the largest classes of the
   same strata and gender (those records keep their gender and lose the rest); only what
   cannot be filled so loses its gender, and a class of blanks is filled the same way from
   its strata. Nobody is dropped.

The strata (`country`, and any the spec declares) are never recoded nor suppressed: every
record keeps them, no class crosses them, and each national cut meets k on its own. A
country with fewer than k records cannot be released at all (CountryTooSmall).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync_server.anonymise.classes import MISSING, Combinations, combine, row_keys
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
    recoded: np.ndarray  # (records, QIs): the answers at the chosen level, before suppression
    original: np.ndarray  # (records, QIs): the answers' codes (level 0)
    encoded: tuple[Encoded, ...]
    suppressed: np.ndarray  # (records, QIs) bool: set missing here (was answered)
    below_k_before: BelowK
    below_k_after: BelowK
    filled: int  # records whose every quasi-identifier went to fill a class of blanks

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


def below_k(codes: np.ndarray, weights: np.ndarray, k: int) -> BelowK:
    """Classes (a blank its own value) smaller than k, and the records in them."""
    combos = combine(codes, weights)
    small = combos.weights < k
    return BelowK(int(small.sum()), int(combos.weights[small].sum()))


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
    rank: np.ndarray,
) -> list[int]:
    levels = [0] * len(encoded)
    total = int(weights.sum())
    risk = _recoding_risk(_recode(base, encoded, levels), weights, k)
    least = int(rank.max(initial=0))
    while risk[0] > max_share * total:
        best: tuple[tuple[float, float], int, tuple[int, int]] | None = None
        for j, enc in enumerate(encoded):
            if fixed[j] or levels[j] + 1 >= len(enc.maps):
                continue
            trial = levels.copy()
            trial[j] += 1
            after = _recoding_risk(_recode(base, encoded, trial), weights, k)
            # Records lifted to k; when no step lifts any (strictly counted, a single step
            # often cannot), classes merged: the step towards k that costs least.
            gains = (risk[0] - after[0], risk[1] - after[1])
            if gains[0] < 0 or (gains[0] == 0 and gains[1] <= 0):
                continue
            before_bits = _entropy(_at_level(base[:, j], enc, levels[j]), weights)
            after_bits = _entropy(_at_level(base[:, j], enc, trial[j]), weights)
            # Each rank of importance doubles what a lost bit costs.
            lost = max(before_bits - after_bits, 0.0) * 2.0 ** (least - int(rank[j]))
            # Rounded: sums in another order must not flip a tie (input order must not matter).
            score = tuple(round(g / lost, 9) if lost > 0 else float("inf") for g in gains)
            if best is None or (score, -j) > best[:2]:
                best = (score, -j, after)
        if best is None:
            break
        levels[-best[1]] += 1
        risk = best[2]
    return levels


def _recoding_risk(codes: np.ndarray, weights: np.ndarray, k: int) -> tuple[int, int]:
    """(records in classes below k, classes): the second is the expected re-identifications
    (the sum of 1 / class size), which every merge lowers."""
    combos = combine(codes, weights)
    small = combos.weights < k
    return int(combos.weights[small].sum()), len(combos.weights)


def _protected(fixed: np.ndarray, rank: np.ndarray) -> int:
    """The most important column that is not a stratum, or -1."""
    free = np.flatnonzero(~fixed)
    return int(free[np.argmin(rank[free])]) if len(free) > 1 else -1


def _sizes_of(candidates: np.ndarray, combos: Combinations) -> np.ndarray:
    """The current size of the class each candidate row (a code vector) would join."""
    stacked = np.concatenate([combos.codes, candidates])
    keys = row_keys(stacked, range(stacked.shape[1]))
    known = pd.Index(keys[: len(combos.codes)])
    found = known.get_indexer(keys[len(combos.codes) :])
    return np.where(found >= 0, combos.weights[np.maximum(found, 0)], 0)


def _suppress_locally(
    codes: np.ndarray, weights: np.ndarray, k: int, fixed: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """Suppress values of `codes` (distinct rows, weighted) until every class has k or has
    nothing left to suppress; the `fixed` columns (the strata) are never candidates."""
    codes = codes.copy()
    # Least important first; the most important (gender) is kept: _fill_classes deals with
    # the classes left with nothing else.
    protected = _protected(fixed, rank)
    order = [j for j in np.argsort(-rank, kind="stable") if not fixed[j] and j != protected]
    while True:
        combos = combine(codes, weights)
        small = np.flatnonzero(combos.weights < k)
        present = combos.codes[small] >= 0
        present[:, fixed] = False
        if protected >= 0:
            present[:, protected] = False
        movable = present.any(axis=1)
        small, present = small[movable], present[movable]
        if len(small) == 0:
            return codes
        chosen = np.full(len(small), -1, dtype=np.int64)
        fallback = np.full(len(small), -1, dtype=np.int64)
        for j in order:
            rows = np.flatnonzero(present[:, j])
            if len(rows) == 0:
                continue
            candidates = combos.codes[small[rows]].copy()
            candidates[:, j] = MISSING
            grown = _sizes_of(candidates, combos) + combos.weights[small[rows]]
            open_rows = rows[chosen[rows] < 0]
            reaches = rows[(grown >= k) & (chosen[rows] < 0)]
            chosen[reaches] = j
            fallback[open_rows[fallback[open_rows] < 0]] = j
        chosen = np.where(chosen >= 0, chosen, fallback)
        per_combo = np.full(len(combos.codes), -1, dtype=np.int64)
        per_combo[small] = chosen
        per_row = per_combo[combos.inverse]
        hit = np.flatnonzero(per_row >= 0)
        codes[hit, per_row[hit]] = MISSING


def _fill_classes(
    codes: np.ndarray,
    k: int,
    fixed: np.ndarray,
    order_key: np.ndarray,
    protected: int,
) -> tuple[np.ndarray, int]:
    """Fill the classes local suppression leaves below k with nothing left to give: first
    those holding only their strata and gender, from records of the same strata and gender
    (who keep their gender, losing the rest); what cannot be filled so loses its gender too
    and joins the class of blanks of its strata, filled the same way. Nobody is dropped."""
    codes = codes.copy()
    filled = 0
    if protected >= 0:
        codes, filled, short = _fill(codes, k, fixed, order_key, keep=protected)
        codes[short, protected] = MISSING
    codes, more, short = _fill(codes, k, fixed, order_key, keep=-1)
    if short.any():
        raise TooFewRecords("a stratum has fewer than k records")
    return codes, filled + more


def _fill(
    codes: np.ndarray, k: int, fixed: np.ndarray, order_key: np.ndarray, keep: int
) -> tuple[np.ndarray, int, np.ndarray]:
    """Classes with nothing but the strata (and the `keep` column, present) below k take
    records from the largest classes of the same group, every other value of those
    suppressed. Donors keep at least k or go whole, the first by `order_key` (source-id
    order) first, so the result does not depend on input order. Returns the records of
    groups that could not be filled."""
    group_columns = fixed.copy()
    if keep >= 0:
        group_columns[keep] = True
    clear = np.flatnonzero(~group_columns)
    bare = ~(codes[:, clear] >= 0).any(axis=1)
    if keep >= 0:
        bare &= codes[:, keep] >= 0
    groups = row_keys(codes, np.flatnonzero(group_columns))
    short = np.zeros(len(codes), dtype=bool)
    filled = 0
    for group in np.unique(groups[bare]):
        mine = groups == group
        need = k - int((mine & bare).sum())
        if need <= 0:
            continue
        members = np.flatnonzero(mine & ~bare)
        combos = combine(codes[members])
        for combo in np.lexsort((np.arange(len(combos.weights)), -combos.weights)):
            if need <= 0:
                break
            size = int(combos.weights[combo])
            rows = members[combos.inverse == combo]
            rows = rows[np.argsort(order_key[rows], kind="stable")]
            take = need if size - need >= k else size
            codes[np.ix_(rows[:take], clear)] = MISSING
            filled += take
            need -= take
        if need > 0:
            short |= mine & bare
    return codes, filled, short


def k_anonymise(
    frame: pd.DataFrame,
    quasi_identifiers: tuple[QuasiIdentifier, ...],
    k: int,
    *,
    max_at_risk_share: float = DEFAULT_MAX_AT_RISK_SHARE,
    importance: tuple[str, ...] = (),
    strata: tuple[str, ...] = (STRATUM,),
    order_key: np.ndarray | None = None,
) -> KResult:
    """`importance`: quasi-identifiers, most important first (the others follow, in their
    order); `strata`: never recoded nor suppressed; `order_key`: each record's rank by source
    id (which records fill a class of blanks)."""
    records = len(frame)
    if records < k:
        raise TooFewRecords(f"{records} records cannot form a class of k={k}")
    names = tuple(qi.name for qi in quasi_identifiers)
    held = tuple(name for name in strata if name in names)
    if held:
        _check_strata(frame, held, k)
    columns, encoded_list = [], []
    for quasi in quasi_identifiers:
        codes, enc = encode(frame[quasi.name], quasi)
        columns.append(codes)
        encoded_list.append(enc)
    encoded = tuple(encoded_list)
    raw = np.column_stack(columns) if columns else np.zeros((records, 0), dtype=np.int64)
    base = combine(raw)
    before = below_k(base.codes, base.weights, k)
    # A column with one value splits no class; suppressing it would only make a second.
    constant = [len(np.unique(raw[:, j])) <= 1 for j in range(len(names))]
    fixed = np.array([name in held or constant[j] for j, name in enumerate(names)], dtype=bool)
    ranked = [n for n in importance if n in names] + [n for n in names if n not in importance]
    rank = np.array([ranked.index(name) for name in names], dtype=np.int64)
    levels = _choose_recoding(base.codes, base.weights, encoded, k, max_at_risk_share, fixed, rank)
    recoded_base = _recode(base.codes, encoded, levels)
    treated_base = _suppress_locally(recoded_base, base.weights, k, fixed, rank)
    codes = treated_base[base.inverse]
    recoded = recoded_base[base.inverse]
    if order_key is None:
        order_key = np.arange(records)
    codes, filled = _fill_classes(codes, k, fixed, order_key, _protected(fixed, rank))
    after = below_k(codes, np.ones(records, dtype=np.int64), k)
    suppressed = (codes < 0) & (recoded >= 0)
    return KResult(
        names=names,
        levels={
            enc.name: enc.level_names[level] for enc, level in zip(encoded, levels, strict=True)
        },
        codes=codes,
        recoded=recoded,
        original=raw,
        encoded=encoded,
        suppressed=suppressed,
        below_k_before=before,
        below_k_after=after,
        filled=filled,
    )


def _check_strata(frame: pd.DataFrame, strata: tuple[str, ...], k: int) -> None:
    """Every record has its strata, and every country (and cell of the strata) has k."""
    for name in strata:
        missing = int(frame[name].isna().sum())
        if missing:
            raise ValueError(
                f"{name} is missing on {missing} records: it is a stratum, every respondent has one"
            )
    if STRATUM in strata:
        counts = frame[STRATUM].astype(str).value_counts()
        small = counts[counts < k]
        if len(small):
            raise CountryTooSmall({str(c): int(n) for c, n in small.items()}, k)
    if len(strata) > 1:
        cells = frame.groupby(list(strata), dropna=False).size()
        if (cells < k).any():
            named = ", ".join(
                "/".join(map(str, key if isinstance(key, tuple) else (key,)))
                for key in cells[cells < k].index
            )
            raise TooFewRecords(
                f"fewer than k={k} respondents in a cell of the strata {', '.join(strata)} "
                f"({named}): classes never cross strata, so it cannot be released"
            )
