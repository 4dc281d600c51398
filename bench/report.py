"""The results report's cost: a national report for 1,500 officials and a pooled one for
20,000, each timed by stage (figures, page, PDF), beside a baseline: the plain pandas
group-by mean of the same factor scores, the least any report must compute.

    .venv/bin/python bench/report.py [--national 1500] [--pooled 20000] [--seed 1]

Figures, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miniatures.officials_population import COUNTRIES, officials_frame  # noqa: E402
from questionnaire_specs import load_spec  # noqa: E402
from sync_server.reports.factor_index import factor_scores  # noqa: E402
from sync_server.reports.figures import report_figures  # noqa: E402
from sync_server.reports.page import render_html, write_pdf  # noqa: E402

OFFICIALS = Path(__file__).resolve().parent.parent / "questionnaire_specs/cips/officials.yaml"


def timed(action):  # noqa: ANN001, ANN201 - a bench's stopwatch
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def measure(label: str, per_country: dict[str, int], seed: int) -> None:
    spec = load_spec(OFFICIALS)
    frame, _ = officials_frame(spec, per_country, seed)
    _, baseline = timed(
        lambda: factor_scores(frame, spec, "officials").groupby(frame["gender"]).mean()
    )
    figures, seconds_figures = timed(lambda: report_figures(frame, spec, "officials"))
    page, seconds_page = timed(lambda: render_html(figures, spec, "ar", scope=label))
    with tempfile.TemporaryDirectory(prefix="mss-bench-") as tmp:
        _, seconds_pdf = timed(lambda: write_pdf(page, Path(tmp) / "report.pdf"))
    total = seconds_figures + seconds_page + seconds_pdf
    print(
        f"{label:>8}: {len(frame):>6,} respondents  figures {seconds_figures:6.2f} s  "
        f"page {seconds_page:5.2f} s  pdf {seconds_pdf:5.2f} s  total {total:6.2f} s  "
        f"(baseline group-by {baseline:5.2f} s, figures/baseline "
        f"{seconds_figures / baseline:5.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=int, default=1500)
    parser.add_argument("--pooled", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    measure("national", {"SL": options.national}, options.seed)
    countries = list(COUNTRIES)
    share = options.pooled // len(countries)
    measure("pooled", {country: share for country in countries}, options.seed)


if __name__ == "__main__":
    main()
