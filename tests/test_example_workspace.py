"""The README's main job: the example workspace builds and its check-in shows real work."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import REPO_ROOT


def load_make_demo():
    spec = importlib.util.spec_from_file_location(
        "make_demo", REPO_ROOT / "examples" / "make_demo.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_workspace_checkin(bip, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("BIP_NOW")  # the demo's commits are dated relative to the real clock
    target = tmp_path / "demo"
    load_make_demo().build(target)
    assert bip("-w", str(target), "read", "validate").exit_code == 0
    result = bip("-w", str(target), "checkin", "--offline", "--note", "demo note")
    assert result.exit_code == 0, result.stderr
    assert "- **nanogpt-rocm**: 3 commits, +48/-0 (branches: rocm-bf16)" in result.stdout
    assert "- **vllm**: 1 commit, +8/-0" in result.stdout
    assert "upstream" not in result.stdout.lower()
    assert "- vllm-project/vllm: 1 merged PR, 1 commit" in result.stdout
    assert result.stderr == ""  # the demo warns about none of its own data (`make run`)
    streak = bip("-w", str(target), "streak")
    assert "current streak: 5 days" in streak.stdout and streak.stderr == ""
    day = target / "journal" / result.stdout.split("journal/")[1].split()[0]
    assert day.is_file()
    load_make_demo().build(target)  # building again replaces the previous demo
    assert not day.exists()
