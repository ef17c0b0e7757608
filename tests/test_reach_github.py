"""bip reach against a fake GitHub whose GraphQL is checked against GitHub's published schema."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub
from tests.fakegraphql import GraphQLService, World, github_schema
from tests.reachworld import busy_figure_world, example_world, long_repo_world
from toolkit.errors import BadInput
from toolkit.github import Auth, GitHubClient, Limits, RateLimited
from toolkit.reach import ReachStore, load_example_into, reach_map, reach_sync
from toolkit.reach.fetch import PULL_FIELDS, REPO_QUERY, SEARCH_QUERY

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def _schema():
    github_schema()  # built once for the module (about two seconds)


@pytest.fixture
def gh(httpserver) -> FakeGitHub:
    return FakeGitHub(httpserver)


def serve(gh: FakeGitHub, world: dict) -> GraphQLService:
    service = GraphQLService(World(world))
    gh.graphql_handler = service
    return service


def client(gh: FakeGitHub, tmp_path: Path, cache: bool = True) -> GitHubClient:
    return GitHubClient(
        gh.url,
        auth=Auth("ghp_test", "GH_TOKEN"),
        cache_path=tmp_path / ".bip" / "http_cache.sqlite" if cache else None,
        limits=Limits(max_wait=0, retries=0),
        sleep=lambda s: None,
    )


def store(tmp_path: Path, name: str = "reach.sqlite") -> ReachStore:
    return ReachStore(tmp_path / ".bip" / name)


def test_a_wrong_field_fails_as_on_github(gh, tmp_path):
    serve(gh, example_world())
    bad = SEARCH_QUERY.replace("mergedBy", "mergedByUser")
    with pytest.raises(BadInput, match="Cannot query field 'mergedByUser'"):
        client(gh, tmp_path).graphql(bad, {"q": "is:pr reviewed-by:tridao", "after": None})
    wrong_arg = REPO_QUERY.replace("states: OPEN", "state: OPEN")
    with pytest.raises(BadInput, match="Unknown argument 'state'"):
        client(gh, tmp_path).graphql(
            wrong_arg, {"owner": "a", "name": "b", "after": None, "withIssues": True}
        )
    assert "reviews(first: 50)" in PULL_FIELDS  # the field list the fake checked


def test_map_online_reads_github_and_remembers(gh, tmp_path):
    service = serve(gh, example_world())
    figures = {"tri-dao": "tridao"}
    result = reach_map(client(gh, tmp_path), store(tmp_path), figures, "tri-dao", NOW)
    assert result.source == "github" and result.as_of == "2026-11-23T10:00:00+00:00"
    assert result.requests == 1 == len(service.queries)
    assert service.queries[0]["variables"]["q"] == "is:pr reviewed-by:tridao"
    [repo] = result.repos
    assert (repo.reviewed_prs, repo.merged_prs, repo.newcomer_share) == (5, 4, 0.5)
    offline = GitHubClient(gh.url, auth=Auth(None, None), offline=True)
    again = reach_map(offline, store(tmp_path), figures, "tri-dao", NOW)
    assert again.source == "synced state" and again.as_of == result.as_of
    assert asdict(again.repos[0]) == asdict(repo)


def test_a_figure_with_300_reviewed_prs_maps_in_3_requests_cold_and_0_warm(gh, tmp_path):
    service = serve(gh, busy_figure_world(prs=300))
    cold = reach_map(client(gh, tmp_path), store(tmp_path), {}, "busyfig", NOW)
    assert cold.requests == 3 <= 7  # 100 pull requests a page
    assert sum(r.reviewed_prs for r in cold.repos) == 300
    assert sum(r.merged_prs for r in cold.repos) == 150
    warm = reach_map(client(gh, tmp_path), store(tmp_path), {}, "busyfig", NOW)
    assert warm.requests == 0 and len(service.queries) == 3
    assert [asdict(r) for r in warm.repos] == [asdict(r) for r in cold.repos]
    assert not any("search" in h for h in cold.holes)


def test_a_figure_past_the_search_cap_is_told(gh, tmp_path):
    serve(gh, busy_figure_world(prs=1010))
    result = reach_map(client(gh, tmp_path), store(tmp_path), {}, "busyfig", NOW)
    assert result.requests == 10  # GitHub's search stops at 1,000 results
    assert sum(r.reviewed_prs for r in result.repos) == 1000
    assert any("found 1,010 PRs busyfig reviewed" in h for h in result.holes)


def test_sync_stores_what_the_example_loader_stores(gh, tmp_path):
    """The fake GitHub and `--example` read one file: a sync must store the same records."""
    service = serve(gh, example_world())
    repos = ["Dao-AILab/flash-attention", "karpathy/nanoGPT", "vllm-project/vllm"]
    synced = store(tmp_path, "synced.sqlite")
    result = reach_sync(client(gh, tmp_path), synced, repos, NOW, since="2026-01-01")
    assert [(r.pulls, r.issues, r.complete) for r in result.repos] == [
        (8, 4, True),
        (2, 1, True),
        (1, 1, True),
    ]
    assert result.requests == 3 == len(service.queries)
    loaded = store(tmp_path, "example.sqlite")
    load_example_into(loaded)
    assert [asdict(p) for p in synced.pulls()] == [asdict(p) for p in loaded.pulls()]
    assert synced.issues(repos) == loaded.issues(repos)


def test_sync_cut_by_a_rate_limit_resumes_where_it_stopped(gh, tmp_path, bip, ws, monkeypatch):
    service = serve(gh, long_repo_world(120))
    service.rate_limited_at = {3}  # the reading list's target first, then big/repo's pages
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GH_TOKEN", "ghp_test")
    monkeypatch.delenv("BIP_OFFLINE")
    args = ("--workspace", str(ws), "reach", "sync", "--repo", "big/repo", "--since", "2026-01-01")
    failed = bip(*args, "--max-wait", "0", code=4)
    assert "rate limit" in failed.stderr.lower()
    kept = ReachStore(ws / ".bip" / "reach.sqlite")
    assert len(kept.pulls()) == 50  # the first page was saved before the limit
    done = bip(*args)
    assert "big/repo: 70 pull requests" in done.stdout
    assert len(kept.pulls()) == 120
    # the resumed run started at the saved cursor, not at the first page again
    asked = [q["variables"] for q in service.queries if q["variables"]["owner"] == "big"]
    assert [v["after"] for v in asked] == [None, "50", "50", "100"]


def test_a_second_sync_stops_at_what_it_has(gh, tmp_path):
    world = long_repo_world(120)
    service = serve(gh, world)
    kept = store(tmp_path)
    reach_sync(client(gh, tmp_path, cache=False), kept, ["big/repo"], NOW, since="2026-01-01")
    assert len(service.queries) == 3
    world["pulls"].append(
        {
            "repo": "big/repo",
            "number": 500,
            "title": "new",
            "author": "late",
            "created": "2026-11-22T00:00:00Z",
            "reviews": [["maint", "COMMENTED", "2026-11-22T01:00:00Z"]],
        }
    )
    service.world = World(world)
    second = reach_sync(client(gh, tmp_path, cache=False), kept, ["big/repo"], NOW)
    assert [(r.pulls, r.complete) for r in second.repos] == [(1, True)]
    assert second.requests == 1  # the first page already reaches what the last sync saw
    assert len(kept.pulls()) == 121


def test_sync_without_targets_says_what_to_do(gh, tmp_path):
    with pytest.raises(BadInput, match="no target repos"):
        reach_sync(client(gh, tmp_path), store(tmp_path), [], NOW)


def test_rate_limit_error_is_the_clients(gh, tmp_path):
    service = serve(gh, example_world())
    service.rate_limited_at = {1}
    with pytest.raises(RateLimited):
        reach_map(client(gh, tmp_path), store(tmp_path), {}, "tridao", NOW)


def test_cli_map_online(gh, bip, ws, monkeypatch):
    serve(gh, example_world())
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GH_TOKEN", "ghp_test")
    monkeypatch.delenv("BIP_OFFLINE")
    out = json.loads(bip("--workspace", str(ws), "reach", "map", "tri-dao", "--json").stdout)
    assert out["source"] == "github" and out["repos"][0]["reviewed_prs"] == 5


def test_next_fetches_open_issues_of_the_figures_repos_in_one_request(gh, tmp_path):
    from toolkit.reach import reach_next

    service = serve(gh, example_world())
    kept = store(tmp_path)
    reach_map(client(gh, tmp_path), kept, {}, "lonely-star", NOW)  # its repos' issues unknown
    result = reach_next(client(gh, tmp_path), kept, {}, "lonely-star", [])
    assert [(i.repo, i.number) for i in result.issues] == [("vllm-project/vllm", 9010)]
    assert len(service.queries) == 2 and "issues(first: 100" in service.queries[1]["query"]
    offline = GitHubClient(gh.url, auth=Auth(None, None), offline=True)
    again = reach_next(offline, kept, {}, "lonely-star", [])
    assert again.issues == result.issues and len(service.queries) == 2


def test_map_since_and_repo_narrow_the_search(gh, tmp_path):
    service = serve(gh, example_world())
    kept = store(tmp_path)
    result = reach_map(
        client(gh, tmp_path), kept, {}, "tridao", NOW, "2026-10-10", ["Dao-AILab/flash-attention"]
    )
    assert service.queries[0]["variables"]["q"] == (
        "is:pr reviewed-by:tridao repo:Dao-AILab/flash-attention created:>=2026-10-10"
    )
    # opened on or after 2026-10-10: 4104 (reviewed and merged) and 4105 (the bot's)
    assert [(r.reviewed_prs, r.merged_prs) for r in result.repos] == [(2, 2)]
    none = reach_map(client(gh, tmp_path), kept, {}, "tridao", NOW, None, ["karpathy/nanoGPT"])
    assert none.repos == [] and none.holes
