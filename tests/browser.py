"""What a visitor sees: a page loaded in real headless Chromium (Debian's `chromium`).

Chromium is driven by Playwright's Python package (dev extra) with `executable_path` set to the
system browser, so nothing is downloaded. Without Chromium or Playwright a test that needs them is
skipped locally and FAILS when `CI=true` (`.ci/run` installs both), like the Mermaid test.

    from tests.browser import open_browser, serve

    with serve(site / "_site") as base, open_browser() as browser:
        seen = browser.visit(f"{base}/2026/11/23/post.html", screenshot=tmp_path / "post.png")
    assert seen.status == 200 and not seen.console_errors
    assert seen.images and all(image.loaded for image in seen.images)
    assert "<h1>" in seen.dom

`serve(root)` serves a folder on 127.0.0.1 (a free port) for as long as the `with` lasts, so
root-relative links (`/assets/x.png`) resolve as on a real host; `file://` URLs work too.
One `open_browser()` starts Chromium once for any number of `visit`s (about 2 s a start here):
share it in a module-scoped fixture when several tests look at pages.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A page's own scripts never run past this; a visit that takes longer is a failure, not a wait.
TIMEOUT_MS = 30_000
IMAGES = "Array.from(document.images, i => [i.currentSrc || i.src, i.complete, i.naturalWidth])"


@dataclass(frozen=True)
class Image:
    src: str  # the absolute URL the browser asked for
    natural_width: int  # 0 when the image did not load or decode

    @property
    def loaded(self) -> bool:
        return self.natural_width > 0


@dataclass(frozen=True)
class Visit:
    url: str
    status: int | None  # the HTTP status of the page itself (None for file:// URLs)
    dom: str  # document.documentElement.outerHTML after the load event
    title: str
    images: list[Image]
    # console.error calls, uncaught exceptions, and resources that failed (with their URL)
    console_errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def missing(what: str, how: str) -> None:
    """Skip locally, fail in CI: CI must run every oracle."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: {how}")
    pytest.skip(f"{what} not installed: {how}")


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    missing("Chromium", "apt-get install -y --no-install-recommends chromium (.ci/run does)")
    raise AssertionError  # unreachable: missing() skips or fails


def _console(message: Any, errors: list[str]) -> None:
    if message.type != "error":
        return
    where = message.location.get("url", "")
    if where.endswith("/favicon.ico"):  # the browser asks for it by itself, not the page
        return
    if message.text.startswith("Failed to load resource"):
        errors.append(f"{message.text}: {where}")
    else:
        errors.append(message.text)


class Browser:
    """One running Chromium; `visit` opens each URL in a fresh page."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def visit(self, url: str, screenshot: Path | None = None) -> Visit:
        page = self._browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: _console(message, errors))
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        try:
            response = page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
            images = [Image(src, int(width)) for src, _, width in page.evaluate(IMAGES)]
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
            return Visit(
                url=url,
                status=response.status if response is not None else None,
                dom=page.evaluate("document.documentElement.outerHTML"),
                title=page.title(),
                images=images,
                console_errors=errors,
                screenshot=screenshot,
            )
        finally:
            page.close()

    def look(
        self, url: str, script: str, color_scheme: str | None = None, shot: str | None = None
    ) -> tuple[Any, bytes | None]:
        """Open `url` with the visitor's colour scheme set (`"light"` or `"dark"`, as
        `prefers-color-scheme` reports it) and return what the JS function `script` gives,
        and a PNG of the element `shot` (a CSS selector) as drawn."""
        page = self._browser.new_page()
        try:
            if color_scheme is not None:
                page.emulate_media(color_scheme=color_scheme)
            page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
            png = page.locator(shot).screenshot() if shot is not None else None
            return page.evaluate(script), png
        finally:
            page.close()


@contextmanager
def open_browser() -> Iterator[Browser]:
    """Start headless Chromium (a fresh profile) for the `with`; skip or fail when it is missing."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright's Python package", "pip install -e '.[dev]'")
    with tempfile.TemporaryDirectory(prefix="bip-chromium-") as profile:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=FLAGS,
                timeout=TIMEOUT_MS,
            )
            try:
                yield Browser(context)
            finally:
                context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port) for the `with`; yields the base URL, no slash."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
