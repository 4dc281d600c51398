"""bench/console.py at its quick size, on SQLite and PostgreSQL: the store fills, the fleet
page answers with every gap marked, and `mss server status` reads the same store. The
timings and their ratio are the bench's to print, never asserted here."""

from __future__ import annotations

import pytest

from bench.console import QUICK, run
from tests.sync_server.conftest import _postgres_or_skip, postgres_url


@pytest.mark.slow
@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_console_bench_measures_a_page_that_shows_every_gap(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if database == "postgresql":
        _postgres_or_skip(postgres_url())
    (figures,) = run(QUICK, [database], repeat=1)
    # One station in ten had envelopes withheld (run() refuses a page that shows otherwise).
    assert figures.gaps_shown == QUICK.stations // 10
    assert figures.page_bytes > 100 * QUICK.stations  # a row per station, not an error page
    printed = capsys.readouterr().out
    assert f"{database}: {QUICK.stations:,} stations, {QUICK.responses:,}" in printed
    assert "ratio page / status table:" in printed
