"""How many requests `bip contrib status` sends, counted at the fake GitHub (a real HTTP server
on 127.0.0.1), and that the numbers shown do not depend on how few they were.

With a token: one GraphQL request for every repo's numbers once the user's node id is known
(from an earlier run, kept in the state store, or from GET /user), one more on the very first
run when the login comes from --user or bip.toml; contributor pages only in repos where the
user has commits, and only up to the page the user is on. Warm runs cost nothing.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.fakegithub import FakeGitHub, Reply
from toolkit import contrib
from toolkit.errors import BadInput
from toolkit.github import Auth, GitHubClient, Limits
from toolkit.readinglist import load_reading_list
from toolkit.state import Store

REPOS = ["org0/repo0", "org1/repo1", "org2/repo2", "org3/repo3"]
WITH_PRS = REPOS[:3]
WITH_COMMITS = REPOS[:2]
ME = "U_me"  # the node id of the account that holds the login "me" now
OLD = "U_old"  # an account that held "me" before a rename freed it
NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def reading_list() -> str:
    lines = ["version: 1", "entries:"]
    for n, repo in enumerate(REPOS):
        lines += [f"  - id: r{n}", "    kind: repo", f"    title: R{n}", f"    repo: {repo}"]
        lines.append("    goal: {merged_prs: 2}")
    return "\n".join(lines) + "\n"


class World:
    """GitHub as it answers about the user "me": PRs in 3 repos, 4 commits in 2, at `rank` of
    `people` contributors there. GraphQL counts commits by the node id it is given, as GitHub
    does: the old account's id counts the old account's 99 commits, an unknown id is refused."""

    def __init__(self, gh: FakeGitHub, rank: int, people: int) -> None:
        self.gh = gh
        self.holder: str | None = ME  # who holds the login "me" (None: nobody)
        self.bodies: list[dict[str, Any]] = []
        gh.on("/user", {"login": "me", "id": 7, "node_id": ME})
        others = [{"login": f"x{i}", "contributions": 1000 - i} for i in range(people)]
        others.insert(rank - 1, {"login": "me", "contributions": 4})
        listing = others[:people]
        for repo in WITH_COMMITS:
            gh.pages(
                f"/repos/{repo}/contributors",
                [listing[i : i + 100] for i in range(0, people, 100)],
            )
        gh.graphql_handler = self.graphql

    def graphql(self, body: dict[str, Any], request: Any) -> Reply:
        self.bodies.append(body)
        variables = body["variables"]
        if set(variables) == {"login"}:  # the id lookup
            user = {"id": self.holder, "login": "me"} if self.holder else None
            return Reply(body={"data": {"user": user}})
        uid = variables["uid"]
        if uid not in (ME, OLD):
            message = f"Could not resolve to a node with the global id of '{uid}'"
            return Reply(body={"data": None, "errors": [{"message": message}]})
        data: dict[str, Any] = {"who": {"id": self.holder} if self.holder else None}
        for n, repo in enumerate(REPOS):
            mine = 4 if repo in WITH_COMMITS else 0
            commits = {ME: mine, OLD: 99}[uid]
            history = {
                "totalCount": commits,
                "nodes": [{"committedDate": "2026-11-03T00:00:00Z"}] if commits else [],
            }
            data[f"r{n}"] = {
                "nameWithOwner": repo,
                "defaultBranchRef": {"target": {"history": history}},
            }
            prs = [
                {
                    "number": 10 + n,
                    "title": "t",
                    "url": "u",
                    "state": "MERGED",
                    "merged": True,
                    "createdAt": "2026-11-01T00:00:00Z",
                    "mergedAt": "2026-11-02T00:00:00Z",
                }
            ]
            data[f"p{n}"] = (
                {"issueCount": 1, "nodes": prs}
                if repo in WITH_PRS
                else {"issueCount": 0, "nodes": []}
            )
            data[f"i{n}"] = {"issueCount": 0, "nodes": []}
        return Reply(body={"data": data})


@pytest.fixture
def gh(httpserver) -> FakeGitHub:
    return FakeGitHub(httpserver)


@pytest.fixture
def model(tmp_path: Path) -> Any:
    path = tmp_path / "reading_list.yaml"
    path.write_text(reading_list())
    return load_reading_list(path).model


def client_for(gh: FakeGitHub, bip: Path, token: str | None = "t0ken") -> GitHubClient:
    return GitHubClient(
        gh.url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=bip / "http_cache.sqlite",
        limits=Limits(backoff=0.01, secondary_wait=0.01),
        sleep=lambda s: None,
    )


def status(
    gh: FakeGitHub, bip: Path, model: Any, user: str | None = "me", token: str | None = "t0ken"
) -> tuple[contrib.Status, dict[str, int]]:
    """One run of `bip contrib status`: what it showed, and what it sent, by kind."""
    before = len(gh.seen)
    client = client_for(gh, bip, token)
    store = Store(bip / "state.sqlite")
    try:
        found = contrib.take_status(client, store, model, NOW, user=user)
    finally:
        store.close()
    sent = gh.seen[before:]
    pages = [s for s in sent if s.path.endswith("/contributors")]
    counts = {
        "graphql": sum(s.path == "/graphql" for s in sent),
        "pages": len(pages),
        "page 2": sum(s.query.get("page") == "2" for s in pages),
        "other": sum(s.path != "/graphql" and not s.path.endswith("/contributors") for s in sent),
        "paid": len(sent) - client.counters.not_modified,
    }
    return found, counts


def numbers(found: contrib.Status) -> list[tuple[str, dict[str, Any]]]:
    return [(p.repo, p.numbers()) for p in found.repos]


def expected(rank: int, people: int) -> list[tuple[str, dict[str, Any]]]:
    last_page = math.ceil(people / 100) == math.ceil(rank / 100)
    rows = []
    for repo in REPOS:
        mine = repo in WITH_COMMITS
        rows.append(
            (
                repo,
                {
                    "merged_prs": int(repo in WITH_PRS),
                    "open_prs": 0,
                    "closed_prs": 0,
                    "issues": 0,
                    "commits": 4 if mine else 0,
                    "rank": rank if mine else None,
                    # the total is known only when the last page was fetched
                    "contributors": people if mine and last_page else None,
                },
            )
        )
    return rows


def forget_http_cache(bip: Path) -> None:
    for path in bip.glob("http_cache.sqlite*"):
        path.unlink()


@pytest.mark.parametrize(("rank", "people"), [(101, 101), (42, 150)], ids=["#101", "#42-of-150"])
def test_one_graphql_request_once_the_id_is_known_and_none_warm(gh, tmp_path, model, rank, people):
    World(gh, rank, people)
    bip = tmp_path / ".bip"
    pages = len(WITH_COMMITS) * math.ceil(rank / 100)  # only up to the page the user is on

    first, cold = status(gh, bip, model)
    assert cold == {
        "graphql": 2,
        "pages": pages,
        "page 2": pages - 2,
        "other": 0,
        "paid": 2 + pages,
    }
    assert Store(bip / "state.sqlite").github_user_id(gh.url + "/graphql", "ME") == ME

    forget_http_cache(bip)
    second, known = status(gh, bip, model)
    assert known == {
        "graphql": 1,
        "pages": pages,
        "page 2": pages - 2,
        "other": 0,
        "paid": 1 + pages,
    }

    third, warm = status(gh, bip, model)
    assert warm == {"graphql": 0, "pages": pages, "page 2": pages - 2, "other": 0, "paid": 0}

    assert numbers(first) == numbers(second) == numbers(third) == expected(rank, people)
    for repo in REPOS[2:]:  # no commits there: no contributor page asked for
        assert gh.requests_to(f"/repos/{repo}/contributors") == []


def test_the_numbers_are_those_of_the_rest_path(gh, tmp_path, model):
    """Without a token bip counts by REST; the GraphQL path, with its id kept or not, must
    show the very same numbers."""
    World(gh, 42, 150)
    commit = {"sha": "a", "commit": {"author": {"date": "2026-11-03T00:00:00Z"}}}
    items = [
        {
            "number": 10 + n,
            "title": "t",
            "state": "closed",
            "created_at": "2026-11-01T00:00:00Z",
            "html_url": "u",
            "repository_url": f"https://api.github.com/repos/{repo}",
            "pull_request": {"merged_at": "2026-11-02T00:00:00Z"},
        }
        for n, repo in enumerate(WITH_PRS)
    ]
    repos = " ".join(f"repo:{r}" for r in REPOS)
    gh.on(
        "/search/issues",
        {"total_count": 3, "items": items},
        query={"q": f"is:pr author:me {repos}", "sort": "created", "order": "asc"},
    )
    gh.on(
        "/search/issues",
        {"total_count": 0, "items": []},
        query={"q": f"is:issue author:me {repos}"},
    )
    for repo in REPOS:
        if repo in WITH_COMMITS:
            gh.pages(f"/repos/{repo}/commits", [[commit]] * 4, query={"author": "me"})
        else:
            gh.on(f"/repos/{repo}/commits", [], query={"author": "me"})
    rest, sent = status(gh, tmp_path / "rest", model, token=None)
    assert sent["graphql"] == 0
    assert (
        Store(tmp_path / "rest" / "state.sqlite").github_user_id(gh.url + "/graphql", "me") is None
    )
    graphql, _ = status(gh, tmp_path / "graphql", model)
    forget_http_cache(tmp_path / "graphql")
    known, _ = status(gh, tmp_path / "graphql", model)
    assert numbers(rest) == numbers(graphql) == numbers(known) == expected(42, 150)


def test_the_token_owners_id_comes_with_get_user(gh, tmp_path, model):
    """No login configured: GET /user says whose token it is, and its node_id saves the
    GraphQL lookup even on the first run."""
    world = World(gh, 42, 150)
    found, sent = status(gh, tmp_path / ".bip", model, user=None)
    assert found.login == "me"
    assert sent == {"graphql": 1, "pages": 2, "page 2": 0, "other": 1, "paid": 4}
    assert [b["variables"]["uid"] for b in world.bodies] == [ME]
    assert numbers(found) == expected(42, 150)


def test_a_login_now_held_by_another_account_is_counted_with_the_new_id(gh, tmp_path, model):
    """A rename freed "me" and another account took it: the kept id is the old account's. The
    numbers query says who holds the login now, and bip asks again with that id rather than
    show the old account's 99 commits."""
    world = World(gh, 42, 150)
    bip = tmp_path / ".bip"
    store = Store(bip / "state.sqlite")
    store.put_github_user_id(gh.url + "/graphql", "me", OLD)
    store.close()
    found, sent = status(gh, bip, model)
    assert [b["variables"]["uid"] for b in world.bodies] == [OLD, ME]  # no lookup
    assert sent["graphql"] == 2
    assert numbers(found) == expected(42, 150)
    assert Store(bip / "state.sqlite").github_user_id(gh.url + "/graphql", "me") == ME
    assert found.notices == []


