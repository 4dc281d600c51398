"""deploy/nginx-intake.conf routes for real: nginx runs it (TLS off, ports moved) in front of
stand-in upstreams that answer with their own name, and each path reaches the process it
must — the stations' routes the intake workers (both of them), the console's and
analysts' routes the console, any other /v1/ route nothing, the site's host the site."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from miniatures.served_app import free_port

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx-intake.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _answering(name: str) -> ThreadingHTTPServer:
    class Named(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815 - http.server's names

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Named)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: make test installs nginx-core (deploy/system-packages.txt)")
    upstreams = {
        "8081": _answering("intake-1"), "8082": _answering("intake-2"),
        "8085": _answering("console"), "8090": _answering("site"),
    }  # fmt: skip
    listen, plain = free_port(), free_port()
    site = CONF.read_text(encoding="utf-8")
    for port, server in upstreams.items():
        site = site.replace(f"127.0.0.1:{port};", f"127.0.0.1:{server.server_address[1]};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{listen};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    site = "\n".join(line for line in site.splitlines() if "ssl_" not in line)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  proxy_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(main)],
                             stderr=subprocess.PIPE)  # fmt: skip
    url = f"http://127.0.0.1:{listen}"
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"{url}/v1/health", timeout=1)
            break
        except httpx.TransportError:
            assert nginx.poll() is None, nginx.stderr.read().decode() if nginx.stderr else ""
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.05)
    try:
        yield url
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in upstreams.values():
            server.shutdown()


def _reached(url: str, path: str, *, method: str = "GET", host: str = "survey.customs.example"
             ) -> str:  # fmt: skip
    response = httpx.request(method, f"{url}{path}", headers={"Host": host}, timeout=5)
    return response.text if response.status_code == 200 else str(response.status_code)


def test_each_path_reaches_its_process(proxy: str) -> None:
    stations = {_reached(proxy, "/v1/batches", method="POST") for _ in range(6)}
    assert stations == {"intake-1", "intake-2"}  # balanced over both workers
    for path in ("/v1/enrol", "/v1/beacons", "/v1/specs/cips/1.0.0", "/v1/health"):
        assert re.fullmatch(r"intake-[12]", _reached(proxy, path)), path
    for path in ("/v1/releases", "/v1/releases/abc/files/x.csv", "/v1/audit", "/console/fleet",
                 "/docs", "/openapi.json"):  # fmt: skip
        assert _reached(proxy, path) == "console", path
    assert _reached(proxy, "/v1/tokens", method="POST") == "console"
    # Nothing else under /v1/ gets through, even a prefix of a real route.
    for path in ("/v1/batchesX", "/v1/anything", "/v1/"):
        assert _reached(proxy, path) == "404", path
    assert _reached(proxy, "/s/abc123", host="answer.survey.customs.example") == "site"
