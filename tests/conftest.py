"""Shared fixtures: every test runs offline, in its own HOME and workspace, with no token."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from toolkit.workspace import init_workspace

# CI runs the property tests derandomized (the same examples every run, no example database):
# a red CI is then reproducible, never a flake. Locally they explore, and remember failures.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO_ROOT = Path(__file__).resolve().parent.parent
# A frozen copy of the user's reading list: the real one changes every day and must never turn
# the suite red. Refresh it by hand when the schema grows.
FROZEN_LIST = Path(__file__).resolve().parent / "data" / "reading_list.yaml"

COMMENTED = """\
# My reading list -- hand-written, with comments everywhere.
version: 1

figures:
  - id: karpathy   # the teacher
    name: Andrej Karpathy
    github: karpathy

  - id: tri-dao
    name: 'Tri Dao'
    channels: {x: https://x.com/tri_dao}

entries:
  # --- Karpathy ---
  - id: nanogpt
    kind: repo
    title: "nanoGPT"          # double-quoted on purpose
    repo: karpathy/nanoGPT
    figures: [karpathy]
    status: todo     # start soon
    tags:
    - gpt
    - training

  - id: attention
    kind: paper
    title: 'Attention Is All You Need'
    arxiv: '1706.03762'
    status: reading
    started: 2026-11-01
    notes: |
      first line
      second line

  # --- Tri Dao ---
  - {id: flash, kind: repo, title: flash-attention, repo: Dao-AILab/flash-attention, figures: [tri-dao]}
  # trailing comment about the list
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in list(os.environ):
        if var.startswith("BIP_") or var in (
            "GH_TOKEN",
            "GITHUB_TOKEN",
            "GH_HOST",
            "GITHUB_API_URL",
            "S2_API_KEY",
            "NO_COLOR",
        ):
            monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("BIP_TIMEZONE", "UTC")
    monkeypatch.setenv("BIP_NOW", "2026-11-23T10:00:00+00:00")
    # Never the internet: commands stay offline unless a test points them at the fake GitHub.
    monkeypatch.setenv("BIP_OFFLINE", "1")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh workspace made by `bip init`'s own code."""
    root = tmp_path / "ws"
    init_workspace(root)
    return root


@pytest.fixture
def commented(ws: Path) -> Path:
    """A workspace whose reading list is hand-written with comments, quoting and flow style."""
    path = ws / "reading_list.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


@pytest.fixture
def real_list(tmp_path: Path) -> Path:
    """A workspace holding a copy of the frozen reading list (the user's, as of its freezing)."""
    root = tmp_path / "real"
    root.mkdir()
    shutil.copy(FROZEN_LIST, root / "reading_list.yaml")
    return root


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


@pytest.fixture
def bip() -> Callable[..., Result]:
    """Run bip in-process through `toolkit.cli.run`, the same boundary `main()` uses.

    The run must end with exit code `code` (0 unless the test says otherwise): any other code,
    an internal error included, fails the test on the spot. `code=None` accepts any code.
    """
    from toolkit.cli import run as run_bip

    runner = CliRunner()

    def run(*args: str, input: str | None = None, code: int | None = 0) -> Result:
        with runner.isolation(input=input) as (out, err, _):
            exit_code = run_bip(list(args))
            stdout, stderr = out.getvalue(), err.getvalue()
        result = Result(
            exit_code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
        )
        if code is not None and exit_code != code:
            pytest.fail(
                f"bip {' '.join(args)} exited {exit_code}, expected {code}\n"
                f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}",
                pytrace=False,
            )
        return result

    return run
