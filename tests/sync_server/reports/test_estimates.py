"""Known answers for the report's estimates: hand-computed, or from published tables."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sync_server.reports.estimates import (
    mean_estimate,
    rate_comparison,
    rate_estimate,
    welch_comparison,
)


def test_a_mean_and_its_t_interval() -> None:
    # mean 50, sd 50, se 50/sqrt(3) = 28.8675; t(0.975, 2) = 4.302653 (any t table)
    estimate = mean_estimate([0, 50, 100])
    assert estimate is not None
    assert (estimate.value, estimate.n) == (50, 3)
    assert estimate.low == pytest.approx(50 - 4.302653 * 28.867513, abs=1e-4)
    assert estimate.high == pytest.approx(50 + 4.302653 * 28.867513, abs=1e-4)


def test_one_value_has_no_interval() -> None:
    assert mean_estimate([75.0]) is None
    assert mean_estimate([]) is None


@pytest.mark.parametrize(
    ("hits", "n", "low", "high"),
    [
        # Wilson score intervals as published (Newcombe 1998, Table I; Brown, Cai and
        # DasGupta 2001): 1/10 → 0.0179–0.4042, 0/20 → 0–0.1611, 81/263 → 0.2553–0.3662.
        (1, 10, 0.0179, 0.4042),
        (0, 20, 0.0, 0.1611),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_a_rate_and_its_wilson_interval(hits: int, n: int, low: float, high: float) -> None:
    estimate = rate_estimate(hits, n)
    assert estimate is not None
    assert estimate.value == pytest.approx(hits / n)
    assert (round(estimate.low, 4), round(estimate.high, 4)) == (low, high)


def test_a_rate_needs_respondents_and_sane_counts() -> None:
    assert rate_estimate(0, 0) is None
    with pytest.raises(ValueError):
        rate_estimate(5, 4)


def test_welch_by_hand_and_against_scipy() -> None:
    first, second = [1, 2, 3, 4, 5], [3, 5, 7, 9]
    # By hand: means 3 and 6, variances 2.5 and 20/3; se = sqrt(0.5 + 5/3) = 1.471960,
    # t = -2.038098, Welch–Satterthwaite df = (13/6)^2 / (0.25/4 + (5/3)^2/3) = 4.749415.
    comparison = welch_comparison(first, second)
    assert comparison is not None
    assert comparison.difference == -3
    se, df = math.sqrt(0.5 + 5 / 3), (13 / 6) ** 2 / (0.25 / 4 + (5 / 3) ** 2 / 3)
    assert se == pytest.approx(1.471960, abs=1e-6) and df == pytest.approx(4.749415, abs=1e-6)
    assert comparison.high - comparison.difference == pytest.approx(
        stats.t.ppf(0.975, df) * se, abs=1e-9
    )
    # scipy's own Welch test (not our code) gives the same p.
    reference = stats.ttest_ind(first, second, equal_var=False)
    assert comparison.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert not comparison.significant  # p ≈ 0.10


def test_welch_of_constant_groups_is_exact() -> None:
    same = welch_comparison([50, 50], [50, 50])
    apart = welch_comparison([25, 25], [75, 75])
    assert same is not None and apart is not None
    assert (same.difference, same.p_value, same.significant) == (0, 1.0, False)
    assert (apart.difference, apart.p_value, apart.significant) == (-50, 0.0, True)
    assert welch_comparison([1], [1, 2]) is None


def test_two_proportions() -> None:
    # 30/100 against 20/100: pooled 0.25, se = sqrt(0.25 · 0.75 · 0.02) = 0.0612372,
    # z = 1.632993, two-sided p = 0.102470 (normal table).
    comparison = rate_comparison(30, 100, 20, 100)
    assert comparison is not None
    assert comparison.difference == pytest.approx(0.10)
    assert comparison.p_value == pytest.approx(0.102470, abs=1e-6)
    half = 1.959964 * math.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)
    assert (comparison.low, comparison.high) == (
        pytest.approx(0.10 - half, abs=1e-6),
        pytest.approx(0.10 + half, abs=1e-6),
    )
    assert rate_comparison(0, 0, 1, 2) is None
