"""A report made from a real release (simulated store → anonymiser → release files), its
figures recomputed from the release's own Parquet file with plain pandas."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sync_server.releases.build import ReleaseOrder, build_release
from sync_server.reports.build import ReportRefused, build_report
from tests.sync_server.releases.simulated import simulate
from tests.sync_server.reports.test_figures import assert_mean, plain_scores

SEED = bytes.fromhex("5a" * 32)


def test_a_national_report_from_its_release(session_factory, clock, tmp_path: Path) -> None:
    simulation = simulate(session_factory, clock)
    simulation.add("SL", 160)
    release_dir = tmp_path / "release"
    build_release(
        session_factory,
        ReleaseOrder("national", "SL", "cips-officials", None, "parquet", "en", release_dir),
        release_seed=SEED,
        cache_dir=tmp_path / "cache",
    )
    files = build_report(
        release_dir, simulation.spec, tmp_path / "report", lang="fr", scope="national"
    )
    figures = json.loads(files.figures.read_text("utf-8"))
    assert figures["countries"] == ["SL"]
    officials = figures["populations"]["officials"]
    rows = pd.read_parquet(next(release_dir.glob("*.parquet")))
    assert officials["respondents"] == len(rows)
    for figure in officials["factors"]:
        assert_mean(figure["index"], plain_scores(rows, figure["factor"]))
    assert [p.name for p in files.html] == ["report-officials-fr.html"]
    assert files.pdf[0].read_bytes().startswith(b"%PDF")
    with pytest.raises(ReportRefused):  # an out folder that holds something already
        build_report(release_dir, simulation.spec, tmp_path / "report", lang="fr", scope="national")
