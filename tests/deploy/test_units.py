"""Every systemd unit in deploy/ passes `systemd-analyze verify` with nothing to say.

The units name the installed paths (/opt/mss/.venv/bin/mss, /opt/mss/deploy/…); verify
checks that each command exists, so the copies checked here point at this checkout's venv
and deploy/ instead. A template (mss-intake@.service) is checked as an instance.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted(p.name for p in DEPLOY.iterdir() if p.suffix in (".service", ".timer"))
TOOL = shutil.which("systemd-analyze")


def _installed_here(text: str) -> str:
    venv_mss = Path(sys.executable).parent / "mss"
    return text.replace("/opt/mss/.venv/bin/mss", str(venv_mss)).replace(
        "/opt/mss/deploy/", f"{DEPLOY}/"
    )


def test_the_units_we_ship_are_all_here() -> None:
    assert {
        "mss-intake@.service", "mss-console.service", "mss-site.service",
        "mss-processor.service", "mss-processor.timer", "mss-processor-custodians.service",
        "mss-backup.service", "mss-backup.timer", "mss-kiosk.service",
    } <= set(UNITS)  # fmt: skip


@pytest.mark.skipif(TOOL is None, reason="systemd-analyze is not installed (Debian: systemd)")
@pytest.mark.parametrize("unit", UNITS)
def test_systemd_accepts_the_unit(unit: str, tmp_path: Path) -> None:
    name = unit.replace("@.", "@8081.")
    checked = tmp_path / name
    checked.write_text(_installed_here((DEPLOY / unit).read_text(encoding="utf-8")))
    # A timer is checked beside the service it starts.
    if unit.endswith(".timer"):
        service = unit.replace(".timer", ".service")
        (tmp_path / service).write_text(_installed_here((DEPLOY / service).read_text()))
    run = subprocess.run(
        [TOOL, "verify", str(checked)], capture_output=True, text=True, timeout=60,
        check=False, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )  # fmt: skip
    said = (run.stdout + run.stderr).strip()
    assert run.returncode == 0 and said == "", said


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_each_script_a_unit_runs_is_shipped_and_executable(unit: str) -> None:
    for line in (DEPLOY / unit).read_text().splitlines():
        if line.startswith("ExecStart=/opt/mss/deploy/"):
            script = DEPLOY / line.split("/opt/mss/deploy/", 1)[1].split()[0]
            assert script.is_file() and os.access(script, os.X_OK), script
