"""Real Jekyll builds of what bip writes (Debian's `jekyll`, installed by `.ci/run`).

`jekyll_site(tmp_path)` lays out a minimal site (no theme, no plugins: one `post` layout with the
title, the date and the content, the default for every post) with an empty `_posts/`. Put posts
there, then `build(site, *flags)` runs `jekyll build` and returns the built pages (path under
`_site` -> HTML), failing on any error or warning with Jekyll's own output; `jekyll(site, *flags)`
runs it and returns the result unchecked. Without Jekyll a test is skipped locally and fails in CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.browser import missing

SITE_CONFIG = """\
title: bip test site
markdown: kramdown
future: true  # the posts are dated by BIP_NOW, not by the clock of the day the tests run
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
"""
POST_LAYOUT = (
    '<html><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body><h1>{{ page.title }}</h1>'
    '<p class="date">{{ page.date | date: "%Y-%m-%d" }}</p>{{ content }}</body></html>\n'
)


def jekyll_binary() -> str:
    found = shutil.which("jekyll")
    if found is None:
        missing("Jekyll", "apt-get install -y --no-install-recommends jekyll (.ci/run does)")
        raise AssertionError  # unreachable: missing() skips or fails
    return found


def jekyll_site(tmp_path: Path) -> Path:
    site = tmp_path / "blog"
    (site / "_posts").mkdir(parents=True)
    (site / "_layouts").mkdir()
    (site / "_config.yml").write_text(SITE_CONFIG)
    (site / "_layouts" / "post.html").write_text(POST_LAYOUT)
    return site


def jekyll(site: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [jekyll_binary(), "build", "--source", str(site), "--destination", str(site / "_site")]
        + list(flags),
        cwd=site,
        capture_output=True,
        text=True,
        timeout=180,
    )


def build(site: Path, *flags: str) -> dict[str, str]:
    """Run Jekyll on the site; built path (`2026/11/23/slug.html`) -> HTML. A warning fails too."""
    out = jekyll(site, *flags)
    said = out.stdout + out.stderr
    assert out.returncode == 0, said
    assert not re.search(r"warning|error", said, re.I), said
    public = site / "_site"
    return {str(page.relative_to(public)): page.read_text() for page in public.rglob("*.html")}
