"""`bip site build|serve`: real Hugo builds of a workspace, read back as a visitor's tools would
(an HTML parser, an XML parser for the sitemap, the feed and the loss curve, an HTTP client)."""

from __future__ import annotations

import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from tests.sitework import (
    HOSTILE_TITLE,
    NOW,
    RAW_SHOWN,
    SECRETS,
    SHORTCODE_TEXT,
    TZ,
    add_run,
    make_public_workspace,
)
from toolkit.site import build_workspace_site
from toolkit.workspace import load_workspace

BASE = "https://ada.example.org/"
# 07:30 in Shanghai is 23:30 the day before in UTC: the streak must count the user's day.
MORNING = "2026-11-23T07:30:00+08:00"


def site_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_NOW=MORNING, BIP_OFFLINE="1", HOME=os.environ.get("HOME", "/tmp"))
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = make_public_workspace(tmp_path_factory.mktemp("site") / "ws", days=30, posts=3, runs=2)
    with pytest.MonkeyPatch.context() as mp:
        for name in [k for k in os.environ if k.startswith("BIP_")]:
            mp.delenv(name)
        mp.setenv("BIP_NOW", MORNING)
        build_workspace_site(load_workspace(root), root / "public", BASE)
    yield root, root / "public"


class Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def links(self) -> list[str]:
        return [str(a["href"]) for t, a in self.tags if t == "a" and a.get("href")]


def page(out: Path, rel: str) -> Page:
    return Page((out / rel / "index.html").read_text(encoding="utf-8"))


def test_no_private_data_anywhere_in_the_output(built: tuple[Path, Path]) -> None:
    _, out = built
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} leaked into {path.relative_to(out)}"


def test_the_output_holds_only_what_the_site_needs(built: tuple[Path, Path]) -> None:
    _, out = built
    suffixes = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert suffixes <= {".html", ".xml", ".css", ".svg"}, suffixes
    assert sorted(p.name for p in out.iterdir()) == [
        "atom.xml", "contributions", "index.html", "index.xml", "posts", "reading", "runs", "sitemap.xml",
        "style.css",
    ]  # fmt: skip
    assert not list(out.rglob(".*"))


def test_a_hostile_title_is_text_on_every_page(built: tuple[Path, Path]) -> None:
    _, out = built
    for path in out.rglob("*.html"):
        parsed = Page(path.read_text(encoding="utf-8"))
        assert not [t for t, _ in parsed.tags if t in ("script", "b")], path
    home = page(out, ".")
    assert HOSTILE_TITLE in "".join(home.text)  # shown as the very characters typed
    post = page(out, "posts/hostile")
    assert HOSTILE_TITLE in "".join(post.text)
    assert "alert(1)" not in "".join(post.text)  # raw HTML in a post body is dropped by Hugo


def test_shortcode_text_in_a_post_is_shown_as_written(built: tuple[Path, Path]) -> None:
    """Hugo runs shortcodes before Markdown: a post's `{{% note %}}` would stop the build (the
    site has no such shortcode). bip writes Hugo's escape; the page shows the call as typed."""
    _, out = built
    assert SHORTCODE_TEXT in "".join(page(out, "posts/post-1").text)


def test_a_jekyll_posts_raw_blocks_are_not_shown(built: tuple[Path, Path]) -> None:
    """A post bip wrote for Jekyll keeps its Liquid-like text in raw blocks; the site (Hugo)
    shows the text, not the tags."""
    _, out = built
    shown = "".join(page(out, "posts/post-2").text)
    assert RAW_SHOWN in shown and "raw %}" not in shown.replace(RAW_SHOWN, "")


def test_home_shows_the_streak_in_the_users_time_zone(built: tuple[Path, Path]) -> None:
    _, out = built
    text = " ".join(" ".join(page(out, ".").text).split())
    # today (23 Nov in Shanghai, still 22 Nov in UTC) is checked in: 5 days, 19..23 Nov
    assert "5 days current streak" in text
    assert f"As of 2026-11-23 ({TZ})" in text
    assert "Andrej Karpathy" in text and "Tri Dao" in text  # the figures you learn from


def test_drafts_and_private_posts_never_become_pages(built: tuple[Path, Path]) -> None:
    _, out = built
    posts = sorted(p.parent.name for p in (out / "posts").glob("*/index.html"))
    assert posts == ["hostile", "post-1", "post-2"]


