"""Every number of a national or pooled report, computed from the release frame alone.

`report_figures` is what `figures.json` holds: per key factor the index (factor_index) with
its interval, by gender with the gap and its test (estimates), the experience items as
rates, and the list of cells not shown and why (cells). A category of a breakdown counts
everyone in the release: "not stated" (a skip, or "prefer not to say") is a category of its
own, so that no hidden cell can be derived from the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from questionnaire_specs import Question, QuestionType, Spec
from questionnaire_specs.models import Disclosure
from questionnaire_specs.response_quality import is_speeder, is_straight_liner
from sync_server.reports.cells import DEFAULT_MIN_N, suppressed_cells
from sync_server.reports.estimates import (
    Comparison,
    Estimate,
    mean_estimate,
    rate_comparison,
    rate_estimate,
    welch_comparison,
)
from sync_server.reports.factor_index import factor_scores

NOT_STATED = "not_stated"
YES = 1  # the CIPS experience items code "yes" as 1
FEMALE, MALE = 1, 2  # the gender gap is women minus men


def experience_items(spec: Spec, population: str) -> list[Question]:
    """The sensitive yes/no-type items asked of everyone who consented (not the follow-ups
    asked only after a yes): their rate of "yes" is what the report shows."""
    sensitive = [
        q
        for q in spec.questions_for(population)
        if q.disclosure is Disclosure.SENSITIVE and q.type is QuestionType.SINGLE_CHOICE
    ]
    ids = {q.id for q in sensitive}
    return [
        q
        for q in sensitive
        if YES in spec.option_codes(q)
        and not any(f"${{{other}}}" in (q.relevant or "") for other in ids)
    ]


def gender_categories(spec: Spec, frame: pd.DataFrame) -> pd.Series:
    """Each respondent's gender category: an option code as text, or "not_stated"."""
    question = spec.question("gender")
    substantive = {o.code for o in spec.options_for(question) if not o.non_substantive}
    codes = frame["gender"] if "gender" in frame else pd.Series(pd.NA, index=frame.index)
    return codes.map(lambda c: str(int(c)) if c in substantive else NOT_STATED)


def _estimate(estimate: Estimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"value": estimate.value, "low": estimate.low, "high": estimate.high, "n": estimate.n}


def _comparison(comparison: Comparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "difference": comparison.difference,
        "low": comparison.low,
        "high": comparison.high,
        "p_value": comparison.p_value,
        "test": comparison.test,
        "significant": comparison.significant,
    }


class _Figures:
    def __init__(self, frame: pd.DataFrame, spec: Spec, population: str, min_n: int) -> None:
        self.frame = frame
        self.spec = spec
        self.population = population
        self.min_n = min_n
        self.gender = gender_categories(spec, frame)
        self.categories = [
            str(o.code) for o in spec.options_for("gender") if not o.non_substantive
        ] + [NOT_STATED]
        self.suppressed: list[dict[str, str]] = []

    def _hidden(self, figure: str, counts: dict[str, int]) -> dict[str, str]:
        hidden = {cell.category: cell.reason for cell in suppressed_cells(counts, min_n=self.min_n)}
        self.suppressed += [
            {"figure": f"{figure}/gender/{category}", "reason": reason}
            for category, reason in hidden.items()
        ]
        return hidden

    def breakdown(self, figure: str, values: pd.Series, kind: str) -> dict[str, Any]:
        """By gender: each category's estimate (None where hidden) and the gap."""
        present = values.notna()
        counts = {c: int((present & (self.gender == c)).sum()) for c in self.categories}
        hidden = self._hidden(figure, counts)
        groups = {c: values[present & (self.gender == c)] for c in self.categories}
        cells = {}
        for category in self.categories:
            if category in hidden:
                cells[category] = {"estimate": None, "suppressed": hidden[category]}
            else:
                cells[category] = {
                    "estimate": _estimate(self.estimate(groups[category], kind)),
                    "suppressed": None,
                }
        women, men = str(FEMALE), str(MALE)
        gap = None
        if women not in hidden and men not in hidden:
            gap = _comparison(self.compare(groups[women], groups[men], kind))
        return {"categories": cells, "gap_women_minus_men": gap}

    @staticmethod
    def estimate(values: pd.Series, kind: str) -> Estimate | None:
        if kind == "mean":
            return mean_estimate(values.astype(float).tolist())
        return rate_estimate(int(values.sum()), int(values.count()))

    @staticmethod
    def compare(first: pd.Series, second: pd.Series, kind: str) -> Comparison | None:
        if kind == "mean":
            return welch_comparison(first.astype(float).tolist(), second.astype(float).tolist())
        return rate_comparison(
            int(first.sum()), int(first.count()), int(second.sum()), int(second.count())
        )

    def total(self, figure: str, values: pd.Series, kind: str) -> dict[str, Any] | None:
        if values.count() < self.min_n:
            self.suppressed.append({"figure": figure, "reason": "small"})
            return None
        return _estimate(self.estimate(values.dropna(), kind))


