"""Your rank among a repo's contributors: exact from a local clone, else GitHub's contributor list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit import git
from toolkit.contrib.progress import CONTRIBUTOR_PAGES, RepoProgress
from toolkit.errors import BadInput, BipError
from toolkit.github import GitHubClient
from toolkit.readinglist.links import github_repo

# -- rank and goal ---------------------------------------------------------------------------


def fill_rank(
    client: GitHubClient, login: str, item: RepoProgress, clone: str | None, emails: list[str]
) -> None:
    if clone:
        try:
            item.rank, item.contributors = rank_from_clone(
                Path(clone).expanduser(), emails, item.repo
            )
            item.rank_note = "exact, from your local clone (by author email, merges excluded)"
            return
        except BipError as exc:
            item.sources.append(f"local clone skipped: {exc.message}")
    if item.commits == 0:
        item.rank_note = "no commits on the default branch yet"
        return
    seen = 0
    for page in client.paginate(
        f"/repos/{item.repo}/contributors",
        max_pages=CONTRIBUTOR_PAGES,
        what=f"the contributors of {item.repo}",
    ):
        if not isinstance(page.data, list):
            break
        for position, person in enumerate(page.data, start=seen + 1):
            if str(person.get("login", "")).lower() == login.lower():
                item.rank = position
                item.contributors = _contributor_total(page, seen)
                item.rank_note = "by commits; GitHub links only the first 500 author emails"
                return
        seen += len(page.data)
    item.contributors = seen
    item.rank_note = f"not in the top {seen}"


def _contributor_total(page: Any, seen: int) -> int | None:
    if page.last_url:
        return None  # more pages we did not fetch: the total is unknown without fetching them
    return seen + len(page.data)


def rank_from_clone(
    path: Path, emails: list[str], repo: str | None = None
) -> tuple[int | None, int]:
    """(your rank, number of authors) by non-merge commits on the upstream default branch of a
    local clone: the remote's HEAD (e.g. origin/main), whatever branch is checked out.

    The remote is the one whose URL points at `repo` (owner/name), else `origin`, else the only
    one."""
    if not emails:
        raise BadInput("no git emails configured", hint='set [git] emails = ["you@example.com"]')
    try:
        remote = _upstream_remote(path, repo)
        branch = git.remote_default_branch(path, remote)
        if branch is None:
            raise BipError(
                f"the clone at {path} has no branch of {remote!r}",
                hint=f"fetch it: git -C {path} fetch {remote}",
            )
        counts = git.author_counts(path, branch)
    except git.GitError as exc:
        raise BipError(f"cannot read the clone at {path}: {exc.message}") from None
    mine = sum(counts.pop(e.lower(), 0) for e in emails)
    if mine == 0:
        return None, len(counts)
    return 1 + sum(c > mine for c in counts.values()), len(counts) + 1


def _upstream_remote(path: Path, repo: str | None) -> str:
    found = git.remotes(path)
    if repo:
        for name, urls in found.items():
            if any((github_repo(u) or "").lower() == repo.lower() for u in urls):
                return name
    if "origin" in found or not found:
        if not found:
            raise BipError(
                f"the clone at {path} has no remote",
                hint="the rank counts the upstream's default branch: add the remote and fetch it",
            )
        return "origin"
    return next(iter(found))
