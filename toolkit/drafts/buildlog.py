"""What you changed relative to the upstream code you built on, read from git.

The base is `--upstream REF` if given, else the entry's pinned `commit:`, else the merge-base of
HEAD with the default branch of the remote that points at the entry's GitHub repo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit import git
from toolkit.errors import BadInput
from toolkit.readinglist import Entry


@dataclass
class BuildCommit:
    sha: str
    date: str
    subject: str
    author: str


@dataclass
class FileChange:
    path: str
    insertions: int
    deletions: int


@dataclass
class BuildLog:
    repo_path: str
    upstream_repo: str
    upstream_ref: str | None
    base_commit: str
    base_short: str
    base_date: str
    base_url: str
    head_commit: str
    commits: list[BuildCommit] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)

    @property
    def insertions(self) -> int:
        return sum(f.insertions for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions for f in self.files)


def build_log(path: Path, entry: Entry, upstream: str | None = None) -> BuildLog:
    if entry.kind != "repo" or not entry.repo:
        raise BadInput(
            f"--based-on {entry.id!r} is a {entry.kind}, not a repo entry",
            hint="build-log needs a repo entry (kind: repo, repo: owner/name)",
        )
    try:
        head = git.commit_info(path, "HEAD")
    except git.GitError as exc:
        if git.is_repository(path):
            raise BadInput(
                f"--repo {path} has no commit to write about ({exc.message})",
                hint=f"commit your work in {path} first",
            ) from None
        raise BadInput(
            f"--repo: {exc.message}",
            hint="give the folder of your clone of the code you built on (the one holding .git)",
        ) from None
    ref = upstream
    if ref is None and entry.commit:
        ref = entry.commit
    remote_ref = None
    if ref is None:
        remote_ref = git.remote_ref_for(path, entry.repo)
        if remote_ref is None:
            raise BadInput(
                f"no remote of {path} points at github.com/{entry.repo}",
                hint=f"add it (git remote add upstream https://github.com/{entry.repo} && git fetch "
                "upstream), pin `commit:` on the entry, or pass --upstream COMMIT",
            )
        ref = remote_ref
    try:
        found = git.merge_base(path, "HEAD", ref)
    except git.GitError:
        raise BadInput(
            f"{ref!r} is not a commit in {path}", hint="fetch it first, or check the name"
        ) from None
    if found is None:
        raise BadInput(f"HEAD of {path} shares no history with {ref!r}")
    base = git.commit_info(path, found)
    commits = [
        BuildCommit(c.sha, c.date, c.subject, c.author_name)
        for c in git.commits_between(path, base.sha)
    ]
    files = [
        FileChange(name, added, removed)
        for name, added, removed in git.diff_numstat(path, base.sha)
    ]
    return BuildLog(
        repo_path=str(path),
        upstream_repo=entry.repo,
        upstream_ref=remote_ref or (upstream if upstream else None),
        base_commit=base.sha,
        base_short=base.sha[:7],
        base_date=base.date[:10],
        base_url=f"https://github.com/{entry.repo}/tree/{base.sha}",
        head_commit=head.sha,
        commits=commits,
        files=files,
    )
