"""Every figure of the report, recomputed from the release rows with plain pandas and
scipy's own intervals and tests (none of the report's code), on skewed generated data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from questionnaire_specs import load_spec
from sync_server.reports.factor_index import factor_items
from sync_server.reports.figures import experience_items, report_figures
from sync_server.reports.page import render_html

SPEC = load_spec(Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml")


def generated(n: int, seed: int) -> pd.DataFrame:
    """Officials as a field wave gives them: 28 % women, a few who do not say, one tiny
    "other" group, women a little more critical, 10 % "don't know", some who skip a whole
    block, most answering "no" to the experience items."""
    rng = np.random.default_rng(seed)
    gender = rng.choice([1, 2, 9], size=n, p=[0.28, 0.67, 0.05]).astype(float)
    gender[:3] = 3  # three "other": below any cell size
    gender[rng.random(n) < 0.02] = np.nan
    rows: dict[str, object] = {"population": ["officials"] * n, "gender": gender}
    for group in factor_items(SPEC, "officials"):
        skip_block = rng.random(n) < 0.04
        for question in group.items:
            shift = np.where(gender == 1, -0.4, 0.0) + group.factor / 10
            codes = np.clip(np.round(rng.normal(3.2 + shift, 1.1)), 1, 5)
            codes[rng.random(n) < 0.10] = rng.choice([8, 9])
            codes[skip_block] = np.nan
            rows[question.id] = codes
    for question in experience_items(SPEC, "officials"):
        codes = rng.choice([1, 2, 9], size=n, p=[0.18, 0.77, 0.05]).astype(float)
        codes[rng.random(n) < 0.03] = np.nan
        rows[question.id] = codes
    return pd.DataFrame(rows)


def plain_scores(frame: pd.DataFrame, factor: int) -> pd.Series:
    ids = [q.id for q in SPEC.questions_for("officials") if q.key_factor == factor]
    items = frame[ids].where(frame[ids].isin([1, 2, 3, 4, 5]))
    score = (items - 1).mul(25).mean(axis=1)
    return score.where(items.notna().sum(axis=1) >= math.ceil(len(ids) / 2)).dropna()


def assert_mean(figure: dict, values: pd.Series) -> None:
    low, high = stats.t.interval(0.95, len(values) - 1, values.mean(), stats.sem(values))
    assert figure["n"] == len(values)
    assert figure["value"] == pytest.approx(values.mean(), rel=1e-12)
    assert (figure["low"], figure["high"]) == (pytest.approx(low), pytest.approx(high))


def assert_rate(figure: dict, hits: int, n: int) -> None:
    interval = stats.binomtest(hits, n).proportion_ci(0.95, method="wilson")
    assert (figure["n"], figure["value"]) == (n, pytest.approx(hits / n))
    assert (figure["low"], figure["high"]) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generated(400, seed=3)


@pytest.fixture(scope="module")
def figures(frame: pd.DataFrame) -> dict:
    return report_figures(frame, SPEC, "officials")


def test_each_factor_index_recomputed(frame: pd.DataFrame, figures: dict) -> None:
    assert [f["factor"] for f in figures["factors"]] == list(range(1, 11))
    for figure in figures["factors"]:
        assert_mean(figure["index"], plain_scores(frame, figure["factor"]))


def test_each_gender_gap_recomputed(frame: pd.DataFrame, figures: dict) -> None:
    significant = 0
    for figure in figures["factors"]:
        scores = plain_scores(frame, figure["factor"])
        gender = frame.loc[scores.index, "gender"]
        women, men = scores[gender == 1], scores[gender == 2]
        cells = figure["by_gender"]["categories"]
        assert_mean(cells["1"]["estimate"], women)
        assert_mean(cells["2"]["estimate"], men)
        reference = stats.ttest_ind(women, men, equal_var=False)
        interval = reference.confidence_interval(0.95)
        gap = figure["by_gender"]["gap_women_minus_men"]
        assert gap["difference"] == pytest.approx(women.mean() - men.mean())
        assert gap["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
        assert (gap["low"], gap["high"]) == (
            pytest.approx(interval.low),
            pytest.approx(interval.high),
        )
        significant += gap["significant"]
    assert significant >= 5  # the generated women are more critical: the tests see it


def test_experience_rates_recomputed(frame: pd.DataFrame, figures: dict) -> None:
    items = [figure["item"] for figure in figures["experience"]]
    assert items == ["offered", "asked_internal", "know_report", "safe_report"]
    for figure in figures["experience"]:
        answers = frame[figure["item"]]
        substantive = answers[answers.isin([1, 2, 3])]  # 9 "prefer not to answer" is none
        assert_rate(figure["rate_yes"], int((substantive == 1).sum()), len(substantive))
        women = substantive[frame.loc[substantive.index, "gender"] == 1]
        assert_rate(
            figure["by_gender"]["categories"]["1"]["estimate"],
            int((women == 1).sum()),
            len(women),
        )


def test_no_hidden_cell_can_be_derived(frame: pd.DataFrame, figures: dict) -> None:
    """The three "other" are hidden everywhere, and always with a second cell, so that the
    total minus the cells shown never gives one of them."""
    for figure in figures["factors"] + figures["experience"]:
        cells = figure["by_gender"]["categories"]
        hidden = [c for c, cell in cells.items() if cell["estimate"] is None]
        assert "3" in hidden
        assert len(hidden) >= 2
        shown_n = sum(cell["estimate"]["n"] for cell in cells.values() if cell["estimate"])
        total = figure.get("index") or figure.get("rate_yes")
        assert total["n"] - shown_n >= 3  # what is hidden holds the three, and more
    reasons = {entry["reason"] for entry in figures["suppressed"]}
    assert reasons == {"small", "complementary"}


def test_a_small_population_shows_no_figure() -> None:
    figures = report_figures(generated(8, seed=1), SPEC, "officials")
    assert all(f["index"] is None for f in figures["factors"])
    assert all(
        cell["estimate"] is None
        for f in figures["factors"]
        for cell in f["by_gender"]["categories"].values()
    )


def test_the_change_since_the_last_wave_recomputed(frame: pd.DataFrame) -> None:
    earlier = generated(350, seed=11)
    for column in [c for c in earlier if c.startswith("lead_")]:
        earlier[column] = earlier[column].where(earlier[column] > 4, earlier[column] - 1).clip(1)
    figures = report_figures(frame, SPEC, "officials", previous=earlier)
    for figure in figures["factors"]:
        now, then = plain_scores(frame, figure["factor"]), plain_scores(earlier, figure["factor"])
        reference = stats.ttest_ind(now, then, equal_var=False)
        change = figure["change"]
        assert change["difference"] == pytest.approx(now.mean() - then.mean())
        assert change["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    # leadership was rated lower in the earlier wave: a significant rise now
    leadership = figures["factors"][0]["change"]
    assert leadership["difference"] > 0 and leadership["significant"]
    # no earlier wave, no change; a tiny earlier wave, no change shown
    assert "change" not in report_figures(frame, SPEC, "officials")["factors"][0]
    tiny = report_figures(frame, SPEC, "officials", previous=generated(6, seed=2))
    assert tiny["factors"][0]["change"] is None


def test_careless_respondents_are_left_out_and_the_effect_shown() -> None:
    frame = generated(300, seed=8)
    likert = [q.id for q in SPEC.questions_for("officials") if q.key_factor is not None]
    frame.loc[frame.index[-12:], likert] = 5.0  # twelve who agree with everything
    frame["duration_s"] = 900
    frame.loc[frame.index[:7], "duration_s"] = 40  # seven who took 40 s for ~55 answers
    figures = report_figures(frame, SPEC, "officials")
    quality = figures["quality"]
    assert (quality["straight_liners"], quality["speeders"], quality["excluded"]) == (12, 7, 19)
    assert (figures["respondents"], figures["in_indices"]) == (300, 281)
    kept = frame.iloc[7:-12]
    for figure in figures["factors"]:
        assert_mean(figure["index"], plain_scores(kept, figure["factor"]))
        everyone = plain_scores(frame, figure["factor"])
        effect = quality["effect_on_index"][f"kf{figure['factor']}"]
        assert effect == pytest.approx(
            everyone.mean() - plain_scores(kept, figure["factor"]).mean()
        )
        assert effect > 0  # the all-5 respondents pulled every index up


def test_the_other_breakdowns_the_spec_declares() -> None:
    frame = generated(400, seed=4)
    rng = np.random.default_rng(4)
    frame["grade"] = rng.choice([1, 2, 3, 4], size=len(frame), p=[0.02, 0.18, 0.6, 0.2])
    likert = [q.id for q in SPEC.questions_for("officials") if q.key_factor == 8]
    officers = frame["grade"] == 3
    block = frame.loc[officers, likert]
    frame.loc[officers, likert] = block.where(block > 5, (block + 1).clip(upper=5))
    # customs officers find HR fairer than the rest
    figures = report_figures(frame, SPEC, "officials")
    assert figures["breakdowns"] == ["gender", "post", "grade", "age", "years_service", "region"]
    hr = figures["factors"][7]
    by_grade = hr["by"]["grade"]
    scores = plain_scores(frame, 8)
    grade = frame.loc[scores.index, "grade"].astype(str)
    hidden = {c for c, cell in by_grade["categories"].items() if cell["suppressed"]}
    assert "1" in hidden  # a handful of senior managers
    assert len(hidden) == 2  # and the next smallest grade, to cover them
    shown = [scores[grade == c] for c in ("1", "2", "3", "4") if c not in hidden]
    reference = stats.f_oneway(*shown, equal_var=False)
    assert by_grade["test"]["test"] == "welch-anova"
    assert by_grade["test"]["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert by_grade["test"]["significant"]
    for code in {"2", "3", "4"} - hidden:
        assert_mean(by_grade["categories"][code]["estimate"], scores[grade == code])
    # rates across grades: scipy's chi-square test of the same table
    offered = figures["experience"][0]
    answers = frame["offered"].where(frame["offered"].isin([1, 2]))
    kept = [c for c, cell in offered["by"]["grade"]["categories"].items()
            if cell["estimate"] is not None and c != "not_stated"]  # fmt: skip
    grades = frame["grade"].astype(str)
    table = [[int(((answers == 1) & (grades == c)).sum()),
              int(((answers == 2) & (grades == c)).sum())] for c in kept]  # fmt: skip
    chi2 = stats.chi2_contingency(table, correction=False)
    assert offered["by"]["grade"]["test"]["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)


def test_a_pooled_release_is_broken_down_by_country() -> None:
    frame = pd.concat(
        [generated(200, seed=1).assign(country="SL"), generated(150, seed=2).assign(country="NP")],
        ignore_index=True,
    )
    figures = report_figures(frame, SPEC, "officials")
    assert figures["breakdowns"][:2] == ["gender", "country"]
    for figure in figures["factors"]:
        scores = plain_scores(frame, figure["factor"])
        by_country = figure["by"]["country"]
        assert list(by_country["categories"]) == ["NP", "SL", "not_stated"]
        for country in ("NP", "SL"):
            chosen = scores[frame.loc[scores.index, "country"] == country]
            assert_mean(by_country["categories"][country]["estimate"], chosen)
    page = render_html(figures, SPEC, "es", scope="pooled")
    assert "Según país" in page and "<th>NP</th>" in page and "<th>SL</th>" in page
    single = report_figures(generated(200, seed=1).assign(country="SL"), SPEC, "officials")
    assert "country" not in single["breakdowns"]
