"""`make demo` end to end: the real commands, a real uvicorn server, a real station.

The demo itself stops with an error when anything is lost or counted twice; here we also
check what the exported CSV may and may not carry.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path


def test_the_demo_moves_every_response_exactly_once(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "mss.demo", "--work", str(work), "--responses", "24"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = re.sub(r"\s+", " ", result.stdout)
    assert "responses finished on the station │ 24" in table
    assert "acknowledged by the server │ 24" in table
    assert "server: received │ 24" in table
    assert "server: duplicates │ 24" in table  # the USB import re-sent all 24: none new
    assert "server: processed │ 24" in table
    assert "server: quarantined │ 0" in table

    with (work / "responses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24
    header = set(rows[0])
    for forbidden in ("station_id", "batch_id", "envelope_id", "seq", "response_id"):
        assert forbidden not in header
    day_precise = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\d{2}:\d{2}")
    assert not any(day_precise.search(value) for row in rows for value in row.values())
    assert {row["population"] for row in rows} == {"officials", "private_sector"}