def test_an_id_github_refuses_is_looked_up_again(gh, tmp_path, model):
    """A kept id GitHub no longer accepts (legacy ids are being retired): the query is refused,
    bip looks the id up and asks again."""
    world = World(gh, 42, 150)
    bip = tmp_path / ".bip"
    store = Store(bip / "state.sqlite")
    store.put_github_user_id(gh.url + "/graphql", "me", "MDQ6VXNlcjE=")
    store.close()
    found, sent = status(gh, bip, model)
    assert sent["graphql"] == 3
    assert [b["variables"].get("uid") for b in world.bodies] == ["MDQ6VXNlcjE=", None, ME]
    assert numbers(found) == expected(42, 150)
    assert Store(bip / "state.sqlite").github_user_id(gh.url + "/graphql", "me") == ME


@pytest.mark.parametrize("kept", [None, ME], ids=["no-id-kept", "id-kept"])
def test_a_login_nobody_holds_is_an_error_whatever_was_kept(gh, tmp_path, model, kept):
    world = World(gh, 42, 150)
    world.holder = None
    bip = tmp_path / ".bip"
    if kept:
        store = Store(bip / "state.sqlite")
        store.put_github_user_id(gh.url + "/graphql", "me", kept)
        store.close()
    with pytest.raises(BadInput, match="GitHub has no user 'me'"):
        status(gh, bip, model)
    assert gh.requests_to("/repos/org0/repo0/contributors") == []


