"""Your PRs, issues and commits in the repos you target: GraphQL with a token, REST otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import BadInput
from toolkit.github import GitHubClient, GitHubError, NotFound, graphql, page_count
from toolkit.github.graphql import Field
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
    return resolve_user(client, flag, configured)[0]


def resolve_user(
    client: GitHubClient, flag: str | None, configured: str | None
) -> tuple[str, str | None]:
    """(login, node id when the answer gave it): --user, else bip.toml's [github] login, else
    the token's own user from GET /user, whose answer carries the node id too."""
    if flag:
        return flag, None
    if configured:
        return configured, None
    if not client.auth.token:
        raise BadInput(
            "bip does not know your GitHub login",
            hint='pass --user LOGIN, set [github] login = "..." in bip.toml, or set GH_TOKEN',
        )
    data = client.get("/user", what="your own user (GET /user)").data
    node_id = data.get("node_id")
    return str(data["login"]), node_id if isinstance(node_id, str) and node_id else None


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
    pages = PR_CAP // 100
    for query in search_chunks(f"is:pr author:{login}", repos):
        total = seen = 0
        params = {"q": query, "sort": "created", "order": "asc"}
        what = f"your pull requests in {', '.join(repos)}"
        for page in client.paginate("/search/issues", params, max_pages=pages, what=what):
            with client.shape(what):
                data = page.data if isinstance(page.data, dict) else {}
                total = max(total, int(data.get("total_count") or 0))
                for item in data.get("items") or []:
                    seen += 1
                    if _repo_of(item) in found:
                        found[_repo_of(item)].append(_pr_from_rest(item))
        if total > seen:
            client.notices.append(
                f"counted the first {seen:,} of your {total:,} PRs in "
                f"{', '.join(q[5:] for q in query.split() if q.startswith('repo:'))} "
                f"(GitHub search returns at most {PR_CAP:,})"
            )
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
            if exc.status != 409:  # 409: an empty repository has no commits
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

PR_CAP = 1000  # GitHub search returns at most 1,000 results: REST and GraphQL stop there alike

_REPO_FIELDS = """
    nameWithOwner
    defaultBranchRef { target { ... on Commit {
      history(author: {id: $uid}, first: 1) { totalCount nodes { committedDate } }
    } } }
"""
_PR_FIELDS = """
    issueCount
    pageInfo { hasNextPage endCursor }
    nodes { ... on PullRequest { number title url state merged createdAt mergedAt } }
"""


def _pr_search(n: int, query: str, after: str | None) -> Field:
    return Field(
        f"p{n}",
        f"search(query: $pq{n}, type: ISSUE, first: 100, after: $pa{n}) {{{_PR_FIELDS}}}",
        {f"pq{n}": ("String!", query), f"pa{n}": ("String", after)},
        nodes=100,
    )


def build_batch(login: str, targets: list[Target]) -> list[Field]:
    """The fields of one progress query: the user's id by login (alias `who`, to check the
    id the commit counts use), then every target repo's commits, PRs and issues (aliases r0,
    p0, i0, r1, ...); the login is the shared variable $login, the node id $uid."""
    fields = [Field("who", "user(login: $login) { id }")]
    for n, target in enumerate(targets):
        fields.append(graphql.repository(f"r{n}", target.repo, _REPO_FIELDS, nodes=3))
        prs = f"repo:{target.repo} is:pr author:{login} sort:created-asc"
        fields.append(_pr_search(n, prs, None))
        fields.append(
            Field(
                f"i{n}",
                f"search(query: $iq{n}, type: ISSUE, first: 1) "
                "{ issueCount nodes { ... on Issue { createdAt } } }",
                {
                    f"iq{n}": (
                        "String!",
                        f"repo:{target.repo} is:issue author:{login} sort:created-asc",
                    )
                },
            )
        )
    return fields


def _shared(login: str, uid: str) -> dict[str, tuple[str, Any]]:
    return {"login": ("String!", login), "uid": ("ID!", uid)}


def lookup_user_id(client: GitHubClient, login: str) -> str:
    """The user's node id: one GraphQL request."""
    user = client.graphql(
        "query($login: String!) { user(login: $login) { id login } }", {"login": login}
    )
    if not user or not user.get("user"):
        raise _no_user(login)
    return str(user["user"]["id"])


def _no_user(login: str) -> BadInput:
    return BadInput(f"GitHub has no user {login!r}", hint="check --user or [github] login")


def fetch_graphql(
    client: GitHubClient,
    login: str,
    targets: list[Target],
    user_id: str | None = None,
    remember: Callable[[str], None] | None = None,
) -> list[RepoProgress]:
    """Every target's numbers in one GraphQL request (split only past graphql.PER_QUERY
    fields or 500,000 nodes). Counting commits by account needs the user's node id: with
    `user_id` (known from an earlier run, or from GET /user) there is no lookup first. The
    query also asks who holds the login now; should that not be `user_id` (a login freed by a
    rename and taken by someone else, an id GitHub no longer accepts), the numbers are asked
    again with the right id, so they never count another account's commits. `remember(id)`
    is told the id the numbers were counted with."""
    fields = build_batch(login, targets)
    uid = user_id or lookup_user_id(client, login)
    notices = len(client.notices)
    try:
        data = graphql.batch(client, fields, _shared(login, uid))
    except BadInput:
        if user_id is None:
            raise
        uid = lookup_user_id(client, login)  # GitHub refused the query with an old id
        data = graphql.batch(client, fields, _shared(login, uid))
    who = data.get("who")
    if not who or not who.get("id"):
        raise _no_user(login)
    if str(who["id"]) != uid:  # the login is someone else's now (or the id's format changed)
        del client.notices[notices:]  # what GitHub said about the wrong id is not news
        uid = str(who["id"])
        data = graphql.batch(client, fields, _shared(login, uid))
    if remember:
        remember(uid)
    pr_nodes = {n: list((data.get(f"p{n}") or {}).get("nodes") or []) for n in range(len(targets))}
    _more_pull_requests(client, login, targets, data, pr_nodes)
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
        for node in pr_nodes[n]:
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
        total = int((data.get(f"p{n}") or {}).get("issueCount", 0))
        _note_cap(client, item, total)
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


def _more_pull_requests(
    client: GitHubClient,
    login: str,
    targets: list[Target],
    data: dict[str, Any],
    pr_nodes: dict[int, list[Any]],
) -> None:
    """Follow each PR search's cursor, all repos with more pages in one query per round, up to
    PR_CAP PRs a repo (what REST's pagination reaches too)."""
    pages = {n: (data.get(f"p{n}") or {}).get("pageInfo") or {} for n in pr_nodes}
    while True:
        more = [
            _pr_search(
                n,
                f"repo:{targets[n].repo} is:pr author:{login} sort:created-asc",
                info["endCursor"],
            )
            for n, info in pages.items()
            if info.get("hasNextPage") and info.get("endCursor") and len(pr_nodes[n]) < PR_CAP
        ]
        if not more:
            return
        answer = graphql.batch(client, more)
        for f in more:
            n = int(f.alias[1:])
            page = answer.get(f.alias) or {}
            pr_nodes[n] += list(page.get("nodes") or [])
            pages[n] = page.get("pageInfo") or {}


def _note_cap(client: GitHubClient, item: RepoProgress, total: int) -> None:
    if total > len(item.prs):
        note = (
            f"{item.repo}: counted the first {len(item.prs):,} of your {total:,} PRs "
            f"(GitHub search returns at most {PR_CAP:,})"
        )
        item.sources.append(note)
        client.notices.append(note)
