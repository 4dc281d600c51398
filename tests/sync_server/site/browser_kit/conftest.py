"""The browser kit's modules, served from 127.0.0.1 (a secure context: WebCrypto works there)
by the standard library's HTTP server, and one headless Chromium page per test module."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from miniatures.browser import headless_chromium

STATIC = Path(__file__).resolve().parents[4] / "sync_server" / "site" / "static"
BLANK = b"<!doctype html><html><head><meta charset='utf-8'><title>kit</title></head></html>"


class _KitHandler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path in ("/", "/kit.html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BLANK)))
            self.end_headers()
            self.wfile.write(BLANK)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet tests


@pytest.fixture(scope="module")
def kit_url() -> Iterator[str]:
    handler = functools.partial(_KitHandler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def kit_page(kit_url: str) -> Iterator[Page]:
    """A blank page on the kit's origin; `import('/hpke.js')` etc. inside page.evaluate."""
    with headless_chromium() as browser:
        page = browser.new_page()
        page.goto(kit_url + "/kit.html")
        yield page
        page.close()