def test_run_pages_have_numbers_credit_and_a_loss_curve(built: tuple[Path, Path]) -> None:
    _, out = built
    run = page(out, "runs/2026-11-22-run1")
    text = " ".join(" ".join(run.text).split())
    assert "gpt2-124m-1" in text
    assert "178,000" in text and "41.0%" in text
    assert "nanoGPT by Andrej Karpathy" in text  # built on, with credit
    assert "8 x AMD Instinct MI300X" in text
    assert "0123456789abcdef" in text
    images = [a for t, a in run.tags if t == "img"]
    assert len(images) == 1 and images[0]["alt"]
    svg = out / "runs/2026-11-22-run1" / str(images[0]["src"])
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find(".//{http://www.w3.org/2000/svg}g[@id='train_loss']") is not None


def test_reading_by_figure_and_contribution_goals(built: tuple[Path, Path]) -> None:
    _, out = built
    reading = " ".join(" ".join(page(out, "reading").text).split())
    assert "Andrej Karpathy nanoGPT repo · reading" in reading
    assert "FlashAttention" in reading and "paper · done" in reading
    contrib = " ".join(" ".join(page(out, "contributions").text).split())
    assert "vllm-project/vllm 2 3 merged by 2027-03-31 2026-11-22" in contrib
    # Under the goals, the merged PRs themselves (newest first), linked; the open one is not.
    assert (
        f"Merged in vllm-project/vllm #202 {HOSTILE_TITLE} merged 2026-11-21"
        " #101 Fix bf16 grad clipping on ROCm merged 2026-10-05" in contrib
    )
    assert "Still open" not in contrib and "#303" not in contrib
    links = page(out, "contributions").links()
    assert "https://github.com/vllm-project/vllm/pull/202" in links
    html = (out / "contributions" / "index.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_sitemap_and_feed_are_valid_xml_with_absolute_links(built: tuple[Path, Path]) -> None:
    _, out = built
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text or "" for e in ET.parse(out / "sitemap.xml").getroot().findall(".//s:loc", ns)]
    assert f"{BASE}posts/post-1/" in locs and f"{BASE}runs/2026-11-22-run1/" in locs
    assert all(loc.startswith(BASE) for loc in locs)
    assert not [loc for loc in locs if "draft" in loc or "secret" in loc]
    feed = ET.parse(out / "posts" / "index.xml").getroot()
    titles = [e.text for e in feed.findall("./channel/item/title")]
    assert sorted(titles, key=str) == sorted(
        [HOSTILE_TITLE, *(f"Post number {n}: what the loss said" for n in (1, 2))]
    )


def test_every_internal_link_resolves(built: tuple[Path, Path]) -> None:
    _, out = built
    for path in out.rglob("*.html"):
        parsed = Page(path.read_text(encoding="utf-8"))
        refs = parsed.links() + [str(a["src"]) for t, a in parsed.tags if t == "img"]
        refs += [
            str(a["href"]) for t, a in parsed.tags if t == "link" and a.get("rel") == "stylesheet"
        ]
        for ref in refs:
            if ref.startswith(("http://", "https://", "data:", "#")):
                continue
            target = (path.parent / ref.split("#")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(out)} links to missing {ref}"


