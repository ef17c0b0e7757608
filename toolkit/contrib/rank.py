"""Your rank among a repo's contributors: exact from a local clone, else GitHub's contributor list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.contrib.progress import CONTRIBUTOR_PAGES, RepoProgress
from toolkit.errors import BadInput, BipError
from toolkit.github import GitHubClient

# -- rank and goal ---------------------------------------------------------------------------


def _rank(
    client: GitHubClient, login: str, item: RepoProgress, clone: str | None, emails: list[str]
) -> None:
    if clone:
        try:
            item.rank, item.contributors = rank_from_clone(Path(clone).expanduser(), emails)
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


def rank_from_clone(path: Path, emails: list[str]) -> tuple[int | None, int]:
    """(your rank, number of authors) by non-merge commits on HEAD, from a local clone."""
    if not emails:
        raise BadInput("no git emails configured", hint='set [git] emails = ["you@example.com"]')
    try:
        import git

        repo = git.Repo(path)
        out = repo.git.shortlog("-sne", "--no-merges", "HEAD")
    except Exception as exc:  # GitPython raises many kinds; all mean "cannot read this clone"
        raise BipError(f"cannot read the clone at {path}: {type(exc).__name__}") from exc
    counts: dict[str, int] = {}
    for line in out.splitlines():
        number, _, who = line.strip().partition("\t")
        email = who[who.rfind("<") + 1 : who.rfind(">")].lower()
        counts[email] = counts.get(email, 0) + int(number)
    mine = sum(counts.pop(e.lower(), 0) for e in emails)
    if mine == 0:
        return None, len(counts)
    return 1 + sum(c > mine for c in counts.values()), len(counts) + 1
