"""What you changed relative to the upstream code you built on, read with GitPython.

The base is `--upstream REF` if given, else the entry's pinned `commit:`, else the merge-base of
HEAD with the default branch of the remote that points at the entry's GitHub repo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import BadInput
from toolkit.git import remote_ref_for
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
        import git

        repo = git.Repo(path)
    except Exception as exc:
        raise BadInput(f"--repo {path} is not a git repository ({type(exc).__name__})") from None
    ref = upstream
    if ref is None and entry.commit:
        ref = entry.commit
    remote_ref = None
    if ref is None:
        remote_ref = remote_ref_for(repo, entry.repo)
        if remote_ref is None:
            raise BadInput(
                f"no remote of {path} points at github.com/{entry.repo}",
                hint=f"add it (git remote add upstream https://github.com/{entry.repo} && git fetch "
                "upstream), pin `commit:` on the entry, or pass --upstream COMMIT",
            )
        ref = remote_ref
    try:
        bases = repo.merge_base("HEAD", ref)
    except Exception:
        raise BadInput(
            f"{ref!r} is not a commit in {path}", hint="fetch it first, or check the name"
        ) from None
    if not bases:
        raise BadInput(f"HEAD of {path} shares no history with {ref!r}")
    base = bases[0]
    commits = [
        BuildCommit(
            c.hexsha,
            c.authored_datetime.isoformat(),
            c.summary if isinstance(c.summary, str) else c.summary.decode(),
            c.author.name or "",
        )
        for c in repo.iter_commits(f"{base.hexsha}..HEAD", no_merges=True)
    ]
    files = []
    for line in repo.git.diff("--numstat", base.hexsha, "HEAD").splitlines():
        added, removed, name = line.split("\t", 2)
        files.append(
            FileChange(
                name, int(added) if added.isdigit() else 0, int(removed) if removed.isdigit() else 0
            )
        )
    return BuildLog(
        repo_path=str(path),
        upstream_repo=entry.repo,
        upstream_ref=remote_ref or (upstream if upstream else None),
        base_commit=base.hexsha,
        base_short=base.hexsha[:7],
        base_date=base.committed_datetime.date().isoformat(),
        base_url=f"https://github.com/{entry.repo}/tree/{base.hexsha}",
        head_commit=repo.head.commit.hexsha,
        commits=commits,
        files=files,
    )
