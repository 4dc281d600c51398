"""The report page in a real browser: Debian's Chromium, headless, draws the page and its
chart (the SVG image decoded by the browser, not by us)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from sync_server.reports.charts import COLOURS
from sync_server.reports.figures import report_figures
from sync_server.reports.page import render_html
from tests.sync_server.reports.test_figures import SPEC, generated

CHROMIUM = shutil.which("chromium")
# As root, without a sandbox; without the background-networking flags Chromium keeps trying
# the closed network.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium(tmp_path: Path, *arguments: str) -> str:
    assert CHROMIUM, "Debian's chromium is installed by make test (deploy/system-packages.txt)"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *arguments],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_chromium_draws_the_page_and_its_chart(tmp_path: Path, lang: str) -> None:
    figures = report_figures(generated(300, seed=5), SPEC, "officials")
    page = tmp_path / f"report-{lang}.html"
    page.write_text(render_html(figures, SPEC, lang, scope="national"), "utf-8")

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in dom
    assert dom.count("<tr>") >= 1 + 10 + 1 + 4  # headers, ten factors, four experience items

    shot = tmp_path / "shot.png"
    chromium(tmp_path, "--window-size=1000,1200", f"--screenshot={shot}", page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 1200)
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    # the chart's women (orange) and men (blue) markers, drawn by the browser
    for series in ("1", "2"):
        wanted = tuple(int(COLOURS[series][i : i + 2], 16) for i in (1, 3, 5))
        assert wanted in colours, f"no {COLOURS[series]} pixel: the chart did not draw"
