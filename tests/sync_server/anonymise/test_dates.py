from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sync_server.anonymise.dates import coarsen_dates, whole_minutes


def test_dates_become_months_or_quarters_and_missing_stays_missing() -> None:
    days = pd.Series([date(2026, 1, 31), None, date(2026, 12, 1), date(2027, 4, 2)])
    assert coarsen_dates(days, "month").tolist() == ["2026-01", None, "2026-12", "2027-04"]
    assert coarsen_dates(days, "quarter").tolist() == ["2026-Q1", None, "2026-Q4", "2027-Q2"]


def test_durations_are_whole_minutes_rounded_down() -> None:
    minutes = whole_minutes(pd.Series([0, 59, 60, 3599, None]))
    assert minutes.tolist() == [0, 0, 1, 59, pd.NA]
    assert str(minutes.dtype) == "Int64"


def test_bad_dates_and_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="not a date"):
        coarsen_dates(pd.Series(["2026-01-01", "someday"]), "month")
    with pytest.raises(ValueError, match="month or quarter"):
        coarsen_dates(pd.Series([date(2026, 1, 1)]), "day")
    with pytest.raises(ValueError, match="negative"):
        whole_minutes(pd.Series([-5]))


def test_a_date_answer_far_from_now_is_coarsened_not_refused() -> None:
    # A date question without bounds takes any ISO date; one respondent's 1650 must not
    # stop a release (nanosecond timestamps end in 1677 and 2262).
    days = pd.Series(["0001-01-01", "1650-03-04", "9999-12-31", None])
    assert coarsen_dates(days, "month").tolist() == ["0001-01", "1650-03", "9999-12", None]
    assert coarsen_dates(days, "quarter").tolist() == ["0001-Q1", "1650-Q1", "9999-Q4", None]
