"""Point estimates with 95 % confidence intervals, and the tests that compare two groups.

The method section of the report prints these rules; they are the usual ones, chosen so
that an analyst with any statistics package gets the same figures:
- a mean (a key-factor index): the sample mean, with a t interval (n - 1 degrees of
  freedom, the sample standard deviation);
- a rate (an experience item): the Wilson score interval, which stays inside 0–1 and behaves
  with the small counts and the rates near 0 of "were you offered a payment";
- a difference of two means (a gender gap, a change since the last wave): Welch's t test
  and its interval (unequal variances, Welch–Satterthwaite degrees of freedom);
- a difference of two rates: the two-sided z test of two proportions (pooled standard error
  for the test, unpooled for the interval);
- means across several categories (grade, post, region): Welch's one-way ANOVA; rates across
  them: the chi-square test of independence (no continuity correction).
A difference is "significant" when p < 0.05.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

LEVEL = 0.95
SIGNIFICANCE = 0.05
_Z = stats.norm.ppf(0.5 + LEVEL / 2)


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Comparison:
    """`first` minus `second`, with its interval and the test behind it."""

    difference: float
    low: float
    high: float
    p_value: float
    test: str

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE


def mean_estimate(values: Sequence[float]) -> Estimate | None:
    """The mean and its t interval; None for fewer than two values (no interval exists)."""
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.5 + LEVEL / 2, n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def rate_estimate(hits: int, n: int) -> Estimate | None:
    """The rate hits / n and its Wilson score interval; None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= hits <= n:
        raise ValueError("hits must lie between 0 and n")
    rate = hits / n
    z2 = _Z * _Z
    centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(rate, max(0.0, centre - half), min(1.0, centre + half), n)


def welch_comparison(first: Sequence[float], second: Sequence[float]) -> Comparison | None:
    """Welch's t test of mean(first) - mean(second); None unless each has two values."""
    if len(first) < 2 or len(second) < 2:
        return None
    a, b = mean_estimate(first), mean_estimate(second)
    assert a is not None and b is not None
    va = _variance(first, a.value) / a.n
    vb = _variance(second, b.value) / b.n
    difference = a.value - b.value
    if va + vb == 0:  # both groups constant: the difference is exact
        p = 1.0 if difference == 0 else 0.0
        return Comparison(difference, difference, difference, p, "welch-t")
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    t = difference / se
    p = 2 * stats.t.sf(abs(t), df)
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * se
    return Comparison(difference, difference - half, difference + half, float(p), "welch-t")


def rate_comparison(hits_a: int, n_a: int, hits_b: int, n_b: int) -> Comparison | None:
    """The two-proportion z test of rate a - rate b; None if a group is empty."""
    if n_a <= 0 or n_b <= 0:
        return None
    ra, rb = hits_a / n_a, hits_b / n_b
    difference = ra - rb
    pooled = (hits_a + hits_b) / (n_a + n_b)
    se_test = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p = 1.0 if se_test == 0 else float(2 * stats.norm.sf(abs(difference) / se_test))
    half = _Z * math.sqrt(ra * (1 - ra) / n_a + rb * (1 - rb) / n_b)
    return Comparison(difference, difference - half, difference + half, p, "two-proportion-z")


def _variance(values: Sequence[float], mean: float) -> float:
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


@dataclass(frozen=True)
class GroupTest:
    """Whether the categories of a breakdown differ at all, and by which test."""

    statistic: float
    p_value: float
    test: str

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE


def means_test(groups: Sequence[Sequence[float]]) -> GroupTest | None:
    """Welch's ANOVA over the groups with two values or more; None for fewer than two such."""
    usable = [list(g) for g in groups if len(g) >= 2]
    # Welch weighs each group by n / variance: a group without spread leaves it undefined.
    if len(usable) < 2 or any(_variance(g, math.fsum(g) / len(g)) == 0 for g in usable):
        return None
    result = stats.f_oneway(*usable, equal_var=False)
    return GroupTest(float(result.statistic), float(result.pvalue), "welch-anova")


def rates_test(counts: Sequence[tuple[int, int]]) -> GroupTest | None:
    """The chi-square test of independence of (hits, n) per group; None when it is
    undefined (fewer than two groups, or every answer the same)."""
    usable = [(hits, n) for hits, n in counts if n > 0]
    total_hits = sum(h for h, _ in usable)
    total = sum(n for _, n in usable)
    if len(usable) < 2 or total_hits in (0, total):
        return None
    table = [[hits, n - hits] for hits, n in usable]
    statistic, p, _, _ = stats.chi2_contingency(table, correction=False)
    return GroupTest(float(statistic), float(p), "chi-square")
