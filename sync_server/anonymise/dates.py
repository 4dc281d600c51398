"""Coarse time: the completion date to its month (or quarter), the duration to minutes."""

from __future__ import annotations

import numpy as np
import pandas as pd

PRECISIONS: tuple[str, ...] = ("month", "quarter")


def coarsen_dates(dates: pd.Series, precision: str) -> pd.Series:
    """ "YYYY-MM" (or "YYYY-Qn") text per date; missing stays missing."""
    if precision not in PRECISIONS:
        raise ValueError(f"date precision must be month or quarter (got {precision!r})")
    parsed = pd.to_datetime(dates, errors="coerce")
    unreadable = parsed.isna() & dates.notna()
    if unreadable.any():
        example = dates[unreadable].iloc[0]
        raise ValueError(f"completed_on holds a value that is not a date: {example!r}")
    year = parsed.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = parsed.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    per_year, length = (12, 1) if precision == "month" else (4, 3)
    period = year * per_year + (month - 1) // length
    # Format each distinct period once: strftime over a million rows is slow.
    codes, uniques = pd.factorize(period, use_na_sentinel=True)
    labels = np.array([_label(int(p), precision) for p in uniques] + [None], dtype=object)
    return pd.Series(labels[codes], index=dates.index, dtype=object)


def _label(period: int, precision: str) -> str:
    if precision == "month":
        return f"{period // 12:04d}-{period % 12 + 1:02d}"
    return f"{period // 4:04d}-Q{period % 4 + 1}"


def whole_minutes(seconds: pd.Series) -> pd.Series:
    """Duration in whole minutes, rounded down; missing stays missing."""
    numbers = pd.to_numeric(seconds, errors="coerce")
    if (numbers.isna() & seconds.notna()).any():
        raise ValueError("duration_s holds a value that is not a number of seconds")
    if (numbers < 0).any():
        raise ValueError("duration_s holds a negative duration")
    return (numbers // 60).astype("Int64")
