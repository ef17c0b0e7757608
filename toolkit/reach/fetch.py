"""The exact layer: pull requests, reviews and open issues from GitHub's GraphQL API.

Every question goes through bip's one GitHub client (ETags, rate limits, deadlines, token
safety). `fetch_*` functions ask and yield records; saving them is the store's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from toolkit.github import GitHubClient, graphql
from toolkit.reach.model import (
    APPROXIMATE,
    NEWCOMER_ASSOCIATIONS,
    Edge,
    Issue,
    Pull,
    Review,
    folders,
    is_bot,
)

SEARCH_PAGE = 100  # GitHub's largest page
SEARCH_PAGES = 10  # GitHub's search stops at 1,000 results
SYNC_PAGE = 50
ISSUES_PAGE = 100

# What bip reads of one pull request, in every query that returns one.
PULL_FIELDS = """
  number title url createdAt updatedAt state mergedAt authorAssociation
  repository { nameWithOwner }
  author { __typename login }
  mergedBy { __typename login }
  labels(first: 20) { nodes { name } }
  files(first: 100) { nodes { path } }
  reviews(first: 50) { nodes { author { __typename login } state submittedAt url } }
  timelineItems(itemTypes: [READY_FOR_REVIEW_EVENT], first: 1) {
    nodes { ... on ReadyForReviewEvent { createdAt } }
  }
  commits(first: 10) { nodes { commit { authors(first: 5) { nodes { user { login } } } } } }
