"""deploy/nginx-intake.conf is a configuration nginx itself accepts (nginx -t)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx-intake.conf"


def test_nginx_accepts_the_intake_config(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: make test installs nginx-core (deploy/system-packages.txt)")
    site = CONF.read_text(encoding="utf-8")
    # The certificate is the operator's: test everything else on a plain port.
    site = site.replace("listen 443 ssl http2;", "listen 127.0.0.1:18443;")
    site = "\n".join(line for line in site.splitlines() if "ssl_certificate" not in line)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "limit_req" in site and "client_body_timeout" in site
