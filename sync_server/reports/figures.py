"""Every number of a national or pooled report, computed from the release frame alone.

`report_figures` is what `figures.json` holds: per key factor the index (factor_index) with
its interval, by gender with the gap and its test (estimates), the experience items as
rates, and the list of cells not shown and why (cells). A category of a breakdown counts
everyone in the release: "not stated" (a skip, or "prefer not to say") is a category of its
own, so that no hidden cell can be derived from the total.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from questionnaire_specs import Question, QuestionType, Spec
from questionnaire_specs.models import Disclosure
from questionnaire_specs.response_quality import (
    SPEEDER,
    STRAIGHT_LINER,
    is_speeder,
    is_straight_liner,
)
from sync_server.reports.cells import DEFAULT_MIN_N, suppressed_cells
from sync_server.reports.estimates import (
    Comparison,
    Estimate,
    GroupTest,
    mean_estimate,
    means_test,
    rate_comparison,
    rate_estimate,
    rates_test,
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


# A question's answer codes and whether each is non-substantive: the spec's, or — for a
# variable the release recoded — those of the level released (its codebook's).
Codes = Sequence[tuple[object, bool]]


def categories_of(
    spec: Spec, frame: pd.DataFrame, question_id: str, codes_released: Codes | None = None
) -> tuple[pd.Series, list[str]]:
    """Each respondent's category of a breakdown question (its answer code as text, or
    "not_stated" for a skip or a non-substantive answer), and the categories in code order.
    A code not listed is a category too."""
    if codes_released:
        listed_codes: Codes = codes_released
    elif any(q.id == question_id for q in spec.questions):
        listed_codes = [(o.code, o.non_substantive) for o in spec.options_for(question_id)]
    else:  # a column of the release that is no question (country): its own values
        listed_codes = []
    substantive = [code for code, silent in listed_codes if not silent]
    silent = {code for code, quiet in listed_codes if quiet}
    codes = frame[question_id] if question_id in frame else pd.Series(pd.NA, index=frame.index)

    def category(code: object) -> str:
        if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)):
            return NOT_STATED
        if code in silent:
            return NOT_STATED
        return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)

    categories = codes.map(category)
    listed = [str(code) for code in substantive]
    extra = sorted(set(categories) - set(listed) - {NOT_STATED})
    return categories, [*listed, *extra, NOT_STATED]


def breakdown_questions(spec: Spec, population: str) -> list[str]:
    """The breakdowns besides gender: the comparisons the spec's importance order names
    (the analysis plan), where they are single-choice questions of this population."""
    asked = {q.id for q in spec.questions_for(population) if q.type is QuestionType.SINGLE_CHOICE}
    return [q for q in spec.settings.importance or () if q != "gender" and q in asked]


def _as_json(result: Estimate | Comparison | GroupTest | None) -> dict[str, Any] | None:
    """An estimate or a test as figures.json holds it (a test with its verdict)."""
    if result is None:
        return None
    document = dataclasses.asdict(result)
    if not isinstance(result, Estimate):
        document["significant"] = result.significant
    return document


@dataclass(frozen=True)
class Measure:
    """What a figure is, and so which estimate and tests it takes."""

    estimate: Callable[[pd.Series], Estimate | None]
    compare: Callable[[pd.Series, pd.Series], Comparison | None]
    across: Callable[[list[pd.Series]], GroupTest | None]


def _floats(values: pd.Series) -> list[float]:
    return values.astype(float).tolist()


def _hits(values: pd.Series) -> tuple[int, int]:
    return int(values.sum()), int(values.count())


# An index (respondents' scores) and a rate (a yes as 1, a no as 0).
MEAN = Measure(
    estimate=lambda values: mean_estimate(_floats(values)),
    compare=lambda first, second: welch_comparison(_floats(first), _floats(second)),
    across=lambda groups: means_test([_floats(group) for group in groups]),
)
RATE = Measure(
    estimate=lambda values: rate_estimate(*_hits(values)),
    compare=lambda first, second: rate_comparison(*_hits(first), *_hits(second)),
    across=lambda groups: rates_test([_hits(group) for group in groups]),
)


class _Figures:
    def __init__(
        self, frame: pd.DataFrame, spec: Spec, min_n: int, codes: Mapping[str, Codes]
    ) -> None:
        self.frame = frame
        self.spec = spec
        self.min_n = min_n
        self.codes = codes
        self._categories: dict[str, tuple[pd.Series, list[str]]] = {}
        self.suppressed: list[dict[str, str]] = []

    def categories(self, by: str) -> tuple[pd.Series, list[str]]:
        if by not in self._categories:
            self._categories[by] = categories_of(self.spec, self.frame, by, self.codes.get(by))
        return self._categories[by]

    def _hidden(self, figure: str, by: str, counts: dict[str, int]) -> dict[str, str]:
        hidden = {cell.category: cell.reason for cell in suppressed_cells(counts, min_n=self.min_n)}
        self.suppressed += [
            {"figure": f"{figure}/{by}/{category}", "reason": reason}
            for category, reason in hidden.items()
        ]
        return hidden

    def breakdown(
        self, figure: str, values: pd.Series, kind: Measure, by: str = "gender"
    ) -> dict[str, Any]:
        """Each category's estimate (None where hidden), and whether the categories shown
        differ: for gender the gap women minus men, otherwise a test across them."""
        of, categories = self.categories(by)
        present = values.notna()
        counts = {c: int((present & (of == c)).sum()) for c in categories}
        hidden = self._hidden(figure, by, counts)
        groups = {c: values[present & (of == c)] for c in categories}
        cells = {}
        for category in categories:
            if category in hidden:
                cells[category] = {"estimate": None, "suppressed": hidden[category]}
            else:
                cells[category] = {
                    "estimate": _as_json(kind.estimate(groups[category])),
                    "suppressed": None,
                }
        if by == "gender":
            women, men = str(FEMALE), str(MALE)
            gap = None
            if women not in hidden and men not in hidden:
                gap = _as_json(kind.compare(groups[women], groups[men]))
            return {"categories": cells, "gap_women_minus_men": gap}
        # Only the categories shown take part: a test must not tell about a hidden cell.
        shown = [groups[c] for c in categories if c not in hidden and c != NOT_STATED]
        return {"categories": cells, "test": _as_json(kind.across(shown))}

    def total(self, figure: str, values: pd.Series, kind: Measure) -> dict[str, Any] | None:
        if values.count() < self.min_n:
            self.suppressed.append({"figure": figure, "reason": "small"})
            return None
        return _as_json(kind.estimate(values.dropna()))


@dataclass(frozen=True)
class Alongside:
    """Another population's release of the same country and wave (the private sector beside
    officials): its own spec says which of its statements make each key factor."""

    frame: pd.DataFrame
    spec: Spec
    population: str


def kept_rows(frame: pd.DataFrame, spec: Spec, population: str) -> pd.DataFrame:
    """The population's respondents who count in the indices: careless ones left out."""
    respondents = _of_population(frame, population)
    return respondents[~careless_rows(respondents, spec, population).any(axis=1)]


