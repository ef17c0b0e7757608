"""Contributor progress against the fake GitHub: REST without a token, GraphQL with one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub, Reply
from toolkit import contrib
from toolkit.contrib import progress
from toolkit.errors import BadInput, BipError
from toolkit.github import Auth, GitHubClient, Limits
from toolkit.readinglist import load_reading_list
from toolkit.state import Store

READING_LIST = """\
version: 1
figures:
  - id: tri-dao
    name: Tri Dao
    github: tridao
entries:
  - id: vllm
    kind: repo
    title: vLLM
    repo: vllm-project/vllm
    goal: {merged_prs: 3, by: 2027-03-31}
  - id: flash-attention
    kind: repo
    title: flash-attention
    repo: Dao-AILab/flash-attention
    figures: [tri-dao]
    goal: {merged_prs: 1}
  - id: nanogpt
    kind: repo
    title: nanoGPT
    repo: karpathy/nanoGPT
"""
REPOS = "repo:vllm-project/vllm repo:Dao-AILab/flash-attention"


def issue(
    repo: str,
    number: int,
    state: str = "open",
    merged_at: str | None = None,
    created: str = "2026-10-01T10:00:00Z",
    pr: bool = True,
) -> dict:
    item = {
        "number": number,
        "title": f"Change {number}",
        "state": state,
        "created_at": created,
        "html_url": f"https://github.com/{repo}/pull/{number}",
        "repository_url": f"https://api.github.com/repos/{repo}",
    }
    if pr:
        item["pull_request"] = {"merged_at": merged_at}
    return item


def rest_world(gh: FakeGitHub, merged_second: bool = False) -> None:
    prs = [
        issue("vllm-project/vllm", 101, "closed", "2026-10-05T00:00:00Z"),
        issue(
            "vllm-project/vllm",
            202,
            "closed" if merged_second else "open",
            "2026-11-21T00:00:00Z" if merged_second else None,
            created="2026-11-02T00:00:00Z",
        ),
        issue("Dao-AILab/flash-attention", 7, "closed", None, created="2026-09-15T00:00:00Z"),
    ]
    gh.on(
        "/search/issues",
        {"total_count": 3, "incomplete_results": False, "items": prs},
        query={"q": f"is:pr author:me {REPOS}", "sort": "created", "order": "asc"},
    )
    gh.on(
        "/search/issues",
        {
            "total_count": 1,
            "incomplete_results": False,
            "items": [issue("vllm-project/vllm", 55, pr=False, created="2026-08-30T00:00:00Z")],
        },
        query={"q": f"is:issue author:me {REPOS}"},
    )
    commit = {"sha": "abc", "commit": {"author": {"date": "2026-11-20T08:00:00Z"}}}
    gh.pages(
        "/repos/vllm-project/vllm/commits", [[commit], [commit], [commit]], query={"author": "me"}
    )
    gh.on("/repos/Dao-AILab/flash-attention/commits", [], query={"author": "me"})
    gh.pages(
        "/repos/vllm-project/vllm/contributors",
        [
            [{"login": f"dev{i}", "contributions": 1000 - i} for i in range(100)],
            [{"login": f"x{i}", "contributions": 50} for i in range(41)]
            + [{"login": "me", "contributions": 3}],
        ],
    )


@pytest.fixture
def gh(httpserver) -> FakeGitHub:
    return FakeGitHub(httpserver)


@pytest.fixture
def model(tmp_path: Path):
    path = tmp_path / "reading_list.yaml"
    path.write_text(READING_LIST)
    return load_reading_list(path).model


def make_client(gh, tmp_path, token=None):
    return GitHubClient(
        gh.url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=tmp_path / ".bip" / "http_cache.sqlite",
        limits=Limits(backoff=0.01, secondary_wait=0.01),
        sleep=lambda s: None,
    )


NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def test_targets_are_goal_repos_plus_flags(model):
    targets = contrib.targets_from(model, ["karpathy/nanoGPT", "apache/tvm"])
    assert [t.repo for t in targets] == [
        "vllm-project/vllm",
        "Dao-AILab/flash-attention",
        "karpathy/nanoGPT",
        "apache/tvm",
    ]
    assert [t.goal_merged_prs for t in targets] == [3, 1, None, None]
    with pytest.raises(BadInput, match="not owner/name"):
        contrib.targets_from(model, ["not-a-repo"])


def test_search_queries_stay_within_githubs_limit():
    repos = [f"organisation-{n}/repository-{n}" for n in range(20)]
    queries = progress.search_chunks("is:pr author:me", repos)
    assert len(queries) > 1 and all(len(q) <= 256 for q in queries)
    assert sum(q.count("repo:") for q in queries) == 20


def test_rest_progress_counts_prs_issues_commits_and_rank(gh, tmp_path, model):
    rest_world(gh)
    client = make_client(gh, tmp_path)
    progress = contrib.fetch_progress(client, "me", contrib.targets_from(model))
    vllm, flash = progress
    assert (vllm.merged_prs, vllm.open_prs, vllm.closed_prs, vllm.issues, vllm.commits) == (
        1,
        1,
        0,
        1,
        3,
    )
    assert (vllm.first_contribution, vllm.latest_contribution) == ("2026-08-30", "2026-11-20")
    assert (vllm.rank, vllm.contributors) == (142, 142)
    assert vllm.progress == pytest.approx(1 / 3) and vllm.goal == {
        "merged_prs": 3,
        "by": "2027-03-31",
    }
    assert (flash.merged_prs, flash.closed_prs, flash.commits, flash.rank) == (0, 1, 0, None)
    assert flash.rank_note == "no commits on the default branch yet"
    assert gh.requests_to("/repos/Dao-AILab/flash-attention/contributors") == []


def test_warm_run_is_all_conditional_and_free(gh, tmp_path, model):
    rest_world(gh)
    contrib.fetch_progress(make_client(gh, tmp_path), "me", contrib.targets_from(model))
    cold = len(gh.seen)
    warm_client = make_client(gh, tmp_path)
    contrib.fetch_progress(warm_client, "me", contrib.targets_from(model))
    warm = gh.seen[cold:]
    assert len(warm) == cold == 6  # 2 searches, 2 commit counts, 2 contributor pages
    assert all(s.headers.get("If-None-Match") for s in warm)
    assert warm_client.counters.not_modified == 6


def test_rank_from_a_local_clone_counts_the_upstream_default_branch(tmp_path):
    import subprocess

    import git

    def commit(repo, n, name, email):
        (Path(repo.working_tree_dir) / f"f{n}").write_text(str(n))
        repo.index.add([f"f{n}"])
        actor = git.Actor(name, email)
        repo.index.commit(f"c{n}", author=actor, committer=actor)

    upstream = git.Repo.init(tmp_path / "upstream")
    for n, (name, email) in enumerate(
        [("A", "a@x"), ("A", "a@x"), ("A", "a@x"), ("Me", "me@x"), ("Me", "me2@x"), ("B", "b@x")]
    ):
        commit(upstream, n, name, email)
    subprocess.run(["git", "clone", "-q", str(tmp_path / "upstream"), str(tmp_path / "clone")])
    clone = git.Repo(tmp_path / "clone")
    clone.git.checkout("-b", "my-work")  # what is checked out must not count
    for n in range(6, 10):
        commit(clone, n, "Me", "me@x")
    assert contrib.rank_from_clone(tmp_path / "clone", ["me@x", "ME2@x"]) == (2, 3)
    assert contrib.rank_from_clone(tmp_path / "clone", ["nobody@x"]) == (None, 4)
    # the remote that points at the repo wins over origin
    clone.git.remote("rename", "origin", "upstream")
    clone.git.remote("add", "origin", "https://github.com/me/fork.git")
    clone.git.config("remote.upstream.url", "https://github.com/org/repo.git")
    assert contrib.rank_from_clone(tmp_path / "clone", ["me@x"], "org/repo") == (2, 4)
    with pytest.raises(BipError, match="has no branch of 'origin'"):
        contrib.rank_from_clone(tmp_path / "clone", ["me@x"], "someone/else")


def test_rank_from_a_clone_without_a_remote_says_so(tmp_path):
    import git

    git.Repo.init(tmp_path / "local")
    with pytest.raises(BipError, match="has no remote"):
        contrib.rank_from_clone(tmp_path / "local", ["me@x"])
    with pytest.raises(BipError, match="cannot read the clone"):
        contrib.rank_from_clone(tmp_path / "nothing", ["me@x"])


def graphql_world(gh: FakeGitHub) -> list[dict]:
    bodies: list[dict] = []

    def handle(body, request):
        bodies.append(body)
        if set(body["variables"]) == {"login"}:  # the id lookup
            return Reply(body={"data": {"user": {"id": "U_me", "login": "me"}}})
        variables = body["variables"]  # every value is a variable, never pasted into the text
        assert variables["uid"] == "U_me" and variables["o_r0"] == "vllm-project"
        assert variables["pq0"] == "repo:vllm-project/vllm is:pr author:me sort:created-asc"
        assert "vllm-project" not in body["query"]
        return Reply(
            body={
                "data": {
                    "rateLimit": {"cost": 3, "remaining": 4990, "resetAt": "2026-11-23T11:00:00Z"},
                    "who": {"id": "U_me"},
                    "r0": {
                        "nameWithOwner": "vllm-project/vllm",
                        "defaultBranchRef": {
                            "target": {
                                "history": {
                                    "totalCount": 3,
                                    "nodes": [{"committedDate": "2026-11-20T08:00:00Z"}],
                                }
                            }
                        },
                    },
                    "p0": {
                        "issueCount": 2,
                        "nodes": [
                            {
                                "number": 101,
                                "title": "a",
                                "url": "u",
                                "state": "MERGED",
                                "merged": True,
                                "createdAt": "2026-10-01T00:00:00Z",
                                "mergedAt": "2026-10-05T00:00:00Z",
                            },
                            {
                                "number": 202,
                                "title": "b",
                                "url": "u",
                                "state": "OPEN",
                                "merged": False,
                                "createdAt": "2026-11-02T00:00:00Z",
                                "mergedAt": None,
                            },
                        ],
                    },
                    "i0": {"issueCount": 1, "nodes": [{"createdAt": "2026-08-30T00:00:00Z"}]},
                    "r1": None,
                    "p1": {"issueCount": 0, "nodes": []},
                    "i1": {"issueCount": 0, "nodes": []},
                },
                "errors": [
                    {
                        "type": "NOT_FOUND",
                        "path": ["r1"],
                        "message": "Could not resolve to a Repository",
                    }
                ],
            }
        )

    gh.graphql_handler = handle
    gh.pages("/repos/vllm-project/vllm/contributors", [[{"login": "a"}, {"login": "me"}]])
    return bodies


def test_graphql_batches_every_repo_into_one_request(gh, tmp_path, model):
    bodies = graphql_world(gh)
    client = make_client(gh, tmp_path, token="t0ken")
    vllm, flash = contrib.fetch_progress(client, "me", contrib.targets_from(model))
    assert len(bodies) == 2  # the user's id, then every repo at once
    assert "r0: repository" in bodies[1]["query"] and "r1: repository" in bodies[1]["query"]
    assert (vllm.merged_prs, vllm.open_prs, vllm.issues, vllm.commits, vllm.rank) == (1, 1, 1, 3, 2)
    assert flash.error and "not found" in flash.error
    assert [s.path for s in gh.seen].count("/repos/vllm-project/vllm/contributors") == 1
    assert len(gh.seen) == 3


def test_status_stores_snapshots_and_reports_changes(gh, tmp_path, model):
    rest_world(gh)
    store = Store(tmp_path / ".bip" / "state.sqlite")
    first = contrib.take_status(make_client(gh, tmp_path), store, model, NOW, user="me")
    assert first.changes == {"vllm-project/vllm": [], "Dao-AILab/flash-attention": []}
    rest_world(gh, merged_second=True)
    later = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    second = contrib.take_status(make_client(gh, tmp_path), store, model, later, user="me")
    assert second.changes["vllm-project/vllm"] == [
        "+1 merged PR since 2026-11-23",
        "-1 open PR since 2026-11-23",
    ]
    history = store.history("me", "vllm-project/vllm")
    assert [s.data["merged_prs"] for s in history] == [1, 2]
    # The merged PRs themselves (for the site), newest first; an unmerged one is not listed.
    merged = contrib.load_merged_prs(store, "me")
    assert [(p.number, p.title, p.url, p.merged_at) for p in merged["vllm-project/vllm"]] == [
        (
            202,
            "Change 202",
            "https://github.com/vllm-project/vllm/pull/202",
            "2026-11-21T00:00:00Z",
        ),
        (
            101,
            "Change 101",
            "https://github.com/vllm-project/vllm/pull/101",
            "2026-10-05T00:00:00Z",
        ),
    ]
    assert merged["dao-ailab/flash-attention"] == []
    assert contrib.load_merged_prs(store, "someone-else") == {}


def test_sparkline():
    assert contrib.sparkline([0, 1, 2, 3]) == "▁▃▆█"
    assert contrib.sparkline([2, 2]) == "▁▁"
    assert contrib.sparkline([]) == ""


@pytest.fixture
def contrib_ws(tmp_path: Path, gh: FakeGitHub, monkeypatch) -> Path:
    root = tmp_path / "cws"
    root.mkdir()
    (root / "reading_list.yaml").write_text(READING_LIST)
    (root / "bip.toml").write_text('[github]\nlogin = "me"\n')
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    return root


def test_cli_status_offline_on_a_fresh_workspace_says_nothing_is_cached(bip, contrib_ws, gh):
    result = bip("-w", str(contrib_ws), "contrib", "status", "--offline", code=3)
    assert result.exit_code == 3
    assert (
        "--offline, and bip has no answer cached and no snapshot of vllm-project/vllm, "
        "Dao-AILab/flash-attention yet" in result.stderr
    )
    assert "/search" not in result.stderr and "q=" not in result.stderr
    assert gh.seen == []


def test_cli_status_then_offline_then_history(bip, contrib_ws, gh):
    rest_world(gh)
    result = bip("-w", str(contrib_ws), "contrib", "status")
    assert result.exit_code == 0, result.stderr
    assert "1 merged, 1 open, 0 closed unmerged; 1 issues; 3 commits" in result.stdout
    assert "rank       #142 of 142" in result.stdout
    assert "░" in result.stdout and "33% of 3 merged prs by 2027-03-31" in result.stdout
    assert "anonymous use is limited to 60 requests an hour" in result.stderr
    data = json.loads(bip("-w", str(contrib_ws), "contrib", "status", "--json").stdout)
    assert data["login"] == "me" and data["requests"]["not_modified"] == 6
    sent = len(gh.seen)
    offline = bip("-w", str(contrib_ws), "contrib", "status", "--offline")
    assert offline.exit_code == 0 and "offline: numbers from the cache, as of" in offline.stderr
    assert len(gh.seen) == sent
    history = bip("-w", str(contrib_ws), "contrib", "history", "--repo", "vllm-project/vllm")
    assert "merged PRs ▁▁ 1" in history.stdout and history.stdout.count("rank #142") == 2


def test_cli_status_without_targets_or_login(bip, contrib_ws):
    (contrib_ws / "bip.toml").write_text("")
    result = bip("-w", str(contrib_ws), "contrib", "status", code=2)
    assert result.exit_code == 2 and "does not know your GitHub login" in result.stderr


def pr_pages_world(gh: FakeGitHub, total: int) -> list[dict]:
    """GitHub's search connection: 100 PRs a page behind cursors, `total` PRs in all."""
    bodies: list[dict] = []

    def handle(body, request):
        bodies.append(body)
        if set(body["variables"]) == {"login"}:  # the id lookup
            return Reply(body={"data": {"user": {"id": "U_me", "login": "me"}}})
        after = body["variables"].get("pa0")
        start = int(after[1:]) if after else 0
        count = min(100, total - start)
        page = {
            "issueCount": total,
            "pageInfo": {"hasNextPage": start + count < total, "endCursor": f"c{start + count}"},
            "nodes": [
                {
                    "number": start + k,
                    "title": "t",
                    "url": "u",
                    "state": "MERGED",
                    "merged": True,
                    "createdAt": "2026-10-01T00:00:00Z",
                    "mergedAt": "2026-10-02T00:00:00Z",
                }
                for k in range(count)
            ],
        }
        data = {"p0": page}
        if after is None:
            data["r0"] = {"defaultBranchRef": None}
            data["who"] = {"id": "U_me"}
            data["i0"] = {"issueCount": 0, "nodes": []}
        return Reply(body={"data": data})

    gh.graphql_handler = handle
    return bodies


def test_graphql_follows_pr_pages_like_rest_and_says_when_the_cap_is_hit(gh, tmp_path):
    target = [contrib.Target("a/b")]
    bodies = pr_pages_world(gh, 250)
    client = make_client(gh, tmp_path, token="t0ken")
    [item] = contrib.fetch_progress(client, "me", target)
    assert item.merged_prs == 250 and len(bodies) == 1 + 3  # the id, then 3 pages
    assert [b["variables"].get("pa0") for b in bodies[2:]] == ["c100", "c200"]
    assert not [n for n in client.notices if "PRs" in n]

    bodies = pr_pages_world(gh, 1500)
    client = make_client(gh, tmp_path / "again", token="t0ken")
    [item] = contrib.fetch_progress(client, "me", target)
    assert item.merged_prs == 1000 and len(bodies) == 1 + 10
    assert "a/b: counted the first 1,000 of your 1,500 PRs" in " ".join(client.notices)
