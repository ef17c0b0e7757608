"""Commands for what the user keeps, so nobody edits YAML by hand (issue 22): figures add/edit/rm,
contrib goal, read pin, init --empty. Each edit is a minimal diff with comments kept."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from tests.conftest import COMMENTED


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_figures_add_edit_rm_are_minimal_diffs_that_keep_comments(bip, commented: Path):
    w = ["-w", str(commented.parent)]
    out = bip(
        *w,
        "figures",
        "add",
        "mu-li",
        "--name",
        "Mu Li",
        "--github",
        "mli",
        "--tag",
        "systems",
        "--json",
    )
    assert json.loads(out.stdout) == {
        "id": "mu-li",
        "changes": ["name Mu Li", "github mli", "tags systems"],
    }
    after = commented.read_text()
    assert changed_lines(COMMENTED, after) == [
        "+",
        "+  - id: mu-li",
        "+    name: Mu Li",
        "+    github: mli",
        "+    tags:",
        "+    - systems",
    ] or changed_lines(COMMENTED, after) == [
        "+",
        "+  - id: mu-li",
        "+    name: Mu Li",
        "+    github: mli",
        "+    tags: [systems]",
    ]
    assert "# the teacher" in after and "# trailing comment about the list" in after
    shown = json.loads(bip(*w, "figures", "show", "mu-li", "--json").stdout)["figure"]
    assert (shown["name"], shown["github"], shown["tags"]) == ("Mu Li", "mli", ["systems"])
    bip(*w, "figures", "edit", "mu-li", "--github", "mu-li-gh", "--tag", "")
    shown = json.loads(bip(*w, "figures", "show", "mu-li", "--json").stdout)["figure"]
    assert (shown["github"], shown["tags"]) == ("mu-li-gh", [])
    bip(*w, "figures", "rm", "mu-li")
    assert commented.read_text() == COMMENTED


def test_figures_refuse_what_would_break_the_list(bip, commented: Path):
    w = ["-w", str(commented.parent)]
    result = bip(*w, "figures", "rm", "karpathy", code=2)
    assert "nanogpt" in result.stderr and "remove the figure from those entries" in result.stderr
    assert (
        "already in the list"
        in bip(*w, "figures", "add", "karpathy", "--name", "A K", code=2).stderr
    )
    assert (
        "not a GitHub login"
        in bip(*w, "figures", "add", "x", "--name", "X", "--github", "no spaces", code=2).stderr
    )
    assert commented.read_text() == COMMENTED


def test_an_unknown_figure_says_how_to_add_one(bip, commented: Path):
    result = bip("-w", str(commented.parent), "figures", "show", "mu-li", code=2)
    assert "bip figures add mu-li --name" in result.stderr
    result = bip("-w", str(commented.parent), "figures", "show", "karpaty", code=2)
    assert (
        "did you mean 'karpathy'?" in result.stderr and "bip figures add karpaty" in result.stderr
    )


def test_contrib_goal_sets_changes_and_removes_a_goal(bip, commented: Path):
    w = ["-w", str(commented.parent)]
    out = bip(*w, "contrib", "goal", "karpathy/nanoGPT", "--merged-prs", "3", "--by", "2027-06-30")
    assert out.stdout.strip() == "karpathy/nanoGPT (nanogpt): goal 3 merged PRs by 2027-06-30"
    assert changed_lines(COMMENTED, commented.read_text()) == [
        "+    goal: {merged_prs: 3, by: 2027-06-30}"
    ]
    shown = json.loads(bip(*w, "read", "show", "nanogpt", "--json").stdout)
    assert shown["goal"] == {"merged_prs": 3, "commits": None, "by": "2027-06-30"}
    bip(*w, "contrib", "goal", "KARPATHY/nanogpt", "--merged-prs", "5")  # by is kept
    goal = json.loads(bip(*w, "read", "show", "nanogpt", "--json").stdout)["goal"]
    assert (goal["merged_prs"], goal["by"]) == (5, "2027-06-30")
    data = json.loads(bip(*w, "contrib", "goal", "karpathy/nanoGPT", "--rm", "--json").stdout)
    assert data == {
        "repo": "karpathy/nanoGPT",
        "entry_id": "nanogpt",
        "goal": None,
        "added_entry": False,
    }
    assert commented.read_text() == COMMENTED
    # A flow-style entry takes a goal too (written by the round-trip fallback).
    bip(*w, "contrib", "goal", "Dao-AILab/flash-attention", "--merged-prs", "1")
    assert json.loads(bip(*w, "read", "show", "flash", "--json").stdout)["goal"]["merged_prs"] == 1


def test_contrib_goal_adds_a_repo_that_is_not_in_the_list(bip, commented: Path):
    w = ["-w", str(commented.parent)]
    data = json.loads(
        bip(*w, "contrib", "goal", "vllm-project/vllm", "--merged-prs", "3", "--json").stdout
    )
    assert data == {
        "repo": "vllm-project/vllm",
        "entry_id": "vllm",
        "goal": {"merged_prs": 3},
        "added_entry": True,
    }
    shown = json.loads(bip(*w, "read", "show", "vllm", "--json").stdout)
    assert (shown["kind"], shown["repo"], shown["goal"]["merged_prs"]) == (
        "repo",
        "vllm-project/vllm",
        3,
    )
    added = changed_lines(COMMENTED, commented.read_text())
    assert all(line.startswith("+") for line in added) and "+  - id: vllm" in added
    assert "nothing to remove" in bip(*w, "contrib", "goal", "a/b", "--rm", code=2).stderr
    assert "needs a number" in bip(*w, "contrib", "goal", "a/b", code=2).stderr
    assert (
        "not owner/name" in bip(*w, "contrib", "goal", "nope", "--merged-prs", "1", code=2).stderr
    )


def test_read_pin_records_the_commit_where_drafts_and_cite_read_it(bip, commented: Path):
    w = ["-w", str(commented.parent)]
    out = json.loads(bip(*w, "read", "pin", "nanogpt", "--commit", "9755682B", "--json").stdout)
    assert out == {"id": "nanogpt", "changes": ["commit 9755682b"]}
    assert changed_lines(COMMENTED, commented.read_text()) == ["+    commit: 9755682b"]
    assert json.loads(bip(*w, "read", "show", "nanogpt", "--json").stdout)["commit"] == "9755682b"
    cited = bip(*w, "cite", "nanogpt").stdout
    assert "9755682b" in cited
    bip(*w, "read", "pin", "nanogpt", "--commit", "1234567")  # digits only: stays a string
    assert "commit: '1234567'" in commented.read_text()
    assert "not a commit hash" in bip(*w, "read", "pin", "nanogpt", "--commit", "zz", code=2).stderr


def test_init_empty_has_no_examples_and_every_command_fills_it(bip, tmp_path: Path):
    root = tmp_path / "fresh"
    data = json.loads(bip("init", str(root), "--empty", "--json").stdout)
    assert "reading_list.yaml" in data["created"]
    w = ["-w", str(root)]
    assert json.loads(bip(*w, "read", "list", "--json").stdout) == []
    assert json.loads(bip(*w, "figures", "list", "--json").stdout) == []
    assert "contributor" not in bip(*w, "checkin", "--dry-run").stderr  # no example goals
    bip(*w, "figures", "add", "mu-li", "--name", "Mu Li")
    bip(*w, "contrib", "goal", "vllm-project/vllm", "--merged-prs", "3")
    bip(*w, "read", "validate")
    assert [f["id"] for f in json.loads(bip(*w, "figures", "list", "--json").stdout)] == ["mu-li"]
    assert "# Your reading list" in (root / "reading_list.yaml").read_text()


def test_new_commands_have_help_with_an_example(bip):
    for argv in (
        ["figures", "add"],
        ["figures", "edit"],
        ["figures", "rm"],
        ["contrib", "goal"],
        ["read", "pin"],
        ["init"],
    ):
        text = bip(*argv, "--help").stdout
        assert "Example: bip " in text and "--json" in text, argv
