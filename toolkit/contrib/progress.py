"""Your PRs, issues and commits in the repos you target: GraphQL with a token, REST otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import BadInput
from toolkit.github import GitHubClient, GitHubError, NotFound, page_count
from toolkit.readinglist import ReadingList
from toolkit.readinglist.links import REPO_PATTERN

SEARCH_QUERY_MAX = 256  # GitHub's limit on a search query's length
CONTRIBUTOR_PAGES = 5  # /contributors links only the first 500 author emails to accounts
COUNTED = ("merged_prs", "open_prs", "closed_prs", "issues", "commits")


@dataclass(frozen=True)
class Target:
    repo: str
    entry_id: str | None = None
    goal_merged_prs: int | None = None
    goal_commits: int | None = None
    goal_by: str | None = None


@dataclass
class PullRequest:
    number: int
    title: str
    url: str
    state: str  # open | merged | closed
    created_at: str
    merged_at: str | None = None


@dataclass
class RepoProgress:
    repo: str
    entry_id: str | None = None
    merged_prs: int = 0
    open_prs: int = 0
    closed_prs: int = 0  # closed without being merged
    issues: int = 0
    commits: int = 0
    first_contribution: str | None = None
    latest_contribution: str | None = None
    rank: int | None = None
    contributors: int | None = None
    rank_note: str = ""
    goal: dict[str, Any] | None = None
    progress: float | None = None  # 0..1 toward the goal
    prs: list[PullRequest] = field(default_factory=list)
    error: str | None = None
    sources: list[str] = field(default_factory=list)

    def numbers(self) -> dict[str, Any]:
        """What a snapshot keeps."""
        data = {k: getattr(self, k) for k in COUNTED}
        data.update(rank=self.rank, contributors=self.contributors)
        return data


def targets_from(model: ReadingList, extra: Iterable[str] = ()) -> list[Target]:
    """Reading-list repo entries with a goal, plus any --repo owner/name."""
    targets: dict[str, Target] = {}
    for entry in model.entries:
        if entry.kind == "repo" and entry.repo and entry.goal:
            targets[entry.repo.lower()] = Target(
                entry.repo,
                entry.id,
                entry.goal.merged_prs,
                entry.goal.commits,
                entry.goal.by.isoformat() if entry.goal.by else None,
            )
    for repo in extra:
        if not REPO_PATTERN.match(repo):
            raise BadInput(
                f"--repo {repo!r} is not owner/name", hint="e.g. --repo vllm-project/vllm"
            )
        targets.setdefault(repo.lower(), Target(repo))
    return list(targets.values())


def resolve_login(client: GitHubClient, flag: str | None, configured: str | None) -> str:
    """--user, else bip.toml's [github] login, else the token's own login."""
    if flag:
        return flag
    if configured:
        return configured
    if not client.auth.token:
        raise BadInput(
            "bip does not know your GitHub login",
            hint='pass --user LOGIN, set [github] login = "..." in bip.toml, or set GH_TOKEN',
        )
    return str(client.get("/user", what="your own user (GET /user)").data["login"])


# -- REST ------------------------------------------------------------------------------------


def search_chunks(prefix: str, repos: list[str]) -> list[str]:
    """`prefix repo:a repo:b ...` queries, each within GitHub's query length limit."""
    queries: list[str] = []
    current = prefix
    for repo in repos:
        part = f" repo:{repo}"
        if len(current) + len(part) > SEARCH_QUERY_MAX and current != prefix:
            queries.append(current)
            current = prefix
        current += part
    queries.append(current)
    return queries


def _repo_of(item: dict[str, Any]) -> str:
    return "/".join(str(item.get("repository_url", "")).split("/")[-2:]).lower()


def fetch_pull_requests(
    client: GitHubClient, login: str, repos: list[str]
) -> dict[str, list[PullRequest]]:
    """The user's PRs in these repos (lowercased owner/name -> PRs), oldest first: one search
    request per ~8 repos, whatever the token."""
    found: dict[str, list[PullRequest]] = {r.lower(): [] for r in repos}
    for query in search_chunks(f"is:pr author:{login}", repos):
        asked = {"q": query, "sort": "created", "order": "asc"}
        what = f"your pull requests in {', '.join(repos)}"
        for item in client.items("/search/issues", asked, what=what):
            if _repo_of(item) in found:
                found[_repo_of(item)].append(_pr_from_rest(item))
    return found


