"""Running git, and the check-in's question: which commits and branches moved since a moment, in
many repositories at once."""

from __future__ import annotations

import glob
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from toolkit.errors import BipError

T = TypeVar("T")
R = TypeVar("R")
WORKERS = 4  # git processes at once in a scan: each mostly waits on its git, outside the GIL

FIELD = "\x1f"
RECORD = "\x1e"


class GitError(BipError):
    """git could not answer: not a repository, an unknown revision, git missing."""


@dataclass
class Commit:
    """One commit, as every part of bip records it."""

    sha: str
    date: str  # ISO 8601 with offset (author date)
    subject: str
    insertions: int = 0
    deletions: int = 0
    author_email: str = ""
    author_name: str = ""


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


# -- running git -------------------------------------------------------------------------------


def run_git(
    path: Path, *args: str, check: bool = True, exact: bool = True
) -> subprocess.CompletedProcess[str]:
    """`git -C path args...`; GitError (git's own first line) if it fails and `check`.

    With `exact`, the repository must be `path` itself, not a folder above it (a folder
    inside a repository is not that repository)."""
    if exact and not is_repository(Path(path)):
        raise GitError(f"{path} is not a git repository")
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    if check and done.returncode != 0:
        raise GitError(first_line(done.stderr) or f"git {args[0]} failed ({done.returncode})")
    return done


def is_repository(path: Path) -> bool:
    """A work tree's top folder (it holds .git) or a bare repository."""
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def count_of(value: str) -> int:
    return int(value) if value.isdigit() else 0  # "-" for binary files


def in_order(work: Callable[[T], R], items: list[T], workers: int = WORKERS) -> list[R]:
    """`[work(item) for item in items]`, by up to `workers` threads at once: each mostly waits
    on a git process, which runs outside the GIL. The results keep `items`' order, and an error
    is the one the plain loop would raise (the first failing item's, in that order)."""
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    import threading

    results: list[R | None] = [None] * len(items)
    failed: dict[int, BaseException] = {}
    todo = iter(range(len(items)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:  # items are taken in order: every item before a failure is finished
                n = -1 if failed else next(todo, -1)
            if n < 0:
                return
            try:
                results[n] = work(items[n])
            except BaseException as exc:  # noqa: BLE001 -- raised again in the caller's thread
                with lock:
                    failed[n] = exc
                return

    threads = [
        threading.Thread(target=worker, daemon=True) for _ in range(min(workers, len(items)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[min(failed)]
    return results  # type: ignore[return-value]  # every slot is filled when nothing failed


# -- what you built: the check-in's scan ------------------------------------------------------


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


def scan_repo(
    path: Path, emails: list[str], since: datetime, until: datetime | None = None
) -> RepoActivity:
    """Your non-merge commits on any branch since `since` (and up to `until`, for a day filled
    in afterwards), with +/- lines, and the branches with commits in that window: one `git log`
    (merges are walked for their branch names only)."""
    activity = RepoActivity(path.name, str(path))
    if not path.exists():
        activity.error = "does not exist"
        return activity
    if not os.access(path, os.R_OK | os.X_OK):
        activity.error = "permission denied"
        return activity
    if not is_repository(path):
        activity.error = "not a git repository"
        return activity
    done = run_git(
        path,
        "log",
        "--all",
        f"--since={since.isoformat()}",
        *([f"--until={until.isoformat()}"] if until else []),
        "--numstat",
        "--decorate-refs=refs/heads/",
        f"--format={RECORD}%H{FIELD}%P{FIELD}%D{FIELD}%aI{FIELD}%ae{FIELD}%an{FIELD}%s",
        check=False,
    )
    if done.returncode != 0:
        activity.error = _why_unreadable(done.stderr)
        return activity
    wanted = {e.lower() for e in emails}
    seen: set[str] = set()
    branches: list[str] = []
    for chunk in done.stdout.split(RECORD)[1:]:
        head, _, numstat = chunk.partition("\n")
        sha, parents, refs, date, email, name, subject = head.split(FIELD, 6)
        branches += [r.strip() for r in refs.split(",") if r.strip()]
        if sha in seen or " " in parents.strip() or (wanted and email.lower() not in wanted):
            continue
        seen.add(sha)
        commit = Commit(sha[:12], date, subject, author_email=email, author_name=name)
        for line in numstat.splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                commit.insertions += count_of(parts[0])
                commit.deletions += count_of(parts[1])
        activity.commits.append(commit)
    activity.branches = sorted(set(branches), key=branches.index)
    return activity


def _why_unreadable(stderr: str) -> str:
    first = first_line(stderr)
    if "not a git repository" in first:
        return "not a git repository"
    if "Permission denied" in stderr:
        return "permission denied"
    return f"unreadable ({first or 'git failed'})"


def scan(
    patterns: list[str],
    root: Path,
    emails: list[str],
    since: datetime,
    until: datetime | None = None,
) -> list[RepoActivity]:
    paths, missing = expand_repo_paths(patterns, root)
    results = in_order(lambda p: scan_repo(p, emails, since, until), paths)
    results += [RepoActivity(p, p, error="matches no folder") for p in missing]
    return results


def configured_email(cwd: Path) -> str | None:
    """`git config user.email` as git resolves it from `cwd` (repo, then global), or None."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "config", "user.email"],
            cwd=cwd if cwd.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    email = found.stdout.strip()
    return email if found.returncode == 0 and email else None


def author_emails(configured: list[str], cwd: Path) -> list[str]:
    """Your commit emails: `[git] emails`, else `git config user.email`, else [] (everyone)."""
    if configured:
        return configured
    email = configured_email(cwd)
    return [email] if email else []


# -- what a checkout is at --------------------------------------------------------------------
