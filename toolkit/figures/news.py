"""What the figures you follow published: new public repos and new releases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from toolkit.errors import BipError
from toolkit.github import GitHubClient, NotFound, graphql
from toolkit.http import reads
from toolkit.readinglist import Figure, ReadingList

LAST_CHECK_KEY = "news.last_check"
RECENT_REPOS = 5  # per figure, the most recently pushed repos whose releases are checked


@dataclass
class NewsItem:
    figure: str
    name: str
    kind: str  # repo | release
    repo: str
    title: str
    url: str
    date: str


def followed(model: ReadingList) -> list[Figure]:
    return [f for f in model.figures if f.github]


def default_since(store: Any, now: datetime) -> datetime:
    last = store.get(LAST_CHECK_KEY)
    return datetime.fromisoformat(last) if last else now - timedelta(days=30)


@reads("news of the people you follow")
def fetch_news(client: GitHubClient, figures: list[Figure], since: datetime) -> list[NewsItem]:
    """New repos and releases since `since`, newest first; GraphQL in one request with a token."""
    cutoff = since.isoformat()
    items = _graphql(client, figures) if client.auth.token else _rest(client, figures)
    fresh = [i for i in items if _iso(i.date) >= _iso(cutoff)]
    return sorted(fresh, key=lambda i: i.date, reverse=True)


def _iso(moment: str) -> str:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().isoformat()


def _rest(client: GitHubClient, figures: list[Figure]) -> list[NewsItem]:
    out: list[NewsItem] = []
    for fig in figures:
        try:
            created = client.get(
                f"/users/{fig.github}/repos",
                {"sort": "created", "direction": "desc", "per_page": 10},
                what=f"{fig.name}'s new repositories",
            ).data
            pushed = client.get(
                f"/users/{fig.github}/repos",
                {"sort": "pushed", "direction": "desc", "per_page": RECENT_REPOS},
                what=f"{fig.name}'s recently pushed repositories",
            ).data
        except NotFound:
            continue
        for repo in created:
            if not repo.get("fork"):
                out.append(
                    NewsItem(
                        fig.id,
                        fig.name,
                        "repo",
                        repo["full_name"],
                        repo.get("description") or repo["full_name"],
                        repo["html_url"],
                        repo["created_at"],
                    )
                )
        for repo in pushed:
            try:
                releases = client.get(f"/repos/{repo['full_name']}/releases", {"per_page": 3}).data
            except BipError:
                continue
            for rel in releases:
                if rel.get("published_at") and not rel.get("draft"):
                    out.append(
                        NewsItem(
                            fig.id,
                            fig.name,
                            "release",
                            repo["full_name"],
                            rel.get("name") or rel["tag_name"],
                            rel["html_url"],
                            rel["published_at"],
                        )
                    )
    return out


_OWNER_FIELDS = f"""
    created: repositories(first: 10, privacy: PUBLIC, isFork: false,
                          orderBy: {{field: CREATED_AT, direction: DESC}}) {{
      nodes {{ nameWithOwner description url createdAt }}
    }}
    pushed: repositories(first: {RECENT_REPOS}, privacy: PUBLIC,
                         orderBy: {{field: PUSHED_AT, direction: DESC}}) {{
      nodes {{ nameWithOwner releases(first: 3, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
        nodes {{ name tagName url publishedAt isDraft }}
      }} }}
    }}
"""


def _graphql(client: GitHubClient, figures: list[Figure]) -> list[NewsItem]:
    fields = [
        graphql.Field(
            f"u{n}",
            f"repositoryOwner(login: $login_u{n}) {{{_OWNER_FIELDS}}}",
            {f"login_u{n}": ("String!", f.github)},
            nodes=1 + RECENT_REPOS * 4,
        )
        for n, f in enumerate(figures)
    ]
    data = graphql.batch(client, fields)
    out: list[NewsItem] = []
    for n, fig in enumerate(figures):
        owner = data.get(f"u{n}") or {}
        for repo in (owner.get("created") or {}).get("nodes") or []:
            out.append(
                NewsItem(
                    fig.id,
                    fig.name,
                    "repo",
                    repo["nameWithOwner"],
                    repo.get("description") or repo["nameWithOwner"],
                    repo["url"],
                    repo["createdAt"],
                )
            )
        for repo in (owner.get("pushed") or {}).get("nodes") or []:
            for rel in (repo.get("releases") or {}).get("nodes") or []:
                if rel.get("publishedAt") and not rel.get("isDraft"):
                    out.append(
                        NewsItem(
                            fig.id,
                            fig.name,
                            "release",
                            repo["nameWithOwner"],
                            rel.get("name") or rel["tagName"],
                            rel["url"],
                            rel["publishedAt"],
                        )
                    )
    return out
