"""What the check-in counts as built, on real repositories."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.gitrepos import commit_file, make_repo
from toolkit.git import RepoActivity, expand_repo_paths, in_order, scan, scan_repo

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


def test_a_scan_asks_several_repos_at_once_and_keeps_their_order(tmp_path: Path):
    """Item 0 finishes only after the last item has started: a plain loop would never get
    there. The results are still in the items' order."""
    import threading

    last_started = threading.Event()

    def work(n: int) -> int:
        if n == 3:
            last_started.set()
        if n == 0:
            assert last_started.wait(timeout=30), "the items did not run at once"
        return n * 10

    assert in_order(work, [0, 1, 2, 3], workers=4) == [0, 10, 20, 30]
    assert in_order(work, [], workers=4) == []
    assert in_order(lambda n: n + 1, list(range(50)), workers=4) == list(range(1, 51))


def test_the_error_raised_is_the_first_items_as_in_a_plain_loop(tmp_path: Path):
    """Item 3 fails first in time, item 1 first in order: item 1's error is the one raised."""
    import threading

    three_failed = threading.Event()

    def work(n: int) -> int:
        if n == 3:
            three_failed.set()
            raise ValueError("item 3")
        if n == 1:
            assert three_failed.wait(timeout=30)
            raise ValueError("item 1")
        return n

    with pytest.raises(ValueError, match="item 1"):
        in_order(work, [0, 1, 2, 3], workers=4)


def test_a_concurrent_scan_gives_what_one_repo_at_a_time_gives(tmp_path: Path):
    """Repos in the configured order (not sorted, not in finishing order), with a broken repo,
    a folder that is not one and a pattern that matches nothing, each with its usual message."""
    code = tmp_path / "code"
    names = ["zeta", "alpha", "mid", "beta", "omega", "gamma"]
    for n, name in enumerate(names):
        make_repo(
            code / name,
            [("me@x.org", f"{name} {i}", NOW - timedelta(hours=i + 1), n + i) for i in range(3)],
        )
    (code / "plain").mkdir()
    broken = make_repo(code / "broken", [("me@x.org", "work", NOW - timedelta(hours=2), 1)])
    head = broken.head.commit.hexsha  # its branch names a commit that is gone
    (Path(broken.git_dir) / "objects" / head[:2] / head[2:]).unlink()
    patterns = [f"code/{name}" for name in names[:3]] + ["code/broken", "code/plain", "gone/*"]
    patterns += [f"code/{name}" for name in names[3:]]
    since = NOW - timedelta(days=1)

    results = scan(patterns, tmp_path, ["me@x.org"], since, NOW)

    paths, missing = expand_repo_paths(patterns, tmp_path)
    one_at_a_time = [scan_repo(p, ["me@x.org"], since, NOW) for p in paths]
    assert results == one_at_a_time + [
        RepoActivity(m, m, error="matches no folder") for m in missing
    ]
    assert [r.name for r in results] == [*names[:3], "broken", "plain", *names[3:], "gone/*"]
    assert [len(r.commits) for r in results if r.name in names] == [3] * len(names)
    by_name = {r.name: r for r in results}
    assert by_name["plain"].error == "not a git repository"
    assert (by_name["broken"].error or "").startswith("unreadable (bad object refs/heads/")