def report_figures(
    frame: pd.DataFrame,
    spec: Spec,
    population: str,
    *,
    min_n: int = DEFAULT_MIN_N,
    factors: Sequence[int] | None = None,
    previous: pd.DataFrame | None = None,
    codes_released: Mapping[str, Codes] | None = None,
    alongside: Alongside | None = None,
) -> dict[str, Any]:
    """The figures of one population's report from its release rows (one row a respondent,
    answers as codes). With `previous`, the same population's release of an earlier wave,
    each factor also gets its change since then (this wave minus that one, Welch's test),
    unless either wave has fewer than `min_n` scores for it. With `alongside`, another
    population's release of the same wave, each factor gets that population's index and the
    difference (this one minus that one, Welch's test). `codes_released`: the codes of the
    variables the release recoded, from its codebook (build.py reads them)."""
    breakdowns = breakdown_questions(spec, population)
    if "country" in frame and frame["country"].nunique() > 1:
        breakdowns = ["country", *breakdowns]  # a pooled release: country first
    everyone = _of_population(frame, population)
    careless = careless_rows(everyone, spec, population)
    rows = everyone[~careless.any(axis=1)]
    figures = _Figures(rows, spec, min_n, codes_released or {})
    scores = factor_scores(rows, spec, population)
    all_scores = factor_scores(everyone, spec, population)
    # the earlier wave, and the other population, by the same rule: careless ones left out
    before = (
        None if previous is None else factor_scores(kept_rows(previous, spec, population), spec,
                                                    population)
    )  # fmt: skip
    beside = _Figures(pd.DataFrame(), spec, min_n, {})
    other = (
        None
        if alongside is None
        else factor_scores(
            kept_rows(alongside.frame, alongside.spec, alongside.population),
            alongside.spec,
            alongside.population,
        )
    )
    factor_figures = []
    for column in scores.columns:
        number = int(column.removeprefix("kf"))
        if factors is not None and number not in factors:
            continue
        values = scores[column]
        entry = {
            "factor": number,
            "index": figures.total(column, values, MEAN),
            "by_gender": figures.breakdown(column, values, MEAN),
            "by": {by: figures.breakdown(column, values, MEAN, by) for by in breakdowns},
        }
        if before is not None:
            entry["change"] = _change(values, before[column], min_n)
        if other is not None:
            theirs = other[column] if column in other else pd.Series(dtype=float)
            entry["alongside"] = {
                "index": beside.total(f"{column}/alongside", theirs, MEAN),
                "difference": _change(values, theirs, min_n),
            }
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
                "rate_yes": figures.total(question.id, yes, RATE),
                "by_gender": figures.breakdown(question.id, yes, RATE),
                "by": {by: figures.breakdown(question.id, yes, RATE, by) for by in breakdowns},
            }
        )
    quality = {
        "straight_liners": int(careless["straight_liner"].sum()),
        "speeders": int(careless["speeder"].sum()),
        "speeder_seconds_per_answer": spec.settings.speeder_floor,
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
        "breakdowns": ["gender", *breakdowns],
        "factors": factor_figures,
        "experience": experience,
        "suppressed": figures.suppressed + beside.suppressed,
        "alongside": None
        if alongside is None
        else {
            "population": alongside.population,
            "label": dict(alongside.spec.population(alongside.population).label),
            "respondents": len(_of_population(alongside.frame, alongside.population)),
        },
    }