def fetch_rest(client: GitHubClient, login: str, targets: list[Target]) -> list[RepoProgress]:
    repos = [t.repo for t in targets]
    by_repo = {t.repo.lower(): RepoProgress(t.repo, t.entry_id) for t in targets}
    for repo, prs in fetch_pull_requests(client, login, repos).items():
        by_repo[repo].prs = prs
    for query in search_chunks(f"is:issue author:{login}", repos):
        first = client.get(
            "/search/issues",
            {"q": query, "per_page": 100},
            what=f"your issues in {', '.join(repos)}",
        )
        for item in first.data.get("items", []):
            target = by_repo.get(_repo_of(item))
            if target is not None:
                target.issues += 1
                _dates(target, item.get("created_at"))
    for item in by_repo.values():
        item.sources.append("PRs and issues: GitHub search")
        try:
            answer = client.get(
                f"/repos/{item.repo}/commits",
                {"author": login, "per_page": 1},
                what=f"your commits in {item.repo}",
            )
        except NotFound:
            item.error = "repository not found (or not visible to the token)"
            continue
        except GitHubError as exc:
            if "409" not in exc.message:  # 409: an empty repository has no commits
                raise
            answer = None
        if answer is not None and isinstance(answer.data, list):
            item.commits = page_count(answer)
            if answer.data:
                _dates(item, answer.data[0]["commit"]["author"]["date"])
        item.sources.append("commits: default branch, by GitHub account")
        _tally(item)
    return list(by_repo.values())


def _pr_from_rest(item: dict[str, Any]) -> PullRequest:
    merged_at = (item.get("pull_request") or {}).get("merged_at")
    state = "merged" if merged_at else str(item.get("state", "open"))
    return PullRequest(
        int(item["number"]),
        str(item.get("title", "")),
        str(item.get("html_url", "")),
        state,
        str(item.get("created_at", "")),
        merged_at,
    )


def _tally(item: RepoProgress) -> None:
    item.merged_prs = sum(p.state == "merged" for p in item.prs)
    item.open_prs = sum(p.state == "open" for p in item.prs)
    item.closed_prs = sum(p.state == "closed" for p in item.prs)
    for pr in item.prs:
        _dates(item, pr.created_at)


def _dates(item: RepoProgress, moment: str | None) -> None:
    if not moment:
        return
    day = moment[:10]
    if item.first_contribution is None or day < item.first_contribution:
        item.first_contribution = day
    if item.latest_contribution is None or day > item.latest_contribution:
        item.latest_contribution = day


# -- GraphQL ---------------------------------------------------------------------------------

_REPO_FIELDS = """
    nameWithOwner
    defaultBranchRef { target { ... on Commit {
      history(author: {id: $uid}, first: 1) { totalCount nodes { committedDate } }
    } } }
"""
_PR_FIELDS = """
    issueCount
    nodes { ... on PullRequest { number title url state merged createdAt mergedAt } }
"""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_batch_query(login: str, targets: list[Target]) -> str:
    """One GraphQL query for every target repo's numbers (aliases r0, r1, ...)."""
    parts = []
    for n, target in enumerate(targets):
        owner, name = target.repo.split("/", 1)
        parts.append(
            f"r{n}: repository(owner: {_quote(owner)}, name: {_quote(name)}) {{{_REPO_FIELDS}}}"
        )
        prs = _quote(f"repo:{target.repo} is:pr author:{login} sort:created-asc")
        issues = _quote(f"repo:{target.repo} is:issue author:{login} sort:created-asc")
        parts.append(f"p{n}: search(query: {prs}, type: ISSUE, first: 100) {{{_PR_FIELDS}}}")
        parts.append(
            f"i{n}: search(query: {issues}, type: ISSUE, first: 1) "
            "{ issueCount nodes { ... on Issue { createdAt } } }"
        )
    body = "\n  ".join(parts)
    return f"query($uid: ID!) {{\n  rateLimit {{ cost remaining resetAt }}\n  {body}\n}}"


def fetch_graphql(client: GitHubClient, login: str, targets: list[Target]) -> list[RepoProgress]:
    user = client.graphql(
        "query($login: String!) { user(login: $login) { id login } }", {"login": login}
    )
    if not user or not user.get("user"):
        raise BadInput(f"GitHub has no user {login!r}", hint="check --user or [github] login")
    data = client.graphql(build_batch_query(login, targets), {"uid": user["user"]["id"]}) or {}
    out = []
    for n, target in enumerate(targets):
        item = RepoProgress(target.repo, target.entry_id)
        repo = data.get(f"r{n}")
        if repo is None:
            item.error = "repository not found (or not visible to the token)"
            out.append(item)
            continue
        history = ((repo.get("defaultBranchRef") or {}).get("target") or {}).get("history") or {}
        item.commits = int(history.get("totalCount", 0))
        for node in history.get("nodes") or []:
            _dates(item, node.get("committedDate"))
        for node in (data.get(f"p{n}") or {}).get("nodes") or []:
            if not node:
                continue
            state = "merged" if node.get("merged") else str(node.get("state", "OPEN")).lower()
            item.prs.append(
                PullRequest(
                    int(node["number"]),
                    str(node.get("title", "")),
                    str(node.get("url", "")),
                    state,
                    str(node.get("createdAt", "")),
                    node.get("mergedAt"),
                )
            )
        issues = data.get(f"i{n}") or {}
        item.issues = int(issues.get("issueCount", 0))
        for node in issues.get("nodes") or []:
            _dates(item, (node or {}).get("createdAt"))
        _tally(item)
        item.sources += [
            "PRs, issues, commits: one GraphQL query for all repos",
            "commits: default branch, by GitHub account",
        ]
        out.append(item)
    return out