def report_figures(
    frame: pd.DataFrame,
    spec: Spec,
    population: str,
    *,
    min_n: int = DEFAULT_MIN_N,
    factors: Sequence[int] | None = None,
    previous: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The figures of one population's report from its release rows (one row a respondent,
    answers as codes). With `previous`, the same population's release of an earlier wave,
    each factor also gets its change since then (this wave minus that one, Welch's test),
    unless either wave has fewer than `min_n` scores for it."""
    everyone = _of_population(frame, population)
    careless = careless_flags(everyone, spec, population)
    rows = everyone[~careless.any(axis=1)]
    figures = _Figures(rows, spec, population, min_n)
    scores = factor_scores(rows, spec, population)
    all_scores = factor_scores(everyone, spec, population)
    before = (
        None
        if previous is None
        else factor_scores(_of_population(previous, population), spec, population)
    )
    factor_figures = []
    for column in scores.columns:
        number = int(column.removeprefix("kf"))
        if factors is not None and number not in factors:
            continue
        values = scores[column]
        entry = {
            "factor": number,
            "index": figures.total(column, values, "mean"),
            "by_gender": figures.breakdown(column, values, "mean"),
        }
        if before is not None:
            entry["change"] = _change(values, before[column], min_n)
        factor_figures.append(entry)
    experience = []
    for question in experience_items(spec, population):
        substantive = {o.code for o in spec.options_for(question) if not o.non_substantive}
        answers = rows[question.id] if question.id in rows else pd.Series(dtype=float)
        # "yes" among the substantive answers; a skip or "prefer not to answer" is no answer
        yes = answers.where(answers.isin(substantive)).map(
            lambda code: float(code == YES), na_action="ignore"
        )
        experience.append(
            {
                "item": question.id,
                "rate_yes": figures.total(question.id, yes, "rate"),
                "by_gender": figures.breakdown(question.id, yes, "rate"),
            }
        )
    quality = {
        "straight_liners": int(careless["straight_liner"].sum()),
        "speeders": int(careless["speeder"].sum()),
        "excluded": len(everyone) - len(rows),
        # what leaving them out changes: each index with them minus without them
        "effect_on_index": {
            column: _shift(all_scores[column], scores[column], min_n) for column in scores
        },
    }
    return {
        "population": population,
        "respondents": len(everyone),
        "in_indices": len(rows),
        "quality": quality,
        "min_n": min_n,
        "factors": factor_figures,
        "experience": experience,
        "suppressed": figures.suppressed,
    }


def _of_population(frame: pd.DataFrame, population: str) -> pd.DataFrame:
    return frame[frame["population"] == population] if "population" in frame else frame


def _change(now: pd.Series, then: pd.Series, min_n: int) -> dict[str, Any] | None:
    now, then = now.dropna(), then.dropna()
    if len(now) < min_n or len(then) < min_n:
        return None
    return _comparison(welch_comparison(now.tolist(), then.tolist()))


def careless_flags(frame: pd.DataFrame, spec: Spec, population: str) -> pd.DataFrame:
    """Per respondent: straight-liner, speeder (questionnaire_specs.response_quality; speed
    only where the file has the exact duration)."""
    columns = [q.id for q in spec.questions_for(population) if q.id in frame]
    records = frame[columns].astype(object).where(frame[columns].notna(), None)
    answers = records.to_dict("records")
    straight = [is_straight_liner(spec, population, a) for a in answers]
    if "duration_s" in frame:
        speed = [is_speeder(a, float(d)) for a, d in zip(answers, frame["duration_s"], strict=True)]
    else:
        speed = [False] * len(answers)
    return pd.DataFrame({"straight_liner": straight, "speeder": speed}, index=frame.index)


def _shift(with_all: pd.Series, without: pd.Series, min_n: int) -> float | None:
    with_all, without = with_all.dropna(), without.dropna()
    if len(with_all) < min_n or len(without) < min_n:
        return None
    return float(with_all.mean() - without.mean())
