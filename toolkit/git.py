"""What you built: your commits across local repos since a moment, read with GitPython.

One `git log --since` per repo (git stops walking once commits are older than needed, so a
20,000-commit history costs what the last day costs) and one `for-each-ref` for branches.
Paths that are missing, unreadable or not git repos are reported, never fatal.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FIELD = "\x1f"
RECORD = "\x1e"


@dataclass
class Commit:
    sha: str
    date: str  # ISO 8601 with offset
    subject: str
    insertions: int = 0
    deletions: int = 0
    author_email: str = ""


@dataclass
class RepoActivity:
    name: str
    path: str
    commits: list[Commit] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def insertions(self) -> int:
        return sum(c.insertions for c in self.commits)

    @property
    def deletions(self) -> int:
        return sum(c.deletions for c in self.commits)


def expand_repo_paths(patterns: list[str], root: Path) -> tuple[list[Path], list[str]]:
    """Folders named by `[git] repos` (globs, ~, relative to the workspace), and the patterns
    that matched nothing."""
    found: dict[str, Path] = {}
    missing = []
    for pattern in patterns:
        expanded = os.path.expanduser(pattern)
        if not os.path.isabs(expanded):
            expanded = str(root / expanded)
        matches = sorted(glob.glob(expanded)) if glob.has_magic(expanded) else [expanded]
        dirs = [Path(m) for m in matches if Path(m).is_dir()]
        if not dirs:
            missing.append(pattern)
        for folder in dirs:
            found.setdefault(str(folder.resolve()), folder)
    return list(found.values()), missing


def scan_repo(path: Path, emails: list[str], since: datetime) -> RepoActivity:
    """Your non-merge commits on any branch since `since`, with +/- lines, and the branches
    whose tip moved since then."""
    activity = RepoActivity(path.name, str(path))
    try:
        import git

        repo = git.Repo(path)
        wanted = {e.lower() for e in emails}
        args = [
            "--all",
            "--no-merges",
            f"--since={since.isoformat()}",
            "--numstat",
            f"--format={RECORD}%H{FIELD}%aI{FIELD}%ae{FIELD}%s",
        ]
        out = repo.git.log(*args) if repo.head.is_valid() else ""
        seen: set[str] = set()
        for chunk in out.split(RECORD)[1:]:
            head, _, numstat = chunk.partition("\n")
            sha, date, email, subject = head.split(FIELD, 3)
            if sha in seen or (wanted and email.lower() not in wanted):
                continue
            seen.add(sha)
            commit = Commit(sha[:12], date, subject, author_email=email)
            for line in numstat.splitlines():
                parts = line.split("\t")
                if len(parts) == 3:
                    commit.insertions += int(parts[0]) if parts[0].isdigit() else 0
                    commit.deletions += int(parts[1]) if parts[1].isdigit() else 0
            activity.commits.append(commit)
        refs = repo.git.for_each_ref(
            "--format=%(refname:short)\t%(committerdate:iso-strict)", "refs/heads"
        )
        for line in refs.splitlines():
            name, _, when = line.partition("\t")
            if when and datetime.fromisoformat(when) >= since:
                activity.branches.append(name)
    except Exception as exc:  # GitPython raises many kinds; each means "cannot read this repo"
        activity.error = _describe(exc, path)
    return activity


def _describe(exc: Exception, path: Path) -> str:
    kind = type(exc).__name__
    if kind == "InvalidGitRepositoryError":
        return "not a git repository"
    if kind == "NoSuchPathError":
        return "does not exist"
    if isinstance(exc, PermissionError) or "Permission denied" in str(exc):
        return "permission denied"
    return f"unreadable ({kind})"


def scan(patterns: list[str], root: Path, emails: list[str], since: datetime) -> list[RepoActivity]:
    paths, missing = expand_repo_paths(patterns, root)
    results = [scan_repo(p, emails, since) for p in paths]
    results += [RepoActivity(p, p, error="matches no folder") for p in missing]
    return results


@dataclass
class GitFacts:
    """Where a run's code came from: the facts `bip run` records and `build-log` reports."""

    root: str
    commit: str | None  # None in a repository without commits
    branch: str | None  # None on a detached HEAD
    dirty: bool
    diffstat: str  # `git diff --stat HEAD`: uncommitted changes to tracked files
    untracked: list[str] = field(default_factory=list)
    upstream_remote: str | None = None
    upstream_url: str | None = None
    upstream_ref: str | None = None  # e.g. upstream/master
    merge_base: str | None = None
    tracking: str | None = None  # the branch's own upstream (@{u}), where its commits are pushed
    tracking_url: str | None = None


