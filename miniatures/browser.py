"""Debian's Chromium, headless, driven by Playwright: for the tests and benchmarks of the
pages (the online site, the console). Playwright's own browser download is never used:
this machine has no network for it, and Debian's package is what `make test` installs."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

from playwright.sync_api import Browser, sync_playwright

# As root, without a sandbox; without the background-networking flags Chromium keeps trying
# the closed network.
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def chromium_path() -> str:
    found = shutil.which("chromium")
    if not found:
        raise RuntimeError(
            "Debian's chromium is installed by make test (deploy/system-packages.txt)"
        )
    return found


@contextlib.contextmanager
def headless_chromium() -> Iterator[Browser]:
    """One headless Chromium for a test module; open pages with browser.new_page() or
    browser.new_context(viewport=..., locale=...)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield browser
        finally:
            browser.close()
