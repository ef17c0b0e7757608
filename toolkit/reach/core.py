"""The five questions of `bip reach`, each one function: inputs in, a result dataclass out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from toolkit.errors import BadInput
from toolkit.github import GitHubClient, GitHubUnreachable, NotFound, RateLimited
from toolkit.reach.answers import (
    NextIssue,
    RepoReach,
    key_reviewers,
    merged_by,
    rank_issues,
    repo_reach,
    reviewed_by,
)
from toolkit.reach.example import load_example
from toolkit.reach.fetch import fetch_issues, fetch_repo_page, fetch_reviewed, recheck
from toolkit.reach.model import APPROXIMATE, EXACT, Edge, all_edges
from toolkit.reach.paths import MAX_HOPS, Graph, Near
from toolkit.reach.store import ReachStore

DEFAULT_HOPS = 3
SEARCH_CAP = 1000  # GitHub's search returns no more results than this
DEFAULT_SYNC_DAYS = 365
YOU_KEY = "you"
# Edges from an ecosystem layer: (repos bip knows, the two people) -> (edges, the data's holes).
ArchiveEdges = Callable[[list[str], list[str]], tuple[list[Edge], list[str]]]


@dataclass(frozen=True)
class FigureRef:
    figure: str  # what the user typed: a reading-list figure id or a login
    login: str


@dataclass
class MapResult:
    figure: str
    login: str
    as_of: str
    source: str
    repos: list[RepoReach]
    holes: list[str] = field(default_factory=list)
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("requests")
        return data


@dataclass
class PathResult:
    you: str
    figure: str
    hops: int
    paths: list[list[Edge]]
    nearest: list[Near] = field(default_factory=list)
    holes: list[str] = field(default_factory=list)
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.you,
            "to": self.figure,
            "paths": [[step_dict(e) for e in path] for path in self.paths],
            "nearest": [asdict(n) for n in self.nearest],
            "holes": self.holes,
        }


@dataclass
class NextResult:
    figure: str | None
    reviewers: list[str]
    issues: list[NextIssue]
    holes: list[str] = field(default_factory=list)
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"issues": [asdict(i) for i in self.issues], "holes": self.holes}


@dataclass
class RepoSync:
    repo: str
    pulls: int
    issues: int
    complete: bool
    error: str | None = None


@dataclass
class SyncResult:
    repos: list[RepoSync]
    requests: int = 0
    as_of: str = ""


def step_dict(edge: Edge) -> dict[str, Any]:
    return {
        "from": edge.source,
        "to": edge.target,
        "kind": edge.kind,
        "repo": edge.repo,
        "pr": edge.pr,
        "url": edge.url,
        "at": edge.at,
        "evidence": edge.evidence,
    }


def resolve_figure(figures: dict[str, str | None], text: str) -> FigureRef:
    """A reading-list figure id (`tri-dao`, through its `github:`) or a GitHub login."""
    if text in figures:
        login = figures[text]
        if not login:
            raise BadInput(
                f"figure {text!r} has no GitHub login in the reading list",
                hint=f"add `github: LOGIN` to figure {text!r}, or pass the login itself",
            )
        return FigureRef(text, login)
    if not text or text.startswith("-") or " " in text:
        raise BadInput(f"{text!r} is neither a figure id nor a GitHub login")
    return FigureRef(text, text)


def _online(client: GitHubClient | None) -> bool:
    return client is not None and not client.offline and bool(client.auth.token)


def resolve_you(
    client: GitHubClient | None, store: ReachStore, flag: str | None, configured: str | None
) -> str:
    """--user, else bip.toml's [github] login, else the example's user, else the token's."""
    found = flag or configured or store.get(YOU_KEY)
    if found:
        return found
    if _online(client):
        from toolkit.contrib import resolve_login

        assert client is not None
        return resolve_login(client, None, None)
    raise BadInput(
        "bip does not know your GitHub login",
        hint='pass --user LOGIN, or set [github] login = "..." in bip.toml',
    )


