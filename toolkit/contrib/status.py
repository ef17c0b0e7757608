"""`bip contrib status`: goals, what changed since the last snapshot, sparklines, the status record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from toolkit.contrib.merged import save_merged_prs
from toolkit.contrib.progress import (
    COUNTED,
    RepoProgress,
    Target,
    fetch_graphql,
    fetch_rest,
    resolve_user,
    targets_from,
)
from toolkit.contrib.rank import fill_rank
from toolkit.errors import BadInput
from toolkit.github import GitHubClient, GitHubUnreachable
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
    from_snapshot: bool = False  # GitHub could not answer: the numbers are the last snapshot's

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
    progress: Callable[[str], None] | None = None,
) -> Status:
    """Fetch progress for every target, compare with the last snapshot, store a new one.

    `progress(repo)` is called as each repo is done, for a display."""
    targets = targets_from(model, extra_repos)
    if not targets:
        raise BadInput(
            "no target repos",
            hint="add `goal: {merged_prs: 1}` to a repo entry in the reading list, "
            "or pass --repo owner/name",
        )
    try:
        with client.shape("your own user (GET /user)"):
            login, node_id = resolve_user(client, user, configured_login)
        # The user's node id, for counting commits by account: known from an earlier run (or
        # from GET /user), it saves a GraphQL request; the query checks it against the login.
        api = client.graphql_url
        known = store.github_user_id(api, login)

        def remember(uid: str) -> None:
            if uid != known:
                store.put_github_user_id(api, login, uid)

        found_progress = fetch_progress(
            client,
            login,
            targets,
            clones,
            emails,
            progress=progress,
            user_id=known or node_id,
            remember=remember,
        )
    except GitHubUnreachable:
        # Offline, or GitHub down, and this exact question was never asked before: answer
        # from what bip knows, the last snapshot of each requested repo.
        known = user or configured_login or next(iter(store.logins()), None)
        found = status_from_snapshots(client, store, known, targets, now) if known else None
        if found is None:
            names = ", ".join(t.repo for t in targets)
            why = "--offline" if client.offline else "GitHub unreachable"
            raise GitHubUnreachable(
                f"{why}, and bip has no answer cached and no snapshot of {names} yet",
                hint="run `bip contrib status` once with GitHub reachable",
            ) from None
        if not client.offline:
            found.notices.append("GitHub unreachable: answered from the last snapshot")
        return found
    previous = store.latest_snapshots(login)
    stale = client.oldest_answer is not None
    # Numbers from old cached answers are not news: no "changed" lines compared with them.
    changes = {
        p.repo: [] if stale else compare(p, previous.get(p.repo))
        for p in found_progress
        if not p.error
    }
    # A snapshot records what GitHub said now: not when every answer came from the cache.
    if not stale and client.counters.requests > 0:
        store.save_snapshots(
            now, login, {p.repo: p.numbers() for p in found_progress if not p.error}
        )
        save_merged_prs(store, login, now, found_progress)
    return Status(
        login=login,
        taken_at=now,
        repos=found_progress,
        changes=changes,
        as_of=client.oldest_answer,
        requests=_requests(client),
        notices=list(client.notices),
    )


def _requests(client: GitHubClient) -> dict[str, int]:
    counters = client.counters
    return {
        "sent": counters.requests,
        "conditional": counters.conditional,
        "not_modified": counters.not_modified,
        "from_cache": counters.from_cache,
    }


def status_from_snapshots(
    client: GitHubClient, store: Any, login: str, targets: list[Target], now: datetime
) -> Status | None:
    """The requested repos' numbers from their last snapshots, "as of" the oldest; None when
    bip has no snapshot of any of them."""
    latest = {repo.lower(): snap for repo, snap in store.latest_snapshots(login).items()}
    repos: list[RepoProgress] = []
    taken: list[datetime] = []
    for target in targets:
        snap = latest.get(target.repo.lower())
        item = RepoProgress(target.repo, target.entry_id)
        if snap is None:
            item.error = "no snapshot yet (run `bip contrib status` with GitHub reachable)"
            repos.append(item)
            continue
        for key in COUNTED:
            setattr(item, key, int(snap.data.get(key) or 0))
        item.rank, item.contributors = snap.data.get("rank"), snap.data.get("contributors")
        item.rank_note = (
            "from the last snapshot" if item.rank else "not ranked in the last snapshot"
        )
        item.sources.append(f"last snapshot, {snap.taken_at:%Y-%m-%d %H:%M}")
        _goal(item, target)
        repos.append(item)
        taken.append(snap.taken_at)
    if not taken:
        return None
    return Status(
        login=login,
        taken_at=now,
        repos=repos,
        changes={},
        as_of=min(taken),
        requests=_requests(client),
        notices=list(client.notices),
        from_snapshot=True,
    )


@reads("contributor progress")
def fetch_progress(
    client: GitHubClient,
    login: str,
    targets: list[Target],
    clones: dict[str, str] | None = None,
    emails: list[str] | None = None,
    use_graphql: bool | None = None,
    progress: Callable[[str], None] | None = None,
    user_id: str | None = None,
    remember: Callable[[str], None] | None = None,
) -> list[RepoProgress]:
    """Every target's numbers (GraphQL with a token, REST otherwise), then its rank and goal.
    `user_id` and `remember`: see `fetch_graphql` (REST counts commits by login)."""
    if not targets:
        return []
    graphql = bool(client.auth.token) if use_graphql is None else use_graphql
    found = (
        fetch_graphql(client, login, targets, user_id, remember)
        if graphql
        else fetch_rest(client, login, targets)
    )
    for item in found:
        if not item.error:
            fill_rank(client, login, item, (clones or {}).get(item.repo), emails or [])
            _goal(item, next(t for t in targets if t.repo.lower() == item.repo.lower()))
        if progress:
            progress(item.repo)
    return found