def _of_population(frame: pd.DataFrame, population: str) -> pd.DataFrame:
    return frame[frame["population"] == population] if "population" in frame else frame


def _change(now: pd.Series, then: pd.Series, min_n: int) -> dict[str, Any] | None:
    now, then = now.dropna(), then.dropna()
    if len(now) < min_n or len(then) < min_n:
        return None
    return _as_json(welch_comparison(now.tolist(), then.tolist()))


def careless_rows(frame: pd.DataFrame, spec: Spec, population: str) -> pd.DataFrame:
    """Per respondent: straight-liner, speeder. A release carries the processor's flags,
    judged with the exact duration (`careless`); otherwise they are judged here by the same
    rules (questionnaire_specs.response_quality; speed only with an exact duration)."""
    if "careless" in frame:
        flags = frame["careless"].astype(object).where(frame["careless"].notna(), "")
        words = flags.map(lambda text: set(str(text).split()))
        return pd.DataFrame(
            {
                "straight_liner": words.map(lambda w: STRAIGHT_LINER in w).astype(bool),
                "speeder": words.map(lambda w: SPEEDER in w).astype(bool),
            },
            index=frame.index,
        )
    columns = [q.id for q in spec.questions_for(population) if q.id in frame]
    records = frame[columns].astype(object).where(frame[columns].notna(), None)
    answers = records.to_dict("records")
    straight = [is_straight_liner(spec, population, a) for a in answers]
    if "duration_s" in frame:
        durations = frame["duration_s"]
        speed = [is_speeder(spec, a, float(d)) for a, d in zip(answers, durations, strict=True)]
    else:
        speed = [False] * len(answers)
    return pd.DataFrame({"straight_liner": straight, "speeder": speed}, index=frame.index)


def _shift(with_all: pd.Series, without: pd.Series, min_n: int) -> float | None:
    with_all, without = with_all.dropna(), without.dropna()
    if len(with_all) < min_n or len(without) < min_n:
        return None
    return float(with_all.mean() - without.mean())