def test_second_build_is_incremental(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_public_workspace(tmp_path / "ws", days=10, posts=2, runs=1)
    ws = load_workspace(root)
    first = build_workspace_site(ws, root / "public", BASE)
    assert first.plotted == 1 and first.files_written > 0
    again = build_workspace_site(ws, root / "public", BASE)
    assert (again.plotted, again.files_written) == (0, 0)
    add_run(root, 7)  # a new run: one more curve, the run's page, the home data
    third = build_workspace_site(ws, root / "public", BASE)
    assert third.plotted == 1 and third.runs == 2
    curve = root / "public" / "runs" / "2026-11-16-run7" / "loss.svg"
    drawn = curve.read_bytes()
    # Curves are kept by what they show: a lost Hugo project draws nothing again...
    shutil.rmtree(root / ".bip" / "site")
    fourth = build_workspace_site(ws, root / "public", BASE)
    assert fourth.plotted == 0 and curve.read_bytes() == drawn
    # ...a run whose series changed is drawn again, and a removed run's curve leaves the cache.
    series = root / "runs" / "2026-11-16-run7" / "metrics.csv"
    series.write_text(series.read_text() + "200,9.5,\n")
    shutil.rmtree(root / "runs" / "2026-11-23-run0")
    fifth = build_workspace_site(ws, root / "public", BASE)
    assert (fifth.plotted, fifth.runs) == (1, 1)
    assert curve.read_bytes() != drawn
    cached = list((root / ".bip" / "cache" / "curves").iterdir())
    assert [p.suffix for p in cached] == [".svg"] and cached[0].read_bytes() == curve.read_bytes()


def test_cli_build_json_and_refusals(tmp_path: Path, bip) -> None:  # type: ignore[no-untyped-def]
    root = make_public_workspace(tmp_path / "ws", days=3, posts=1, runs=0)
    done = bip("-w", str(root), "site", "build", "--json", "--base-url", "https://x.example")
    assert '"base_url": "https://x.example/"' in done.stdout
    assert (root / "public" / "index.html").is_file()
    bad = bip("-w", str(root), "site", "build", "--base-url", "ftp://x", code=2)
    assert "not an absolute http(s) URL" in bad.stderr
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = bip("-w", str(root), "site", "build", "--out", str(foreign), code=2)
    assert "not a site bip built" in refused.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"
    inside = bip("-w", str(root), "site", "build", "--out", str(root), code=2)
    assert "workspace" in inside.stderr


def test_serve_answers_on_loopback_with_the_built_site(tmp_path: Path) -> None:
    from toolkit.site.serve import serve_site

    root = make_public_workspace(tmp_path / "ws", days=3, posts=1, runs=0)
    serving = serve_site(load_workspace(root), port=0)
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    try:
        home = requests.get(serving.url, timeout=10)
        assert home.status_code == 200 and "current streak" in home.text
        css = requests.get(serving.url + "style.css", timeout=10)
        assert css.status_code == 200
        assert requests.get(serving.url + "../.bip/token", timeout=10).status_code == 404
    finally:
        serving.server.shutdown()
        serving.server.server_close()
    assert serving.url.startswith("http://127.0.0.1:")
    assert NOW.tzinfo is not None


def test_a_visitor_sees_the_site_in_chromium(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Every page reachable from the home page, loaded in headless Chromium: it answers 200, has
    no console errors, its images load (the loss curves), and its links lead somewhere."""
    from tests.browser import open_browser, serve

    _, out = built
    with serve(out) as base, open_browser() as browser:
        home = browser.visit(f"{base}/", screenshot=tmp_path / "site-home.png")
        queue, seen, pages = [f"{base}/"], set(), {}
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            visit = home if url == f"{base}/" else browser.visit(url)
            assert visit.status == 200, url
            assert visit.console_errors == [], (url, visit.console_errors)
            assert all(image.loaded for image in visit.images), (url, visit.images)
            pages[url.removeprefix(base)] = visit
            for link in Page(visit.dom).links():
                target = requests.compat.urljoin(url, link).split("#")[0]
                if target.startswith(base) and not target.endswith(".xml"):
                    queue.append(target)
    assert (tmp_path / "site-home.png").stat().st_size > 10_000  # for a human to look at
    text = " ".join(" ".join(Page(home.dom).text).split())
    assert "5 days current streak" in text and "As of 2026-11-23 (Asia/Shanghai)" in text
    assert "<script" not in home.dom.split("</head>")[1]  # the hostile title stayed text
    assert HOSTILE_TITLE in text
    runs = [p for u, p in pages.items() if u.startswith("/runs/2026")]
    assert len(runs) == 2 and all(len(r.images) == 1 for r in runs)  # each loss curve loaded
    assert {"/posts/post-1/", "/posts/hostile/", "/reading/", "/contributions/"} <= set(pages)


def test_atom_feed_has_the_published_posts_read_by_a_feed_reader(
    built: tuple[Path, Path],
) -> None:
    import feedparser

    _, out = built
    raw = (out / "atom.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    titles = sorted(entry.title for entry in feed.entries)
    assert titles == sorted([HOSTILE_TITLE, "Post number 1: what the loss said",
                             "Post number 2: what the loss said"])  # fmt: skip
    assert b"<script" not in raw and b"& " not in raw  # escaped, read back as the title's text
    for entry in feed.entries:
        assert entry.link.startswith(f"{BASE}posts/") and entry.id == entry.link
        assert entry.published_parsed is not None and entry.updated_parsed is not None
        assert "alert(1)" not in entry.content[0].value  # the post's raw HTML never got in
    assert feed.feed.links[0].href == f"{BASE}atom.xml"
    heads = [a for t, a in page(out, ".").tags if t == "link" and a.get("rel") == "alternate"]
    atom = [a for a in heads if a.get("type") == "application/atom+xml"]
    assert [a["href"] for a in atom] == [f"{BASE}atom.xml"]
