"""`bip profile card|readme`: the card read back by a real XML parser, the README edited in place."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sitework import HOSTILE_TITLE, make_public_workspace
from toolkit.errors import BadInput
from toolkit.profile import END, START, splice_block

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def public(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BIP_TIMEZONE")  # the workspace's own zone: Asia/Shanghai
    monkeypatch.setenv("BIP_NOW", "2026-11-23T07:30:00+08:00")  # still 22 Nov in UTC
    return make_public_workspace(tmp_path / "ws", days=30, posts=1, runs=1, steps=20)


def test_card_is_svg_with_streak_prs_and_run(public: Path, bip) -> None:  # type: ignore[no-untyped-def]
    bip("-w", str(public), "profile", "card", "--out", "card.svg")
    root = ET.parse("card.svg").getroot()
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "5" in texts and "days streak" in texts
    assert "as of 2026-11-23 (Asia/Shanghai)" in texts  # the user's date, not UTC's
    assert "vllm-project/vllm: 2 of 3 merged PRs by 2027-03-31" in texts
    run_line = next(t for t in texts if t.startswith("Latest run"))
    assert run_line.startswith(f"Latest run {HOSTILE_TITLE[:40]}")  # text, not markup
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    cells = [r for r in root.iter(f"{SVG}rect") if (r.get("class") or "").startswith("l")]
    assert 134 <= len(cells) <= 140  # 20 weeks, the last one up to today
    shades = {c.get("class") for c in cells}  # the journal's own effort levels: days off and on
    assert "l0" in shades and len(shades) >= 2


def test_the_latest_run_is_not_an_old_one_imported_today(
    public: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bip
) -> None:  # type: ignore[no-untyped-def]
    """Imported the next morning, a CSV written weeks ago keeps its own date: the card's
    latest run is still the one run last night."""
    monkeypatch.setenv("BIP_NOW", "2026-11-24T09:00:00+08:00")
    old = tmp_path / "last-month.csv"
    old.write_text("step,loss\n1,5.0\n2,4.0\n")
    written = datetime(2026, 10, 20, 9, tzinfo=timezone.utc).timestamp()
    os.utime(old, (written, written))
    bip("-w", str(public), "runs", "import", str(old))
    root = ET.fromstring(bip("-w", str(public), "profile", "card").stdout)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert next(t for t in texts if t.startswith("Latest run")).startswith(
        f"Latest run {HOSTILE_TITLE[:40]}"
    )


def test_card_has_light_and_dark_colours(public: Path, bip) -> None:  # type: ignore[no-untyped-def]
    svg = bip("-w", str(public), "profile", "card").stdout
    root = ET.fromstring(svg)
    (style,) = list(root.iter(f"{SVG}style"))
    css = style.text or ""
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    assert ".bg { fill: #ffffff" in light and ".bg { fill: #0d1117" in dark
    assert ".title, .big, .text { fill: #e6edf3" in dark  # light text on the dark background
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None


README = (
    "\ufeff# Hi, I'm Ada\r\n\r\nSome words   with trailing spaces   \r\n"
    f"{START}\r\nold card\r\n{END}\r\n\r\nThe end, no final newline"
)


def test_readme_block_replaced_rest_byte_identical(public: Path, tmp_path: Path, bip) -> None:  # type: ignore[no-untyped-def]
    readme = tmp_path / "profile" / "README.md"
    readme.parent.mkdir()
    readme.write_bytes(README.encode("utf-8"))
    out = bip("-w", str(public), "profile", "readme", str(readme))
    assert out.stdout.startswith("updated:")
    data = readme.read_bytes()
    head, tail = README.encode().split(b"old card\r\n")
    assert data.startswith(head) and data.endswith(tail)
    block = data[len(head) : len(data) - len(tail)].decode()
    assert '<img src="bip-card.svg" alt="ada: 5-day streak">' in block
    assert "- vllm-project/vllm: 2 of 3 merged PRs by 2027-03-31\r\n" in block
    assert "&lt;script&gt;" in block and "<script>" not in block
    assert "\n" not in block.replace("\r\n", "")  # the file's own line endings
    ET.parse(readme.parent / "bip-card.svg")
    before = os.stat(readme).st_mtime_ns
    again = bip("-w", str(public), "profile", "readme", str(readme))
    assert again.stdout.startswith("unchanged:") and os.stat(readme).st_mtime_ns == before


def test_readme_without_markers_is_refused_and_nothing_written(
    public: Path, tmp_path: Path, bip
) -> None:  # type: ignore[no-untyped-def]
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    failed = bip("-w", str(public), "profile", "readme", str(readme), code=2)
    assert "no bip block" in failed.stderr and START in failed.stderr
    assert readme.read_text() == "# no markers\n"
    assert not (tmp_path / "bip-card.svg").exists()


@pytest.mark.parametrize(
    "text, problem",
    [
        (f"{START}\n{END}\n{START}\n{END}\n", "more than one"),
        (f"{END}\n{START}\n", "comes before"),
    ],
)
def test_readme_marker_mistakes(text: str, problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        splice_block(text.encode(), "x\n", "README.md")


def test_markers_on_one_line() -> None:
    assert splice_block(f"a {START}{END} b".encode(), "card\n", "R") == (
        f"a {START}\ncard\n{END} b".encode()
    )


outside = st.text(alphabet=st.characters(blacklist_characters="<", codec="utf-8"), max_size=80)


@settings(max_examples=60, deadline=None)
@given(outside, outside, outside, st.sampled_from(["\n", "\r\n"]))
def test_splice_keeps_every_byte_outside_the_block(
    before: str, old: str, after: str, newline: str
) -> None:
    data = f"{before}{newline}{START}{newline}{old}{newline}{END}{after}".encode()
    new = splice_block(data, "new\nblock\n", "R")
    keep_head = f"{before}{newline}{START}{newline}".encode()
    assert new.startswith(keep_head)
    assert new.endswith(f"{END}{after}".encode())
    assert new[len(keep_head) :].startswith(f"new{newline}block{newline}".encode())
    assert splice_block(new, "new\nblock\n", "R") == new  # a second run changes nothing


# Every drawn string of the card, with its computed fill and the card's background, as Chromium
# resolves the card's CSS (its prefers-color-scheme block included).
COLOURS_JS = """() => ({
  bg: getComputedStyle(document.querySelector('rect.bg')).fill,
  texts: Array.from(document.querySelectorAll('text'), t => [t.textContent, getComputedStyle(t).fill]),
})"""


def luminance(css: str) -> float:
    """WCAG 2 relative luminance of an `rgb(r, g, b)` colour."""
    r, g, b = (int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_card_is_readable_in_githubs_light_and_dark_themes(
    public: Path, tmp_path: Path, bip
) -> None:  # type: ignore[no-untyped-def]
    """In headless Chromium with the visitor's scheme set to light, then dark: every line of
    the card against the card's background meets WCAG AA (4.5:1), and shown as GitHub shows it
    (an <img> on a page in GitHub's dark colours) the card is drawn in its dark colours."""
    import io

    import matplotlib.image

    from tests.browser import open_browser, serve

    site = tmp_path / "gh"
    site.mkdir()
    bip("-w", str(public), "profile", "card", "--out", str(site / "card.svg"))
    (site / "readme.html").write_text(
        '<!DOCTYPE html><html><head><meta name="color-scheme" content="light dark"><style>'
        "body { margin: 0; background: #0d1117; } @media (prefers-color-scheme: light) {"
        ' body { background: #ffffff; } }</style></head><body><img src="card.svg" alt="card">'
        "</body></html>"
    )
    seen = {}
    with serve(site) as base, open_browser() as browser:
        for scheme in ("light", "dark"):
            colours, _ = browser.look(f"{base}/card.svg", COLOURS_JS, scheme)
            _, png = browser.look(f"{base}/readme.html", "() => 0", scheme, shot="img")
            seen[scheme] = colours, png
    for scheme, (colours, png) in seen.items():
        assert len(colours["texts"]) >= 6, colours
        for text, fill in colours["texts"]:
            assert contrast(fill, colours["bg"]) >= 4.5, (scheme, text, fill, colours["bg"])
        # The card as an <img>: its own background, in the scheme's colours, where it is drawn.
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
        r, g, b = (round(float(c) * 255) for c in pixels[12, 12][:3])
        assert f"rgb({r}, {g}, {b})" == colours["bg"], (scheme, (r, g, b), colours["bg"])
    assert luminance(seen["dark"][0]["bg"]) < 0.02 < 0.9 < luminance(seen["light"][0]["bg"])
