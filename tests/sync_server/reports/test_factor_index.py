"""The key-factor index rule on hand-made respondents of the real CIPS officials spec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from questionnaire_specs import load_spec
from sync_server.reports.cells import Suppressed, suppressed_cells
from sync_server.reports.factor_index import factor_items, factor_scores

SPEC = load_spec(Path(__file__).parents[3] / "questionnaire_specs" / "cips" / "officials.yaml")
LEADERSHIP = ["lead_example", "lead_priority", "lead_action", "lead_supervisor", "lead_accountable"]


def test_each_factor_has_its_likert_items() -> None:
    groups = factor_items(SPEC, "officials")
    assert [g.factor for g in groups] == list(range(1, 11))
    assert [q.id for q in groups[0].items] == LEADERSHIP
    assert groups[0].needed == 3  # at least half of five


def test_scores_by_hand() -> None:
    frame = pd.DataFrame(
        [
            # 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100; 8 and 9 are not answers
            {"lead_example": 5, "lead_priority": 4, "lead_action": 3, "lead_supervisor": 2,
             "lead_accountable": 1},  # mean 50
            {"lead_example": 5, "lead_priority": 5, "lead_action": 8, "lead_supervisor": 9,
             "lead_accountable": 4},  # three substantive: (100 + 100 + 75) / 3
            {"lead_example": 5, "lead_priority": 8, "lead_action": 9, "lead_supervisor": None,
             "lead_accountable": 1},  # two substantive of five: no score
            {},  # skipped the whole block
        ]
    )  # fmt: skip
    scores = factor_scores(frame, SPEC, "officials")
    assert list(scores.columns) == [f"kf{f}" for f in range(1, 11)]
    assert scores["kf1"].iloc[0] == 50
    assert scores["kf1"].iloc[1] == pytest.approx(275 / 3)
    assert np.isnan(scores["kf1"].iloc[2]) and np.isnan(scores["kf1"].iloc[3])
    assert scores["kf2"].isna().all()  # nobody answered factor 2


def test_one_small_cell_takes_a_second_one_with_it() -> None:
    # women 4 of 60: shown alone, total minus men would give them away
    assert suppressed_cells({"men": 50, "women": 4, "not stated": 6}) == [
        Suppressed("women", "small"),
        Suppressed("not stated", "small"),
    ]
    assert suppressed_cells({"men": 50, "women": 4, "not stated": 12}) == [
        Suppressed("women", "small"),
        Suppressed("not stated", "complementary"),
    ]
    assert suppressed_cells({"men": 50, "women": 14}) == []
    # an empty category is nobody: never hidden, never the cover for another
    assert suppressed_cells({"men": 50, "women": 4, "other": 0, "not stated": 12}) == [
        Suppressed("women", "small"),
        Suppressed("not stated", "complementary"),
    ]
