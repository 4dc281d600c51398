"""The key-factor index: how a population rates one of the ten key factors, 0 to 100.

The rule the report's method section prints:
- each Likert item of the factor is rescaled from its scale's substantive points to 0–100
  (the lowest point 0, the highest 100: on a five-point scale 1 → 0, 2 → 25, … 5 → 100);
  "don't know" and "prefer not to answer" (the scale's non-substantive points) and skipped
  items are left out, never counted as a middle answer;
- a respondent's factor score is the mean of their rescaled items, when they answered at
  least half of the factor's items substantively (fewer, and they have no score: one answer
  out of five is no view of the factor);
- the index is the mean of the scores, with its t interval (estimates.mean_estimate).
Every item of the CIPS is worded so that agreeing means more integrity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from questionnaire_specs import Question, QuestionType, Spec

KEY_FACTORS = tuple(range(1, 11))


@dataclass(frozen=True)
class FactorItems:
    factor: int
    items: tuple[Question, ...]

    @property
    def needed(self) -> int:
        """Substantive answers a respondent needs for a score: at least half the items."""
        return math.ceil(len(self.items) / 2)


def factor_items(spec: Spec, population: str) -> list[FactorItems]:
    """The Likert items of each key factor asked of `population`, in spec order."""
    by_factor: dict[int, list[Question]] = {}
    for question in spec.questions_for(population):
        if question.key_factor is not None and question.type is QuestionType.LIKERT:
            by_factor.setdefault(question.key_factor, []).append(question)
    return [FactorItems(f, tuple(by_factor[f])) for f in KEY_FACTORS if f in by_factor]


def rescaled(spec: Spec, question: Question, codes: pd.Series) -> pd.Series:
    """The item's answers on 0–100; NaN for a skip or a non-substantive answer."""
    points = [o.code for o in spec.options_for(question) if not o.non_substantive]
    low, high = min(points), max(points)  # type: ignore[type-var]
    mapping = {code: (code - low) / (high - low) * 100 for code in points}  # type: ignore[operator]
    return pd.to_numeric(codes, errors="coerce").map(mapping).astype(float)


def factor_scores(frame: pd.DataFrame, spec: Spec, population: str) -> pd.DataFrame:
    """One column per key factor (`kf1` … `kf10`), one row per respondent of `frame`:
    the respondent's score, NaN where they have none."""
    columns = {}
    for group in factor_items(spec, population):
        items = pd.DataFrame(
            {
                q.id: rescaled(spec, q, frame[q.id])
                if q.id in frame
                else pd.Series(np.nan, index=frame.index)
                for q in group.items
            },
            index=frame.index,
        )
        answered = items.notna().sum(axis=1)
        columns[f"kf{group.factor}"] = items.mean(axis=1).where(answered >= group.needed)
    return pd.DataFrame(columns, index=frame.index)
