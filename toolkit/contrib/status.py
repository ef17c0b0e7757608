"""`bip contrib status`: goals, what changed since the last snapshot, sparklines, the status record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from toolkit.contrib.progress import (
    RepoProgress,
    Target,
    fetch_graphql,
    fetch_rest,
    resolve_login,
    targets_from,
)
from toolkit.contrib.rank import _rank
from toolkit.errors import BadInput
from toolkit.github import GitHubClient
from toolkit.http import reads
from toolkit.readinglist import ReadingList
from toolkit.state import Snapshot


def _goal(item: RepoProgress, target: Target) -> None:
    goal: dict[str, Any] = {}
    fractions = []
    if target.goal_merged_prs:
        goal["merged_prs"] = target.goal_merged_prs
        fractions.append(min(item.merged_prs / target.goal_merged_prs, 1.0))
    if target.goal_commits:
        goal["commits"] = target.goal_commits
        fractions.append(min(item.commits / target.goal_commits, 1.0))
    if target.goal_by:
        goal["by"] = target.goal_by
    if goal:
        item.goal = goal
        item.progress = min(fractions) if fractions else None


# -- changes and history ---------------------------------------------------------------------

_LABELS = {
    "merged_prs": ("merged PR", "merged PRs"),
    "open_prs": ("open PR", "open PRs"),
    "closed_prs": ("closed PR", "closed PRs"),
    "issues": ("issue", "issues"),
    "commits": ("commit", "commits"),
}


def compare(current: RepoProgress, previous: Snapshot | None) -> list[str]:
    """What changed since the previous snapshot, in words: "+1 merged PR since 2026-11-20"."""
    if previous is None:
        return []
    since = previous.taken_at.date().isoformat()
    changes = []
    for key, (one, many) in _LABELS.items():
        delta = getattr(current, key) - int(previous.data.get(key) or 0)
        if delta:
            changes.append(f"{delta:+d} {one if abs(delta) == 1 else many} since {since}")
    old_rank = previous.data.get("rank")
    if current.rank and current.rank != old_rank:
        was = f"#{old_rank}" if old_rank else "unranked"
        changes.append(f"rank #{current.rank} (was {was}) since {since}")
    return changes


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))] for v in values)


@dataclass
class Status:
    login: str
    taken_at: datetime
    repos: list[RepoProgress]
    changes: dict[str, list[str]]
    as_of: datetime | None  # set when answers came from the cache (offline or unreachable)
    requests: dict[str, int]
    notices: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def take_status(
    client: GitHubClient,
    store: Any,
    model: ReadingList,
    now: datetime,
    user: str | None = None,
    configured_login: str | None = None,
    extra_repos: Iterable[str] = (),
    clones: dict[str, str] | None = None,
    emails: list[str] | None = None,
) -> Status:
    """Fetch progress for every target, compare with the last snapshot, store a new one."""
    targets = targets_from(model, extra_repos)
    if not targets:
        raise BadInput(
            "no target repos",
            hint="add `goal: {merged_prs: 1}` to a repo entry in the reading list, "
            "or pass --repo owner/name",
        )
    with client.shape("your own user (GET /user)"):
        login = resolve_login(client, user, configured_login)
    progress = fetch_progress(client, login, targets, clones, emails)
    previous = store.latest_snapshots(login)
    changes = {p.repo: compare(p, previous.get(p.repo)) for p in progress if not p.error}
    if client.oldest_answer is None:  # only fresh answers make a snapshot
        store.save_snapshots(now, login, {p.repo: p.numbers() for p in progress if not p.error})
    counters = client.counters
    return Status(
        login=login,
        taken_at=now,
        repos=progress,
        changes=changes,
        as_of=client.oldest_answer,
        requests={
            "sent": counters.requests,
            "conditional": counters.conditional,
            "not_modified": counters.not_modified,
            "from_cache": counters.from_cache,
        },
        notices=list(client.notices),
    )


@reads("contributor progress")
def fetch_progress(
    client: GitHubClient,
    login: str,
    targets: list[Target],
    clones: dict[str, str] | None = None,
    emails: list[str] | None = None,
    use_graphql: bool | None = None,
) -> list[RepoProgress]:
    if not targets:
        return []
    graphql = bool(client.auth.token) if use_graphql is None else use_graphql
    progress = (
        fetch_graphql(client, login, targets) if graphql else fetch_rest(client, login, targets)
    )
    for item in progress:
        if item.error:
            continue
        _rank(client, login, item, (clones or {}).get(item.repo), emails or [])
        _goal(item, next(t for t in targets if t.repo.lower() == item.repo.lower()))
    return progress
