"""Benchmark (not a test): HTTP requests `bip contrib status` makes for 10 target repos.

Against the fake GitHub the tests use (a real HTTP server on 127.0.0.1), in two worlds that
differ only in the contributor lists: you have PRs in 3 repos and commits in 2, and you are
#101 in both of those (world "#101": 2 contributor pages each, a property of the world), or
#42 of 150 (world "#42": 1 page each; bip never fetches the second).

Each mode runs three times over one workspace:
- cold, first run: empty `.bip/` (no HTTP cache, no state store);
- cold, id known: the HTTP cache deleted, the state store kept (it remembers your node id);
- warm: both kept, within GraphQL's 15-minute reuse.

Modes: without a token (REST), with a token and `--user` (or bip.toml's login), and with a
token and no login configured (bip asks GET /user who the token belongs to).

The numbers bip shows must be the same in every run of a world: the benchmark checks that.
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
LOGIN = "me"
NODE_ID = "U_kgDOme"


@dataclass(frozen=True)
class World:
    name: str
    rank: int  # your place among the contributors of each repo with commits
    contributors: int

    @property
    def pages(self) -> int:
        """Contributor pages bip needs: up to the one you are on, in each repo with commits."""
        return len(WITH_COMMITS) * math.ceil(self.rank / 100)


WORLDS = [World("#101", 101, 101), World("#42", 42, 150)]


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


def world(gh: FakeGitHub, shape: World) -> None:
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
    gh.on("/user", {"login": LOGIN, "id": 7, "node_id": NODE_ID})
    for query in progress.search_chunks(f"is:pr author:{LOGIN}", REPOS):
        mine = [p for p in prs if f"repo:{p['repository_url'][29:]}" in query]
        gh.on(
            "/search/issues",
            {"total_count": len(mine), "items": mine},
            query={"q": query, "sort": "created", "order": "asc"},
        )
    for query in progress.search_chunks(f"is:issue author:{LOGIN}", REPOS):
        gh.on("/search/issues", {"total_count": 0, "items": []}, query={"q": query})
    commit = {"sha": "a", "commit": {"author": {"date": "2026-11-03T00:00:00Z"}}}
    people = [{"login": f"x{i}", "contributions": 1000 - i} for i in range(shape.contributors)]
    people.insert(shape.rank - 1, {"login": LOGIN, "contributions": 4})
    people = people[: shape.contributors]
    for repo in REPOS:
        if repo in WITH_COMMITS:
            gh.pages(f"/repos/{repo}/commits", [[commit]] * 4, query={"author": LOGIN})
            gh.pages(
                f"/repos/{repo}/contributors",
                [people[i : i + 100] for i in range(0, len(people), 100)],
            )
        else:
            gh.on(f"/repos/{repo}/commits", [], query={"author": LOGIN})

    def graphql(body: Any, request: Any) -> Reply:
        if set(body["variables"]) == {"login"}:  # the id lookup
            return Reply(body={"data": {"user": {"id": NODE_ID, "login": LOGIN}}})
        data: dict[str, Any] = {"who": {"id": NODE_ID}}
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
            merged = [
                {
                    "number": n,
                    "title": "t",
                    "url": "u",
                    "state": "MERGED",
                    "merged": True,
                    "createdAt": "2026-11-01T00:00:00Z",
                    "mergedAt": "2026-11-02T00:00:00Z",
                }
            ]
            data[f"p{n}"] = (
                {"issueCount": 1, "nodes": merged}
                if repo in WITH_PRS
                else {"issueCount": 0, "nodes": []}
            )
            data[f"i{n}"] = {"issueCount": 0, "nodes": []}
        return Reply(body={"data": data})

    gh.graphql_handler = graphql


@dataclass
class Count:
    graphql: int
    pages: int
    rest: dict[str, int]  # other REST requests by kind: searches, commit counts, GET /user
    not_modified: int
    numbers: list[Any]

    @property
    def sent(self) -> int:
        return self.graphql + self.pages + sum(self.rest.values())

    @property
    def paid(self) -> int:
        return self.sent - self.not_modified


def run(gh: FakeGitHub, bip: Path, token: str | None, user: str | None, model: Any) -> Count:
    before = len(gh.seen)
    client = GitHubClient(
        gh.url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=bip / "http_cache.sqlite",
    )
    store = Store(bip / "state.sqlite")
    status = contrib.take_status(client, store, model, datetime.now(timezone.utc), user=user)
    store.close()
    sent = gh.seen[before:]
    graphql = sum(s.path == "/graphql" for s in sent)
    pages = sum(s.path.endswith("/contributors") for s in sent)
    numbers = [(p.repo, p.numbers()) for p in status.repos]
    rest: dict[str, int] = {}
    for s in sent:
        kind = (
            "search"
            if s.path.startswith("/search/")
            else "commit count"
            if s.path.endswith("/commits")
            else "GET /user"
            if s.path == "/user"
            else None
        )
        if kind:
            rest[kind] = rest.get(kind, 0) + 1
    other = len(sent) - graphql - pages - sum(rest.values())
    if other:
        raise SystemExit(f"{other} requests of an unexpected kind: {sent}")
    return Count(graphql, pages, rest, client.counters.not_modified, numbers)


MODES = [
    ("without a token (REST)", None, LOGIN),
    ("token, --user", "a-token", LOGIN),
    ("token, login from the token", "a-token", None),
]
RUNS = ["cold, first run", "cold, id known", "warm"]


def measure(shape: World, tmp: Path, model: Any) -> list[tuple[str, str, Count]]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    rows = []
    try:
        gh = FakeGitHub(server)
        world(gh, shape)
        for mode, token, user in MODES:
            bip = tmp / shape.name.strip("#") / mode.replace(" ", "-") / ".bip"
            for label in RUNS:
                if label == "cold, id known":
                    for cache in bip.glob("http_cache.sqlite*"):
                        cache.unlink()
                rows.append((mode, label, run(gh, bip, token, user, model)))
            shutil.rmtree(bip)
    finally:
        server.stop()
    return rows


def cell(c: Count) -> str:
    parts = [f"{c.graphql} GraphQL"] if c.graphql else []
    plural = {"search": "searches", "commit count": "commit counts", "GET /user": "GET /user"}
    parts += [f"{n} {kind if n == 1 else plural[kind]}" for kind, n in c.rest.items()]
    parts += [f"{c.pages} pages"] if c.pages else []
    text = " + ".join(parts) + f" = {c.sent}"
    if c.sent and not c.paid:
        return text + ", all 304 (free)"
    return text if c.paid == c.sent else text + f" ({c.paid} paid)"


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reading_list.yaml"
        path.write_text(reading_list())
        model = load_reading_list(path).model
        measured = {shape.name: measure(shape, Path(tmp), model) for shape in WORLDS}
        for shape in WORLDS:
            first = measured[shape.name][0][2].numbers
            if any(c.numbers != first for _, _, c in measured[shape.name]):
                raise SystemExit(f"world {shape.name}: the numbers differ between runs")
        print(
            "| world | mode | run | GraphQL | contributor pages | other REST "
            "| sent | 304 (free) | paid |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for shape in WORLDS:
            for mode, label, c in measured[shape.name]:
                print(
                    f"| {shape.name} | {mode} | {label} | {c.graphql} | {c.pages} "
                    f"| {sum(c.rest.values())} "
                    f"| {c.sent} | {c.not_modified} | {c.paid} |"
                )
        print()
        names = [
            f"you are #{s.rank}" + (f" of {s.contributors}" if s.contributors != s.rank else "")
            for s in WORLDS
        ]
        print("| 10 target repos | " + " | ".join(names) + " |")
        print("|---|" + "---|" * len(WORLDS))
        for n, (mode, label, _) in enumerate(measured[WORLDS[0].name]):
            if mode.startswith("without") and label == "cold, id known":
                continue  # REST counts by login: the same as cold
            cells = [cell(measured[s.name][n][2]) for s in WORLDS]
            print(f"| {mode}, {label} | " + " | ".join(cells) + " |")
        print()
        for shape in WORLDS:
            print(
                f"world {shape.name}: #{shape.rank} of {shape.contributors} in "
                f"{len(WITH_COMMITS)} repos with commits, so {shape.pages} contributor pages; "
                f"with a token and the id known: 1 GraphQL + {shape.pages} pages = "
                f"{1 + shape.pages} requests; the numbers are the same in every run"
            )


if __name__ == "__main__":
    main()
