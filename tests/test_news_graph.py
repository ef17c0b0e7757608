"""`bip figures news` and `bip contrib graph` against the fake GitHub."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub


@pytest.fixture
def online(ws: Path, httpserver, monkeypatch) -> FakeGitHub:
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    (ws / "bip.toml").write_text('[github]\nlogin = "me"\n')
    return gh


def repo(full: str, created: str, fork: bool = False) -> dict:
    return {
        "full_name": full,
        "html_url": f"https://github.com/{full}",
        "created_at": created,
        "description": f"about {full}",
        "fork": fork,
    }


def news_world(gh: FakeGitHub) -> None:
    gh.on(
        "/users/karpathy/repos",
        [
            repo("karpathy/nanochat", "2026-11-10T00:00:00Z"),
            repo("karpathy/forked", "2026-11-12T00:00:00Z", fork=True),
            repo("karpathy/old", "2024-01-01T00:00:00Z"),
        ],
        query={"sort": "created", "direction": "desc"},
    )
    gh.on(
        "/users/karpathy/repos",
        [repo("karpathy/nanochat", "2026-11-10T00:00:00Z")],
        query={"sort": "pushed", "direction": "desc"},
    )
    gh.on(
        "/repos/karpathy/nanochat/releases",
        [
            {
                "tag_name": "v0.2",
                "name": "nanochat 0.2",
                "html_url": "https://github.com/karpathy/nanochat/releases/v0.2",
                "published_at": "2026-11-20T00:00:00Z",
                "draft": False,
            },
            {
                "tag_name": "v0.1",
                "name": None,
                "html_url": "u",
                "published_at": "2026-10-01T00:00:00Z",
                "draft": False,
            },
        ],
    )
    gh.on("/users/tridao/repos", [], query={"sort": "created", "direction": "desc"})
    gh.on("/users/tridao/repos", [], query={"sort": "pushed", "direction": "desc"})


def test_news_lists_new_repos_and_releases_since_a_date(bip, ws, online):
    news_world(online)
    result = bip("-w", str(ws), "figures", "news", "--since", "2026-11-01", "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["kind"], i["repo"], i["title"]) for i in items] == [
        ("release", "karpathy/nanochat", "nanochat 0.2"),
        ("repo", "karpathy/nanochat", "about karpathy/nanochat"),
    ]


def test_news_remembers_the_last_check(bip, ws, online, monkeypatch):
    news_world(online)
    assert "nanochat 0.2" in bip("-w", str(ws), "figures", "news", "--since", "2026-11-01").stdout
    monkeypatch.setenv("BIP_NOW", "2026-11-25T10:00:00+00:00")
    assert bip("-w", str(ws), "figures", "news").stdout.strip() == "nothing new since 2026-11-23"


def test_news_rejects_a_bad_date(bip, ws, online):
    result = bip("-w", str(ws), "figures", "news", "--since", "last week", code=2)
    assert result.exit_code == 2 and "neither a duration nor a date" in result.stderr


def graph_world(gh: FakeGitHub) -> None:
    pr = {
        "number": 7,
        "title": "Fix ROCm build",
        "state": "closed",
        "created_at": "2026-11-01T00:00:00Z",
        "html_url": "https://github.com/Dao-AILab/flash-attention/pull/7",
        "repository_url": "https://api.github.com/repos/Dao-AILab/flash-attention",
        "pull_request": {"merged_at": "2026-11-05T00:00:00Z"},
    }
    gh.on(
        "/search/issues",
        {"total_count": 1, "items": [pr]},
        query={
            "q": "is:pr author:me repo:Dao-AILab/flash-attention",
            "sort": "created",
            "order": "asc",
        },
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/pulls/7", {"number": 7, "merged_by": {"login": "tridao"}}
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/pulls/7/reviews",
        [
            {"user": {"login": "tridao"}, "state": "APPROVED"},
            {"user": {"login": "some-one"}, "state": "COMMENTED"},
            {"user": {"login": "me"}, "state": "COMMENTED"},
        ],
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/issues/7/comments",
        [{"user": {"login": "ci-bot[bot]"}}, {"user": {"login": "some-one"}}],
    )


def test_graph_mermaid_marks_figures_and_counts_hops(bip, ws, online):
    graph_world(online)
    result = bip("-w", str(ws), "contrib", "graph")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "graph LR"
    assert '  u_me(("me"))' in lines
    assert '  u_tridao["Tri Dao ★ (tridao)"]' in lines
    assert '  u_tridao -->|"merged #35;7; approved #35;7"| u_me' in lines
    assert '  u_some_one -->|"reviewed #35;7; commented #35;7"| u_me' in lines
    assert "  class u_tridao figure" in lines
    assert not any("bot" in line for line in lines)
    for line in lines[1:]:  # every line is a node, an edge or a style: nothing Mermaid rejects
        assert re.match(
            r'^  (u_\w+(\(\(".*"\)\)|\[".*"\])|u_\w+ -->\|".*"\| u_\w+|classDef .*|class [\w,]+ figure)$',
            line,
        ), line
    assert "hops: Tri Dao: 1 hop (merged Dao-AILab/flash-attention#7)" in result.stderr
    assert "hops: Andrej Karpathy: not connected yet" in result.stderr


def test_graph_dot_and_json(bip, ws, online):
    graph_world(online)
    dot = bip("-w", str(ws), "contrib", "graph", "--format", "dot").stdout
    assert dot.startswith("digraph collaboration {") and '"tridao" -> "me"' in dot
    data = json.loads(bip("-w", str(ws), "contrib", "graph", "--format", "json").stdout)
    assert {i["relation"] for i in data["interactions"] if i["person"] == "tridao"} == {
        "merged",
        "approved",
    }
    assert bip("-w", str(ws), "contrib", "graph", "--format", "svg", code=2).exit_code == 2


def test_graph_with_a_token_asks_graphql_once_for_every_pr(bip, ws, online, monkeypatch):
    from tests.fakegithub import Reply

    graph_world(online)
    bodies = []

    def graphql(body, request):
        bodies.append(body["query"])
        return Reply(
            body={
                "data": {
                    "p0": {
                        "pullRequest": {
                            "mergedBy": {"login": "tridao"},
                            "reviews": {
                                "nodes": [
                                    {"author": {"login": "tridao"}, "state": "APPROVED"},
                                    {"author": {"login": "some-one"}, "state": "COMMENTED"},
                                ]
                            },
                            "comments": {
                                "nodes": [
                                    {"author": {"login": "ci-bot[bot]"}},
                                    {"author": {"login": "some-one"}},
                                ]
                            },
                        }
                    }
                }
            }
        )

    online.graphql_handler = graphql
    monkeypatch.setenv("GH_TOKEN", "t0ken")
    data = json.loads(bip("-w", str(ws), "contrib", "graph", "--format", "json").stdout)
    assert {(i["person"], i["relation"]) for i in data["interactions"]} == {
        ("tridao", "merged"),
        ("tridao", "approved"),
        ("some-one", "reviewed"),
        ("some-one", "commented"),
    }
    assert len(bodies) == 1 and "p0: repository" in bodies[0]
    assert [s.path for s in online.seen if s.path != "/graphql"] == ["/search/issues"]
