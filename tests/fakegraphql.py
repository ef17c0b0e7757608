"""GitHub's GraphQL API, played from a fixture community and checked against GitHub's schema.

Every query is parsed, validated and executed by graphql-core against the schema GitHub
publishes (tests/data/github/schema.graphql.gz), so a field or argument GitHub does not have
fails here as it would there. Answers come from a world: people, repos, pull requests with
reviews, open issues (the shape of toolkit/data/reach_example.json).
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync

from tests.fakegithub import Reply

SCHEMA = Path(__file__).parent / "data" / "github" / "schema.graphql.gz"


# GitHub deprecates some fields that implement interface fields it does not deprecate, which
# graphql-core's schema check refuses; deprecation changes nothing about what a query may ask.
DEPRECATED = re.compile(r'@deprecated\(\s*reason:\s*"(?:[^"\\]|\\.)*"\s*\)|@deprecated\b')


@functools.lru_cache(maxsize=1)
def github_schema() -> GraphQLSchema:
    text = DEPRECATED.sub("", gzip.open(SCHEMA, "rt", encoding="utf-8").read())
    return build_schema(text, assume_valid_sdl=True)


def _resolve(source: Any, info: Any, **args: Any) -> Any:
    value = source.get(info.field_name) if isinstance(source, dict) else None
    return value(**args) if callable(value) else value


def connection(items: list[Any]) -> Callable[..., dict[str, Any]]:
    def page(first: int | None = None, after: str | None = None, **_: Any) -> dict[str, Any]:
        start = int(after) if after else 0
        size = first if first is not None else len(items)
        chunk = items[start : start + size]
        end = start + len(chunk)
        return {
            "nodes": chunk,
            "totalCount": len(items),
            "pageInfo": {
                "hasNextPage": end < len(items),
                "endCursor": str(end) if chunk else None,
                "hasPreviousPage": start > 0,
                "startCursor": str(start),
            },
        }

    return page


class World:
    """The fixture community as GraphQL objects."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.bots: dict[str, str] = data.get("bots", {})
        self.pulls = [self._pull(p) for p in data["pulls"]]
        self.issues = [self._issue(i) for i in data["issues"]]

    def actor(self, login: str | None) -> dict[str, Any] | None:
        if not login:
            return None
        return {"__typename": self.bots.get(login, "User"), "login": login}

    def _pull(self, p: dict[str, Any]) -> dict[str, Any]:
        repo, number = p["repo"], p["number"]
        url = f"https://github.com/{repo}/pull/{number}"
        merged = p.get("merged")
        reviews = [
            {
                "author": self.actor(login),
                "state": state,
                "submittedAt": at,
                "url": f"{url}#pullrequestreview-{i}",
            }
            for i, (login, state, at) in enumerate(p.get("reviews", []), start=1)
        ]
        ready = (
            [{"__typename": "ReadyForReviewEvent", "createdAt": p["ready"]}]
            if p.get("ready")
            else []
        )
        commits = [
            {"commit": {"authors": connection([{"user": self.actor(who)}])}}
            for who in [p["author"], *p.get("coauthors", [])]
        ]
        return {
            "__typename": "PullRequest",
            "number": number,
            "title": p["title"],
            "url": url,
            "createdAt": p["created"],
            "updatedAt": p.get("updated", merged or p["created"]),
            "state": "MERGED" if merged else "OPEN",
            "mergedAt": merged,
            "authorAssociation": p.get("association", "NONE"),
            "repository": {"nameWithOwner": repo},
            "author": self.actor(p["author"]),
            "mergedBy": self.actor(p.get("merged_by")),
            "labels": connection([{"name": n} for n in p.get("labels", [])]),
            "files": connection([{"path": f} for f in p.get("files", [])]),
            "reviews": connection(reviews),
            "timelineItems": connection(ready),
            "commits": connection(commits),
            "_reviewers": {login.lower() for login, _, _ in p.get("reviews", [])},
        }

    def _issue(self, i: dict[str, Any]) -> dict[str, Any]:
        return {
            "__typename": "Issue",
            "repo": i["repo"],
            "number": i["number"],
            "title": i["title"],
            "url": f"https://github.com/{i['repo']}/issues/{i['number']}",
            "createdAt": i["created"],
            "updatedAt": i["created"],
            "bodyText": i.get("body", ""),
            "labels": connection([{"name": n} for n in i.get("labels", [])]),
            "assignees": connection([self.actor(a) for a in i.get("assignees", [])]),
        }

    # -- the root fields bip uses --
    def search(self, query: str, type: str, **page: Any) -> dict[str, Any]:
        assert type == "ISSUE", type
        found = list(self.pulls)
        for token in query.split():
            name, _, value = token.partition(":")
            if name == "is":
                assert value == "pr", token
            elif name == "reviewed-by":
                found = [p for p in found if value.lower() in p["_reviewers"]]
            elif name == "repo":
                found = [
                    p for p in found if p["repository"]["nameWithOwner"].lower() == value.lower()
                ]
            elif name == "created":
                found = [p for p in found if p["createdAt"][:10] >= value.removeprefix(">=")]
            else:
                raise AssertionError(f"the fake does not know the qualifier {token}")
        found.sort(key=lambda p: p["createdAt"], reverse=True)
        answer = connection(found)(**page)
        answer["issueCount"] = len(found)
        return answer

    def repository(self, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        full = f"{owner}/{name}".lower()
        pulls = [p for p in self.pulls if p["repository"]["nameWithOwner"].lower() == full]
        issues = [i for i in self.issues if i["repo"].lower() == full]
        if not pulls and not issues:
            return None

        def pull_requests(orderBy: dict[str, str] | None = None, **page: Any) -> Any:
            assert orderBy == {"field": "UPDATED_AT", "direction": "DESC"}, orderBy
            ordered = sorted(pulls, key=lambda p: p["updatedAt"], reverse=True)
            return connection(ordered)(**page)

        def open_issues(states: list[str] | None = None, **page: Any) -> Any:
            assert states == ["OPEN"], states
            return connection(sorted(issues, key=lambda i: i["updatedAt"], reverse=True))(**page)

        def pull_request(number: int) -> Any:
            return next((p for p in pulls if p["number"] == number), None)

        return {
            "nameWithOwner": f"{owner}/{name}",
            "pullRequests": pull_requests,
            "issues": open_issues,
            "pullRequest": pull_request,
        }

    def execute(self, body: dict[str, Any]) -> dict[str, Any]:
        result = graphql_sync(
            github_schema(),
            body["query"],
            root_value={"search": self.search, "repository": self.repository},
            variable_values=body.get("variables") or {},
            field_resolver=_resolve,
        )
        if result.errors:
            answer: dict[str, Any] = {"errors": [{"message": e.message} for e in result.errors]}
            if result.data is not None:
                answer["data"] = result.data
            return answer
        return {"data": result.data}


class GraphQLService:
    """The handler FakeGitHub calls for POST /graphql: counts queries, can answer a rate limit."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.queries: list[dict[str, Any]] = []
        self.rate_limited_at: set[int] = set()  # 1-based numbers of queries to refuse

    def __call__(self, body: dict[str, Any], request: Any) -> Reply:
        self.queries.append(body)
        if len(self.queries) in self.rate_limited_at:
            return Reply(
                status=403,
                body={"message": "API rate limit exceeded"},
                headers={"x-ratelimit-remaining": "0", "x-ratelimit-resource": "graphql"},
            )
        return Reply(body=self.world.execute(body), headers={"x-ratelimit-resource": "graphql"})
