"""Debian's Chromium, headless, driven by Playwright: for the tests and benchmarks of the
pages (the online site, the console). Playwright's own browser download is never used:
this machine has no network for it, and Debian's package is what `make test` installs."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# The README's pictures of the pages; a test run refreshes them only when asked
# (MSS_REFRESH_SCREENSHOTS=1), so that running the suite leaves the work tree clean.
README_SCREENSHOTS = Path(__file__).parents[1] / "docs" / "screenshots"


def screenshot_folder() -> Path:
    if os.environ.get("MSS_REFRESH_SCREENSHOTS") == "1":
        return README_SCREENSHOTS
    return Path(tempfile.gettempdir()) / "mss-screenshots"


def keep_screenshot(page: Any, name: str) -> Path:
    """The page as the respondent or coordinator sees it, as `name`.png: in docs/screenshots
    when refreshing, else in a temporary folder (the test still draws it, so a page that
    cannot be drawn still fails)."""
    folder = screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