def reach_map(
    client: GitHubClient | None,
    store: ReachStore,
    figures: dict[str, str | None],
    figure_text: str,
    now: datetime,
    since: str | None = None,
    repos: list[str] | None = None,
) -> MapResult:
    """Where FIGURE reviews and merges: GitHub's search when online (saved for later), else the
    synced state, marked as of when it was fetched."""
    figure = resolve_figure(figures, figure_text)
    holes: list[str] = []
    key = f"map\t{figure.login.lower()}"
    source = "synced state"
    if _online(client):
        assert client is not None
        try:
            for page in fetch_reviewed(client, figure.login, since, repos):
                store.save_pulls(page.pulls)
                if page.total > SEARCH_CAP and not holes:
                    holes.append(
                        f"GitHub's search found {page.total:,} PRs {figure.login} reviewed and "
                        f"returns the newest {SEARCH_CAP:,}: narrow with --since or --repo"
                    )
            store.put(key, now.isoformat(timespec="seconds"))
            source = "github"
        except GitHubUnreachable as exc:
            holes.append(f"GitHub unreachable ({exc.message}): answered from the synced state")
    as_of = now.isoformat(timespec="seconds") if source == "github" else _latest(store, key)
    pulls = [
        p
        for p in store.pulls()
        if (not since or p.created_at[:10] >= since)
        and (not repos or p.repo.lower() in {r.lower() for r in repos})
    ]
    found = repo_reach(pulls, figure.login)
    if source == "github":
        holes.append(
            f"merges by {figure.login} without a review of theirs are counted only in synced repos"
        )
    if not found:
        holes.append(
            f"no reviews or merges by {figure.login} in the data bip has"
            + ("" if source == "github" else ": run `bip reach sync`, or `bip reach map` online")
        )
    return MapResult(
        figure.figure,
        figure.login,
        as_of,
        source,
        found,
        holes,
        client.counters.requests if client else 0,
    )


def _latest(store: ReachStore, key: str) -> str:
    """When the data answering was fetched: this figure's map, else the latest sync."""
    times = [t for t in [store.get(key), store.get("synced")] if t]
    return max(times) if times else ""


def reach_path(
    client: GitHubClient | None,
    store: ReachStore,
    figures: dict[str, str | None],
    figure_text: str,
    user: str | None = None,
    configured: str | None = None,
    hops: int = DEFAULT_HOPS,
    archive: ArchiveEdges | None = None,
) -> PathResult:
    """The shortest paths from you to FIGURE; approximate edges on them re-checked with one
    GraphQL request when online. No path is an answer: the nearest people you reach."""
    figure = resolve_figure(figures, figure_text)
    if not 1 <= hops <= MAX_HOPS:
        raise BadInput(f"--hops must be between 1 and {MAX_HOPS}, not {hops}")
    you = resolve_you(client, store, user, configured)
    edges = all_edges(store.pulls())
    holes: list[str] = []
    if archive is not None:
        more, notes = archive(store.repos(), [you, figure.login])
        edges += more
        holes += notes
    graph = Graph(edges)
    paths = graph.shortest_paths(you, figure.login, hops)
    guessed = _approximate(paths)
    if guessed and _online(client):
        assert client is not None
        try:
            verdict = recheck(client, guessed)
        except (GitHubUnreachable, RateLimited) as exc:
            holes.append(f"approximate edges not re-checked: {exc.message}")
        else:
            refuted = [e for i, e in enumerate(guessed) if not verdict[i]]
            confirmed = {_edge_key(e) for i, e in enumerate(guessed) if verdict[i]}
            if refuted:
                holes.append(
                    f"{len(refuted)} approximate edge{'s' * (len(refuted) != 1)} not confirmed "
                    "by GitHub: left out"
                )
                graph = graph.without(refuted)
                paths = graph.shortest_paths(you, figure.login, hops)
            paths = [
                [_confirmed(e) if _edge_key(e) in confirmed else e for e in path] for path in paths
            ]
            if confirmed:
                holes.append(
                    f"{len(confirmed)} edge{'s' * (len(confirmed) != 1)} from GH Archive "
                    "confirmed by GitHub's API (now exact)"
                )
    if _approximate(paths):
        holes.append(
            "edges marked approximate come from GH Archive and were not re-checked with "
            "GitHub's API" + ("" if _online(client) else " (offline or no token)")
        )
    nearest = [] if paths else graph.nearest(you, figure.login, hops)
    return PathResult(
        you,
        figure.login,
        hops,
        paths,
        nearest,
        holes,
        client.counters.requests if client else 0,
    )


def _approximate(paths: list[list[Edge]]) -> list[Edge]:
    seen: dict[tuple[str, str, str, int], Edge] = {}
    for path in paths:
        for edge in path:
            if edge.evidence == APPROXIMATE:
                seen.setdefault(_edge_key(edge), edge)
    return list(seen.values())


def _edge_key(edge: Edge) -> tuple[str, str, str, int]:
    a, b = sorted((edge.source.lower(), edge.target.lower()))
    return (a, b, edge.repo.lower(), edge.pr)


def _confirmed(edge: Edge) -> Edge:
    return Edge(
        edge.source,
        edge.target,
        edge.kind,
        edge.repo,
        edge.pr,
        edge.url,
        edge.at,
        EXACT,
        edge.actor,
    )


