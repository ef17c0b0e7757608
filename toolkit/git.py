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


def scan_repo(
    path: Path, emails: list[str], since: datetime, until: datetime | None = None
) -> RepoActivity:
    """Your non-merge commits on any branch since `since` (and up to `until`, for a day filled
    in afterwards), with +/- lines, and the branches whose tip moved in that window."""
    activity = RepoActivity(path.name, str(path))
    try:
        import git

        repo = git.Repo(path)
        wanted = {e.lower() for e in emails}
        args = [
            "--all",
            "--no-merges",
            f"--since={since.isoformat()}",
            *([f"--until={until.isoformat()}"] if until else []),
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
            moved = datetime.fromisoformat(when) if when else None
            if moved and moved >= since and (until is None or moved <= until):
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


def scan(
    patterns: list[str],
    root: Path,
    emails: list[str],
    since: datetime,
    until: datetime | None = None,
) -> list[RepoActivity]:
    paths, missing = expand_repo_paths(patterns, root)
    results = [scan_repo(p, emails, since, until) for p in paths]
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
