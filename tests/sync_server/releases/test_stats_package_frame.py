"""The frame handed to SPSS and Stata (formats._for_stats_package) holds exactly the text
cells the former conversion gave (str() of each value, "" for a missing one), now that texts
and second-resolution dates skip the round trip through an Arrow string array (issue 16:
.sav speed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sync_server.releases import formats


def _text_cells(column: pd.Series) -> list[str]:
    """What the former conversion wrote in a text column: str() of each value, "" for a
    missing one (worked out cell by cell here, as the reference)."""
    return ["" if pd.isna(value) else str(value) for value in column.astype(object)]


def _frame() -> pd.DataFrame:
    stamps = pd.Series(
        [pd.Timestamp("2026-11-29"), pd.NaT, pd.Timestamp("1999-12-31 23:59:58"),
         pd.Timestamp("2026-02-14 00:00:00")]
    ).astype("datetime64[s]")  # fmt: skip
    return pd.DataFrame(
        {
            "response_id": pd.Series(["a", None, "ç 漢", ""], dtype="str"),
            "careless": pd.Series([None, "speeder", None, "straight_liner speeder"], dtype=object),
            "mixed": pd.Series([1, "two", None, 3.5], dtype=object),  # not all texts
            "completed_on": stamps,
            "completed_ms": stamps.astype("datetime64[ms]"),  # not whole seconds by type
            "lead_example": pd.Series([1, None, 3, 4], dtype="Int64"),
            "complete": pd.Series([True, False, None, True], dtype="boolean"),
            "duration": [1.5, np.nan, 3.0, 4.0],
        }
    )


def test_the_stats_package_frame_holds_the_former_cells() -> None:
    frame = _frame()
    now = formats._for_stats_package(frame)
    assert list(now.columns) == list(frame.columns)
    texts = ["response_id", "careless", "mixed", "completed_on", "completed_ms"]
    for name in texts:
        assert now[name].dtype == object, name
        assert [type(v) for v in now[name]] == [str] * len(frame), name
        assert now[name].tolist() == _text_cells(frame[name]), name
    for name in ["lead_example", "complete", "duration"]:
        assert now[name].dtype == float, name
    assert now["completed_on"].tolist() == [
        "2026-11-29 00:00:00", "", "1999-12-31 23:59:58", "2026-02-14 00:00:00"
    ]  # fmt: skip
