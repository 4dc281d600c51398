"""SPSS (.sav) against Parquet for the same release frame, and the .sav writer before and
after its texts skipped the round trip through pandas' Arrow string dtype (issue 16: .sav
took 22x Parquet, then 12.7x).

    .venv/bin/python bench/release_formats.py [--rows 100000] [--answers 60]

Synthetic processed responses (bench/release.py's generator, not timed) are read into the
frame a release starts from; then each writer of sync_server/releases/formats.py writes it.
"before" converts the frame as the writer did, every text column through `astype(str)`
(an Arrow string array built and read back); its file must be byte-identical to the
writer's. Prints seconds and ratios to Parquet.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.release import OFFICIALS, generate  # noqa: E402
from questionnaire_specs import canonical_json, load_spec  # noqa: E402
from sync_server.ingest import register_spec  # noqa: E402
from sync_server.releases import codebook as books  # noqa: E402
from sync_server.releases import formats  # noqa: E402
from sync_server.releases.frame import read_frame, read_responses  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402


def former_stats_frame(frame):
    """formats._for_stats_package as it was: every text column through astype(str)."""
    import numpy as np
    import pandas as pd

    converted = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
            converted[name] = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        else:
            texts = column.astype(object).where(column.notna(), "").astype(str)
            converted[name] = texts.to_numpy(dtype=object)
    return pd.DataFrame(converted, index=frame.index)


def sav_before(frame, variables: list[books.Variable], lang: str, path: Path) -> None:
    """The .sav writer as it was: its texts through pandas' Arrow-backed `str` dtype."""
    import pyreadstat

    data = former_stats_frame(frame)
    numeric, column_labels, value_labels = formats._labels(data, variables, lang)
    missing = {
        v.name: [float(code) for code in v.non_substantive()[:3]]
        for v in variables
        if v.name in numeric and v.non_substantive()
    }
    pyreadstat.write_sav(
        data, str(path), column_labels=column_labels, variable_value_labels=value_labels,
        missing_ranges=missing,
    )  # fmt: skip
    formats._pin_bytes(
        path, formats.SAV_TIME_OFFSET, formats.SAV_HEADER_TIME, expect_prefix=b"$FL2"
    )


def timed(write: Callable[[], None], repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        write()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="profile the .sav writer")
    args = parser.parse_args()
    spec = load_spec(OFFICIALS)
    with tempfile.TemporaryDirectory(prefix="mss-bench-formats-") as folder:
        out = Path(folder)
        database = out / "central.db"
        engine = make_engine(f"sqlite:///{database}")
        upgrade_to_head(engine)
        sessions = make_session_factory(engine)
        register_spec(sessions, canonical_json(spec), clock=lambda: datetime.now(UTC))
        generate(database, spec, args.rows, args.answers, 4)
        frame = read_frame(sessions, read_responses(sessions, spec.id, None)).frame
        engine.dispose()
        variables = books.variables_for(spec, list(frame.columns), {})
        print(f"frame: {len(frame):,} rows x {len(frame.columns)} columns")

        def write(fmt: str, name: str) -> Callable[[], None]:
            writer = sav_before if fmt == "sav-before" else formats.WRITERS[fmt]
            return lambda: writer(frame, variables, "en", out / name)

        parquet = timed(write("parquet", "x.parquet"))
        before = timed(write("sav-before", "before.sav"))
        after = timed(write("sav", "after.sav"))
        stata = timed(write("dta", "x.dta"))
        same = (out / "before.sav").read_bytes() == (out / "after.sav").read_bytes()
        print(f"parquet            {parquet:7.2f} s")
        print(f"sav before         {before:7.2f} s   {before / parquet:6.1f}x parquet")
        print(f"sav now            {after:7.2f} s   {after / parquet:6.1f}x parquet")
        print(f"sav before / now   {before / after:7.2f}x   byte-identical files: {same}")
        print(f"dta now            {stata:7.2f} s   {stata / parquet:6.1f}x parquet")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(write("sav", "profiled.sav"))
            pstats.Stats(profile).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