def remote_ref_for(repo: Any, upstream_repo: str) -> str | None:
    """The default-branch ref (`remote/HEAD`'s target, else main/master) of the first remote
    whose URL points at github.com/`upstream_repo`."""
    from toolkit.readinglist.links import github_repo

    for remote in repo.remotes:
        urls = list(remote.urls)
        if not any((github_repo(u) or "").lower() == upstream_repo.lower() for u in urls):
            continue
        return _default_ref(repo, remote)
    return None


def _default_ref(repo: Any, remote: Any) -> str | None:
    names: dict[str, str] = {str(ref.remote_head): str(ref.name) for ref in remote.refs}
    if "HEAD" in names:
        return str(repo.git.symbolic_ref(f"refs/remotes/{remote.name}/HEAD", "--short"))
    for branch in ("main", "master"):
        if branch in names:
            return names[branch]
    return next(iter(names.values()), None)


def git_facts(path: Path, upstream_repo: str | None = None) -> GitFacts | None:
    """The commit, branch, uncommitted changes, upstream remote and merge-base of the repository
    holding `path`; None when `path` is not in a git repository.

    The upstream is the remote pointing at github.com/`upstream_repo` when given (as build-log
    chooses it), else the remote named `upstream`, else the current branch's tracking remote,
    else `origin`; the merge-base is taken with that remote's default branch.
    """
    try:
        import git

        repo = git.Repo(path, search_parent_directories=True)
    except Exception:  # not a repository, or git missing: the run is recorded without git facts
        return None
    facts = GitFacts(str(repo.working_tree_dir or path), None, None, False, "")
    try:
        facts.commit = repo.head.commit.hexsha if repo.head.is_valid() else None
        facts.branch = None if repo.head.is_detached else repo.active_branch.name
        status = repo.git.status("--porcelain", "--untracked-files=normal")
        facts.dirty = bool(status.strip())
        facts.untracked = [line[3:] for line in status.splitlines() if line.startswith("??")][:50]
        if facts.commit:
            facts.diffstat = repo.git.diff("HEAD", "--stat").rstrip()
        branch = None if repo.head.is_detached else repo.active_branch.tracking_branch()
        if branch is not None and branch.remote_name in [r.name for r in repo.remotes]:
            facts.tracking = branch.name
            facts.tracking_url = next(iter(repo.remotes[branch.remote_name].urls), None)
        remote, ref = _upstream(repo, upstream_repo)
        if remote is not None:
            facts.upstream_remote = remote.name
            facts.upstream_url = next(iter(remote.urls), None)
            facts.upstream_ref = ref
        if ref and facts.commit:
            bases = repo.merge_base("HEAD", ref)
            facts.merge_base = bases[0].hexsha if bases else None
    except Exception:  # a half-readable repository still gives what it gave so far
        pass
    return facts


def _upstream(repo: Any, upstream_repo: str | None) -> tuple[Any, str | None]:
    if upstream_repo:
        ref = remote_ref_for(repo, upstream_repo)
        if ref:
            return repo.remotes[ref.split("/", 1)[0]], ref
    names = [r.name for r in repo.remotes]
    tracking = None if repo.head.is_detached else repo.active_branch.tracking_branch()
    order = ["upstream", tracking.remote_name if tracking is not None else "", "origin"]
    for name in order:
        if name in names:
            remote = repo.remotes[name]
            return remote, _default_ref(repo, remote)
    return None, None
