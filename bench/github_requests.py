"""Benchmark (not a test): HTTP requests `bip contrib status` makes for 10 target repos.

Cold (empty cache) and warm (the same cache again), with and without a token, against the
fake GitHub the tests use (a real HTTP server on 127.0.0.1). The user has PRs in 3 repos and
commits in 2, so rank pages are needed for 2 repos.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_httpserver import HTTPServer  # noqa: E402

from tests.fakegithub import FakeGitHub, Reply  # noqa: E402
from toolkit import contrib  # noqa: E402
from toolkit.contrib import progress  # noqa: E402
from toolkit.github import Auth, GitHubClient  # noqa: E402
from toolkit.readinglist import load_reading_list  # noqa: E402
from toolkit.state import Store  # noqa: E402

REPOS = [f"org{n}/repo{n}" for n in range(10)]
WITH_PRS = REPOS[:3]
WITH_COMMITS = REPOS[:2]


def reading_list() -> str:
    lines = ["version: 1", "entries:"]
    for n, repo in enumerate(REPOS):
        lines += [
            f"  - id: r{n}",
            "    kind: repo",
            f"    title: R{n}",
            f"    repo: {repo}",
            "    goal: {merged_prs: 2}",
        ]
    return "\n".join(lines) + "\n"


def world(gh: FakeGitHub) -> None:
    prs = [
        {
            "number": n,
            "title": "t",
            "state": "closed",
            "created_at": "2026-11-01T00:00:00Z",
            "html_url": "u",
            "repository_url": f"https://api.github.com/repos/{r}",
            "pull_request": {"merged_at": "2026-11-02T00:00:00Z"},
        }
        for n, r in enumerate(WITH_PRS)
    ]
    for query in progress.search_chunks("is:pr author:me", REPOS):
        mine = [p for p in prs if f"repo:{p['repository_url'][29:]}" in query]
        gh.on(
            "/search/issues",
            {"total_count": len(mine), "items": mine},
            query={"q": query, "sort": "created", "order": "asc"},
        )
    for query in progress.search_chunks("is:issue author:me", REPOS):
        gh.on("/search/issues", {"total_count": 0, "items": []}, query={"q": query})
    commit = {"sha": "a", "commit": {"author": {"date": "2026-11-03T00:00:00Z"}}}
    for repo in REPOS:
        count = 4 if repo in WITH_COMMITS else 0
        if count:
            gh.pages(f"/repos/{repo}/commits", [[commit]] * count, query={"author": "me"})
            gh.pages(
                f"/repos/{repo}/contributors",
                [[{"login": f"x{i}"} for i in range(100)], [{"login": "me"}]],
            )
        else:
            gh.on(f"/repos/{repo}/commits", [], query={"author": "me"})

    def graphql(body, request):
        if "user(login" in body["query"]:
            return Reply(body={"data": {"user": {"id": "U1", "login": "me"}}})
        data = {}
        for n, repo in enumerate(REPOS):
            commits = 4 if repo in WITH_COMMITS else 0
            data[f"r{n}"] = {
                "nameWithOwner": repo,
                "defaultBranchRef": {
                    "target": {
                        "history": {
                            "totalCount": commits,
                            "nodes": [{"committedDate": "2026-11-03T00:00:00Z"}] if commits else [],
                        }
                    }
                },
            }
            data[f"p{n}"] = {"issueCount": 0, "nodes": []}
            data[f"i{n}"] = {"issueCount": 0, "nodes": []}
        return Reply(body={"data": data})

    gh.graphql_handler = graphql


def run(gh: FakeGitHub, cache: Path, token: str | None, model) -> tuple[int, int, int]:
    before = len(gh.seen)
    client = GitHubClient(
        gh.url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=cache / "http_cache.sqlite",
    )
    store = Store(cache / "state.sqlite")
    contrib.take_status(client, store, model, datetime.now(timezone.utc), user="me")
    store.close()
    sent = gh.seen[before:]
    conditional = sum(1 for s in sent if s.headers.get("If-None-Match"))
    return len(sent), conditional, client.counters.not_modified


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        gh = FakeGitHub(server)
        world(gh)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "reading_list.yaml"
            path.write_text(reading_list())
            model = load_reading_list(path).model
            print("| 10 target repos | requests | conditional | answered 304 (free) |")
            print("|---|---|---|---|")
            for token in (None, "a-token"):
                cache = Path(tmp) / ("token" if token else "anonymous")
                cache.mkdir()
                for label in ("cold", "warm"):
                    sent, conditional, free = run(gh, cache, token, model)
                    who = "with a token (GraphQL)" if token else "without a token (REST)"
                    print(f"| {label}, {who} | {sent} | {conditional} | {free} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