def test_ids_are_kept_per_api_and_login_case_blind(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    store.put_github_user_id("https://api.github.com/graphql", "Octo", "U_1")
    assert store.github_user_id("https://api.github.com/graphql", "octo") == "U_1"
    assert store.github_user_id("https://ghe.example/api/graphql", "octo") is None
    store.put_github_user_id("https://api.github.com/graphql", "octo", "U_2")
    assert store.github_user_id("https://api.github.com/graphql", "OCTO") == "U_2"


def test_cli_status_asks_graphql_once_when_the_id_is_known(bip, gh, tmp_path, monkeypatch):
    World(gh, 42, 150)
    root = tmp_path / "cws"
    root.mkdir()
    (root / "reading_list.yaml").write_text(reading_list())
    (root / "bip.toml").write_text('[github]\nlogin = "me"\n')
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GH_TOKEN", "t0ken")
    monkeypatch.delenv("BIP_OFFLINE")
    outputs = []
    for expect in (2, 1):
        before = len(gh.seen)
        outputs.append(bip("-w", str(root), "contrib", "status").stdout.splitlines())
        assert [s.path for s in gh.seen[before:]].count("/graphql") == expect
        forget_http_cache(root / ".bip")
    assert outputs[0][:-1] == outputs[1][:-1]  # the same numbers, the same words
    assert "rank       #42 (by commits" in "\n".join(outputs[0])
    assert outputs[0][-1].startswith("4 requests to GitHub (0 answered 304")  # id, numbers, 2 pages
    assert outputs[1][-1].startswith("3 requests to GitHub (0 answered 304")  # numbers, 2 pages