"""

SEARCH_QUERY = (
    (
        "query($q: String!, $after: String) {\n"
        "  search(query: $q, type: ISSUE, first: %d, after: $after) {\n"
        "    issueCount pageInfo { hasNextPage endCursor }\n"
        "    nodes { ... on PullRequest { %s } }\n"
        "  }\n"
        "}"
    )
    .replace("%d", str(SEARCH_PAGE))
    .replace("%s", PULL_FIELDS)
)

REPO_QUERY = (
    "query($owner: String!, $name: String!, $after: String, $withIssues: Boolean!) {\n"
    "  repository(owner: $owner, name: $name) {\n"
    "    pullRequests(first: 50, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {\n"
    "      pageInfo { hasNextPage endCursor }\n"
    "      nodes { %s }\n"
    "    }\n"
    "    issues(first: 100, states: OPEN, orderBy: {field: UPDATED_AT, direction: DESC})"
    " @include(if: $withIssues) {\n"
    "      nodes { number title url createdAt bodyText labels(first: 10) { nodes { name } }"
    " assignees(first: 1) { totalCount } }\n"
    "    }\n"
    "  }\n"
    "}"
).replace("%s", PULL_FIELDS)

ISSUES_FIELDS = (
    "issues(first: %d, states: OPEN, orderBy: {field: UPDATED_AT, direction: DESC}) {"
    " nodes { number title url createdAt bodyText labels(first: 10) { nodes { name } }"
    " assignees(first: 1) { totalCount } } }"
).replace("%d", str(ISSUES_PAGE))

RECHECK_FIELDS = (
    "pullRequest(number: $p_%s) { author { __typename login } mergedBy { __typename login }"
    " reviews(first: 100) { nodes { author { __typename login } state } } }"
)


@dataclass
class Page:
    pulls: list[Pull]
    cursor: str | None
    more: bool
    issues: list[Issue] | None = None
    total: int = 0  # what GitHub's search counted (it returns at most 1,000)


def search_query(login: str, since: str | None, repos: list[str]) -> str:
    parts = ["is:pr", f"reviewed-by:{login}"]
    parts += [f"repo:{r}" for r in repos]
    if since:
        parts.append(f"created:>={since}")
    return " ".join(parts)


def fetch_reviewed(
    client: GitHubClient, login: str, since: str | None = None, repos: list[str] | None = None
) -> Iterator[Page]:
    """The pull requests `login` reviewed, newest first, a page at a time (100 a request)."""
    after: str | None = None
    query = search_query(login, since, repos or [])
    for _ in range(SEARCH_PAGES):
        data = client.graphql(SEARCH_QUERY, {"q": query, "after": after}) or {}
        found = data.get("search") or {}
        info = found.get("pageInfo") or {}
        pulls = [pull_from_node(n) for n in found.get("nodes") or [] if _is_pull(n)]
        after = info.get("endCursor")
        more = bool(info.get("hasNextPage")) and bool(after)
        yield Page(pulls, after, more, total=int(found.get("issueCount") or 0))
        if not more:
            return


def fetch_repo_page(client: GitHubClient, repo: str, after: str | None, with_issues: bool) -> Page:
    """One page of a repo's pull requests, most recently updated first; with its open issues
    on the first page."""
    owner, name = repo.split("/", 1)
    data = client.graphql(
        REPO_QUERY, {"owner": owner, "name": name, "after": after, "withIssues": with_issues}
    )
    found = (data or {}).get("repository")
    if found is None:
        from toolkit.github import NotFound

        raise NotFound(f"GitHub has no repository {repo} (or the token cannot see it)")
    prs = found.get("pullRequests") or {}
    info = prs.get("pageInfo") or {}
    pulls = [pull_from_node(n) for n in prs.get("nodes") or [] if _is_pull(n)]
    issues = (
        [issue_from_node(repo, n) for n in (found.get("issues") or {}).get("nodes") or [] if n]
        if with_issues
        else None
    )
    cursor = info.get("endCursor")
    return Page(pulls, cursor, bool(info.get("hasNextPage")) and bool(cursor), issues)


def fetch_issues(client: GitHubClient, repos: list[str]) -> dict[str, list[Issue]]:
    """Open issues of several repos, in one batched request."""
    fields = [
        graphql.repository(f"r{i}", repo, ISSUES_FIELDS, ISSUES_PAGE * 11)
        for i, repo in enumerate(repos)
    ]
    answers = graphql.batch(client, fields)
    out: dict[str, list[Issue]] = {}
    for i, repo in enumerate(repos):
        found = answers.get(f"r{i}") or {}
        nodes = (found.get("issues") or {}).get("nodes") or []
        out[repo] = [issue_from_node(repo, n) for n in nodes if n]
    return out


def recheck(client: GitHubClient, edges: list[Edge]) -> dict[int, bool]:
    """Whether GitHub confirms each approximate edge (by its index), in one request."""
    fields = []
    for i, edge in enumerate(edges):
        f = graphql.repository(f"e{i}", edge.repo, RECHECK_FIELDS % f"e{i}", 101)
        variables = {**f.variables, f"p_e{i}": ("Int!", edge.pr)}
        fields.append(graphql.Field(f.alias, f.selection, variables, f.nodes))
    answers = graphql.batch(client, fields)
    confirmed: dict[int, bool] = {}
    for i, edge in enumerate(edges):
        pr = (answers.get(f"e{i}") or {}).get("pullRequest")
        confirmed[i] = isinstance(pr, dict) and _confirms(pr, edge)
    return confirmed


def _confirms(pr: dict[str, Any], edge: Edge) -> bool:
    author = _login(pr.get("author"))
    people = {edge.source.lower(), edge.target.lower()}
    if edge.kind == "coauthored":
        return author is not None and author.lower() in people
    actor = (edge.actor or edge.source).lower()  # a path may run the edge either way
    if author is None or {author.lower(), actor} != people:
        return False
    if edge.kind == "merged":
        merger = _login(pr.get("mergedBy"))
        return merger is not None and merger.lower() == actor
    reviewers = {
        (_login(r.get("author")) or "").lower()
        for r in (pr.get("reviews") or {}).get("nodes") or []
        if r
    }
    return actor in reviewers


def _is_pull(node: Any) -> bool:
    return isinstance(node, dict) and "number" in node and "repository" in node


def _login(actor: Any) -> str | None:
    if isinstance(actor, dict) and isinstance(actor.get("login"), str):
        return str(actor["login"])
    return None


def _is_bot_actor(actor: Any) -> bool:
    return isinstance(actor, dict) and (actor.get("__typename") == "Bot" or is_bot(_login(actor)))


def pull_from_node(node: dict[str, Any]) -> Pull:
    """A `Pull` from one GraphQL PullRequest node (PULL_FIELDS)."""
    repo = (node.get("repository") or {}).get("nameWithOwner", "")
    author = node.get("author")
    merger = node.get("mergedBy")
    reviews = tuple(
        Review(
            _login(r.get("author")) or "ghost",
            str(r.get("state") or "COMMENTED"),
            str(r.get("submittedAt") or ""),
            str(r.get("url") or ""),
            _is_bot_actor(r.get("author")),
        )
        for r in (node.get("reviews") or {}).get("nodes") or []
        if r and r.get("state") != "PENDING" and r.get("submittedAt")
    )
    ready = [
        n.get("createdAt")
        for n in (node.get("timelineItems") or {}).get("nodes") or []
        if n and n.get("createdAt")
    ]
    coauthors: dict[str, None] = {}
    for commit in (node.get("commits") or {}).get("nodes") or []:
        for who in (((commit or {}).get("commit") or {}).get("authors") or {}).get("nodes") or []:
            login = _login((who or {}).get("user"))
            if login:
                coauthors[login] = None
    state = str(node.get("state") or "OPEN").lower()
    return Pull(
        repo=repo,
        number=int(node["number"]),
        title=str(node.get("title") or ""),
        url=str(node.get("url") or ""),
        author=_login(author),
        author_bot=_is_bot_actor(author),
        created_at=str(node.get("createdAt") or ""),
        ready_at=ready[0] if ready else None,
        updated_at=str(node.get("updatedAt") or node.get("createdAt") or ""),
        state=state,
        merged_by=_login(merger),
        merged_by_bot=_is_bot_actor(merger),
        merged_at=node.get("mergedAt"),
        labels=tuple(str(n["name"]) for n in (node.get("labels") or {}).get("nodes") or [] if n),
        paths=folders(str(n["path"]) for n in (node.get("files") or {}).get("nodes") or [] if n),
        newcomer=node.get("authorAssociation") in NEWCOMER_ASSOCIATIONS,
        reviews=reviews,
        coauthors=tuple(c for c in coauthors if c != _login(author)),
    )


def issue_from_node(repo: str, node: dict[str, Any]) -> Issue:
    title = str(node.get("title") or "")
    return Issue(
        repo=repo,
        number=int(node["number"]),
        title=title,
        url=str(node.get("url") or ""),
        labels=tuple(str(n["name"]) for n in (node.get("labels") or {}).get("nodes") or [] if n),
        assigned=bool((node.get("assignees") or {}).get("totalCount")),
        created_at=str(node.get("createdAt") or ""),
        text=(title + "\n" + str(node.get("bodyText") or ""))[:2000],
    )


__all__ = [
    "APPROXIMATE",
    "Page",
    "fetch_reviewed",
    "fetch_repo_page",
    "fetch_issues",
    "recheck",
    "pull_from_node",
    "issue_from_node",
    "search_query",
]
