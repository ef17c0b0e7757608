"""The browser helper reports what a visitor sees, good and bad: one Chromium for the module."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, open_browser, serve


def png(width: int, height: int) -> bytes:
    """A real, minimal RGB PNG (Chromium decodes it; naturalWidth is `width`)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x80\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with open_browser() as opened:
        yield opened


def test_a_page_with_its_image_loaded(browser: Browser, tmp_path: Path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "curve.png").write_bytes(png(7, 3))
    (tmp_path / "index.html").write_text(
        "<html><head><title>Run 1</title></head><body><h1>Run 1</h1>"
        '<img src="/img/curve.png" alt="loss"></body></html>'
    )
    with serve(tmp_path) as base:
        seen = browser.visit(f"{base}/index.html", screenshot=tmp_path / "shot.png")
    assert seen.status == 200 and seen.title == "Run 1"
    assert "<h1>Run 1</h1>" in seen.dom
    assert [(i.src, i.natural_width, i.loaded) for i in seen.images] == [
        (f"{base}/img/curve.png", 7, True)
    ]
    assert seen.console_errors == []
    assert seen.screenshot is not None and seen.screenshot.read_bytes()[:4] == b"\x89PNG"


def test_a_missing_image_and_a_script_error_are_reported(browser: Browser, tmp_path: Path):
    (tmp_path / "page.html").write_text(
        '<html><body><img src="gone.png"><p id="p">static</p>'
        "<script>document.getElementById('p').textContent = 'scripted';"
        "console.error('boom'); undefinedName();</script></body></html>"
    )
    seen = browser.visit((tmp_path / "page.html").as_uri())
    assert seen.status is None or seen.status == 200  # file:// has no HTTP status
    assert [i.loaded for i in seen.images] == [False]
    assert ">scripted</p>" in seen.dom  # the DOM after scripts ran, not the file's bytes
    assert "boom" in seen.console_errors
    assert any("undefinedName" in e for e in seen.console_errors)
    assert any("gone.png" in e for e in seen.console_errors)
