"""toolkit.git on real repositories: checkout facts, remotes' default branches, merge-bases."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.gitrepos import make_repo
from toolkit import git as g

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def upstream_and_clone(tmp_path: Path) -> tuple[Path, Path]:
    make_repo(
        tmp_path / "upstream",
        [("a@x", "one", NOW - timedelta(days=2), 3), ("b@x", "two", NOW - timedelta(days=1), 2)],
        branch="main",
    )
    sh(tmp_path, "clone", "-q", str(tmp_path / "upstream"), "clone")
    return tmp_path / "upstream", tmp_path / "clone"


def test_checkout_facts_of_a_clean_clone_name_commit_branch_upstream_and_merge_base(
    upstream_and_clone,
):
    _, clone = upstream_and_clone
    facts = g.checkout_facts(clone)
    head = sh(clone, "rev-parse", "HEAD")
    assert (facts.commit, facts.branch, facts.upstream) == (head, "main", "origin/main")
    assert (facts.dirty, facts.untracked, facts.merge_base) == (False, 0, head)
    assert (facts.ahead, facts.behind) == (0, 0)
    assert facts.diffstat == g.DiffStat(0, 0, 0)


def test_checkout_facts_count_changes_untracked_files_and_commits_ahead(upstream_and_clone):
    _, clone = upstream_and_clone
    base = sh(clone, "rev-parse", "HEAD")
    (clone / "new.txt").write_text("x\n")
    sh(clone, "add", "new.txt")
    sh(clone, "-c", "user.email=me@x", "-c", "user.name=me", "commit", "-q", "-m", "mine")
    (clone / "file0.txt").write_text("replaced\nand more\n")  # tracked, modified
    (clone / "scratch.log").write_text("untracked\n")
    facts = g.checkout_facts(clone)
    assert facts.dirty and facts.untracked == 1
    assert facts.diffstat.files == 1 and facts.diffstat.insertions == 2
    assert facts.diffstat.deletions > 0
    assert (facts.ahead, facts.behind, facts.merge_base) == (1, 0, base)


def test_git_facts_name_untracked_files_and_count_them_as_changes(upstream_and_clone):
    """A checkout with only untracked files is dirty for a run's record, and names them (as
    `git status` prints them, unusual names quoted), tracked changes or not."""
    _, clone = upstream_and_clone
    facts = g.git_facts(clone)
    assert facts is not None and (facts.dirty, facts.untracked) == (False, [])
    (clone / "scratch.log").write_text("untracked\n")
    (clone / "sub").mkdir()
    (clone / "sub" / "tab\tname.txt").write_text("x\n")
    facts = g.git_facts(clone / "sub")
    assert facts is not None and facts.dirty and facts.diffstat == ""
    assert sorted(facts.untracked) == sorted(["scratch.log", "sub/"])
    (clone / "file0.txt").write_text("changed\n")
    facts = g.git_facts(clone)
    assert facts is not None and facts.dirty and "file0.txt" in facts.diffstat


def test_checkout_facts_of_a_detached_head_and_from_a_subfolder(upstream_and_clone):
    _, clone = upstream_and_clone
    first = sh(clone, "rev-list", "--max-parents=0", "HEAD")
    sh(clone, "checkout", "-q", first)
    (clone / "deep" / "er").mkdir(parents=True)
    facts = g.checkout_facts(clone / "deep" / "er")
    assert (facts.commit, facts.branch, facts.upstream, facts.merge_base) == (
        first,
        None,
        None,
        None,
    )


def test_checkout_facts_outside_any_repository_is_a_clear_error(tmp_path: Path):
    with pytest.raises(g.GitError, match="not a git repository"):
        g.checkout_facts(tmp_path)


def test_checkout_facts_of_an_empty_repository(tmp_path: Path):
    sh(tmp_path, "init", "-q", "empty")
    facts = g.checkout_facts(tmp_path / "empty")
    assert facts.commit is None and not facts.dirty


def test_remote_default_branch_follows_the_remotes_head_not_the_checked_out_branch(
    upstream_and_clone,
):
    _, clone = upstream_and_clone
    sh(clone, "checkout", "-q", "-b", "mine")
    assert g.remote_default_branch(clone, "origin") == "origin/main"
    sh(clone, "remote", "set-head", "origin", "--delete")
    assert g.remote_default_branch(clone, "origin") == "origin/main"  # main, by name
    assert g.remotes(clone) == {"origin": [str(clone.parent / "upstream")]}


def test_merge_base_and_commits_between(upstream_and_clone):
    upstream, clone = upstream_and_clone
    base = sh(clone, "rev-parse", "HEAD")
    (clone / "a.txt").write_text("1\n2\n")
    sh(clone, "add", "a.txt")
    sh(clone, "-c", "user.email=me@x", "-c", "user.name=Me", "commit", "-q", "-m", "add a\n\nbody")
    assert g.merge_base(clone, "HEAD", "origin/main") == base
    [commit] = g.commits_between(clone, base)
    assert (commit.subject, commit.author_name, commit.author_email) == ("add a", "Me", "me@x")
    assert g.diff_numstat(clone, base) == [("a.txt", 2, 0)]
    with pytest.raises(g.GitError):
        g.merge_base(clone, "HEAD", "no-such-ref")