def reach_next(
    client: GitHubClient | None,
    store: ReachStore,
    figures: dict[str, str | None],
    figure_text: str | None,
    targets: list[str],
    limit: int = 10,
) -> NextResult:
    """Open, unassigned issues where FIGURE (or your target repos' key reviewers) review."""
    figure = resolve_figure(figures, figure_text) if figure_text else None
    if limit < 1:
        raise BadInput(f"--limit must be at least 1, not {limit}")
    holes: list[str] = []
    pulls = store.pulls()
    if figure is not None:
        reviewers = [figure.login]
        theirs = [p for p in pulls if reviewed_by(p, figure.login) or merged_by(p, figure.login)]
        repos = sorted({p.repo for p in theirs}, key=str.lower)
        if not repos:
            holes.append(
                f"no reviews by {figure.login} in the data bip has: run `bip reach map "
                f"{figure.figure}` online, or `bip reach sync`"
            )
    else:
        if not targets:
            raise BadInput(
                "no FIGURE and no target repos",
                hint="name a figure (bip reach next tri-dao), or give a repo entry a `goal:`",
            )
        target_pulls = store.pulls(targets)
        you = store.get(YOU_KEY)
        reviewers = [r for r in key_reviewers(target_pulls, 4) if r != you][:3]
        repos = targets
        if not reviewers:
            holes.append("no reviews in your target repos yet: run `bip reach sync` first")
    missing = [r for r in repos if not store.has_issues(r)]
    if missing and _online(client):
        assert client is not None
        try:
            for repo, issues in fetch_issues(client, missing).items():
                store.save_issues(repo, issues)
                store.put(f"issues synced\t{repo.lower()}", datetime.now().isoformat())
        except GitHubUnreachable as exc:
            holes.append(f"GitHub unreachable ({exc.message}): open issues of {missing} unknown")
    elif missing:
        holes.append(
            "open issues unknown for " + ", ".join(missing) + " (run `bip reach sync --repo R`)"
        )
    issues = store.issues(repos)
    ranked = rank_issues(issues, pulls, reviewers, limit)
    return NextResult(
        figure.login if figure else None,
        reviewers,
        ranked,
        holes,
        client.counters.requests if client else 0,
    )


def reach_sync(
    client: GitHubClient,
    store: ReachStore,
    repos: list[str],
    now: datetime,
    since: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyncResult:
    """Each repo's pull requests (reviews, merger, folders, newcomer flags) and open issues,
    newest first, down to where the last sync stopped. Saved a page at a time, so a sync cut
    short (rate limit, Ctrl-C) resumes from its last saved page."""
    import json

    if not repos:
        raise BadInput(
            "no target repos to sync",
            hint="give a reading-list repo entry a `goal:`, or pass --repo owner/name",
        )
    floor = since or (now.replace(year=now.year - 1)).date().isoformat()
    report: list[RepoSync] = []
    for repo in repos:
        key = f"sync\t{repo.lower()}"
        saved = json.loads(store.get(key) or "{}")
        high = saved.get("high", "")  # newest updatedAt of the last complete sync
        cursor = saved.get("cursor")  # where an interrupted sync stopped
        top = saved.get("top", "")  # newest updatedAt seen by the interrupted sync
        count = issues = 0
        complete = False
        while True:
            try:
                page = fetch_repo_page(client, repo, cursor, with_issues=cursor is None)
            except NotFound as exc:
                report.append(RepoSync(repo, count, issues, False, exc.message))
                break
            if page.issues is not None:
                store.save_issues(repo, page.issues)
                store.put(f"issues synced\t{repo.lower()}", now.isoformat(timespec="seconds"))
                issues = len(page.issues)
            fresh = [p for p in page.pulls if p.updated_at > high and p.updated_at[:10] >= floor]
            count += store.save_pulls(fresh)
            top = max([top, *(p.updated_at for p in page.pulls)])
            done = not page.more or len(fresh) < len(page.pulls)
            if done:
                store.put(key, json.dumps({"high": max(high, top)}))
                complete = True
                break
            cursor = page.cursor
            store.put(key, json.dumps({"high": high, "cursor": cursor, "top": top}))
            if progress:
                progress(f"{repo}: {count} pull requests")
        if not complete:
            continue
        store.put(f"synced\t{repo.lower()}", now.isoformat(timespec="seconds"))
        store.put("synced", now.isoformat(timespec="seconds"))
        report.append(RepoSync(repo, count, issues, complete))
    return SyncResult(report, client.counters.requests, now.isoformat(timespec="seconds"))


def load_example_into(store: ReachStore) -> SyncResult:
    """The bundled example community, saved as a sync would save it (no network)."""
    example = load_example()
    store.save_pulls(example.pulls)
    repos = sorted({p.repo for p in example.pulls} | {i.repo for i in example.issues})
    for repo in repos:
        store.save_issues(repo, [i for i in example.issues if i.repo == repo])
        store.put(f"issues synced\t{repo.lower()}", example.as_of)
        store.put(f"synced\t{repo.lower()}", example.as_of)
    store.put("synced", example.as_of)
    store.put(YOU_KEY, example.you)
    return SyncResult(
        [
            RepoSync(
                repo,
                sum(p.repo == repo for p in example.pulls),
                sum(i.repo == repo for i in example.issues),
                True,
            )
            for repo in repos
        ],
        0,
        example.as_of,
    )
