"""What the check-in counts as built, on real repositories."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.gitrepos import commit_file, make_repo
from toolkit.git import expand_repo_paths, scan, scan_repo

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def test_counts_only_my_commits_since_the_moment_with_line_stats(tmp_path: Path):
    repo = make_repo(
        tmp_path / "nanogpt",
        [
            ("me@x.org", "old work", NOW - timedelta(days=3), 5),
            ("other@x.org", "their change", NOW - timedelta(hours=5), 7),
            ("me@x.org", "port attention to ROCm", NOW - timedelta(hours=4), 3),
            ("ME2@x.org", "fix the loss curve", NOW - timedelta(hours=1), 2),
        ],
    )
    default = repo.active_branch.name  # git's init.defaultBranch: master or main
    repo.git.checkout("-b", "rocm")
    commit_file(
        repo, "file0.txt", "rewritten\n", "me@x.org", NOW - timedelta(minutes=30), "on a branch"
    )
    activity = scan_repo(tmp_path / "nanogpt", ["me@x.org", "me2@x.org"], NOW - timedelta(hours=24))
    assert activity.error is None
    assert [c.subject for c in activity.commits] == [
        "on a branch",
        "fix the loss curve",
        "port attention to ROCm",
    ]
    assert (activity.commits[2].insertions, activity.commits[2].deletions) == (3, 0)
    assert activity.commits[0].deletions > 0
    assert sorted(activity.branches) == sorted([default, "rocm"])


def test_non_git_missing_and_empty_paths_are_reported_not_fatal(tmp_path: Path):
    (tmp_path / "code" / "notes").mkdir(parents=True)
    make_repo(tmp_path / "code" / "good", [("me@x.org", "work", NOW - timedelta(hours=2), 1)])
    __import__("git").Repo.init(tmp_path / "code" / "empty")
    results = scan(
        ["code/*", "missing/*", str(tmp_path / "nowhere")],
        tmp_path,
        ["me@x.org"],
        NOW - timedelta(days=1),
    )
    by_name = {r.name: r for r in results}
    assert len(by_name["good"].commits) == 1
    assert by_name["notes"].error == "not a git repository"
    assert by_name["empty"].error is None and by_name["empty"].commits == []
    assert by_name["missing/*"].error == "matches no folder"
    assert by_name[str(tmp_path / "nowhere")].error == "matches no folder"


def test_repo_patterns_expand_home_globs_and_relative_paths(tmp_path: Path, monkeypatch):
    home = Path.home()
    (home / "src" / "vllm").mkdir(parents=True)
    (tmp_path / "ws" / "code" / "a").mkdir(parents=True)
    paths, missing = expand_repo_paths(["~/src/vllm", "code/*", "~/src/vllm"], tmp_path / "ws")
    assert [p.name for p in paths] == ["vllm", "a"]
    assert missing == []
