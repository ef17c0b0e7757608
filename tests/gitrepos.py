"""Real git repositories in a tmp dir, with commits by several authors at chosen dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import git


def commit_file(
    repo: git.Repo, name: str, content: str, email: str, when: datetime, subject: str
) -> git.Commit:
    """Write `content` to `name` in the work tree and commit it as `email` at `when`."""
    path = Path(repo.working_tree_dir or ".") / name
    path.write_text(content)
    repo.index.add([name])
    actor = git.Actor(email.split("@")[0], email)
    stamp = f"{int(when.timestamp())} +0000"  # git's own format: GitPython parses it exactly
    return repo.index.commit(
        subject, author=actor, committer=actor, author_date=stamp, commit_date=stamp
    )


def make_repo(
    path: Path, commits: list[tuple[str, str, datetime, int]], branch: str | None = None
) -> git.Repo:
    """commits: (author email, subject, when, lines added) in order."""
    repo = git.Repo.init(path)
    for n, (email, subject, when, lines) in enumerate(commits):
        target = path / f"file{n % 3}.txt"
        with target.open("a") as fh:
            fh.write("".join(f"line {n}.{i}\n" for i in range(lines)))
        repo.index.add([target.name])
        actor = git.Actor(email.split("@")[0], email)
        stamp = f"{int(when.timestamp())} +0000"
        repo.index.commit(
            subject, author=actor, committer=actor, author_date=stamp, commit_date=stamp
        )
    if branch:
        repo.git.checkout("-b", branch)
    return repo
