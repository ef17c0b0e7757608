"""`bip read sync`, repo metadata in `bip read show`, and `bip read add` filling titles."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub, Reply
from toolkit.github import Auth, GitHubClient, Limits
from toolkit.readinglist.sync import fetch_repo_meta

CFF = "cff-version: 1.2.0\ntitle: FlashAttention\nauthors:\n  - family-names: Dao\n    given-names: Tri\n"


def repo_world(gh: FakeGitHub) -> None:
    gh.on(
        "/repos/Dao-AILab/flash-attention",
        {
            "full_name": "Dao-AILab/flash-attention",
            "description": "Fast and memory-efficient exact attention",
            "stargazers_count": 20000,
            "default_branch": "main",
            "pushed_at": "2026-11-20T12:00:00Z",
            "license": {"spdx_id": "BSD-3-Clause"},
            "html_url": "https://github.com/Dao-AILab/flash-attention",
        },
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/releases/latest",
        {"tag_name": "v2.8.3", "published_at": "2026-08-01T00:00:00Z"},
    )
    gh.on(
        "/repos/Dao-AILab/flash-attention/contents/CITATION.cff",
        {"encoding": "base64", "content": base64.b64encode(CFF.encode()).decode()},
    )
    gh.on(
        "/repos/karpathy/nanoGPT",
        {
            "full_name": "karpathy/nanoGPT",
            "description": None,
            "stargazers_count": 40000,
            "default_branch": "master",
        },
    )


def test_rest_sync_reads_release_and_citation(httpserver, tmp_path):
    gh = FakeGitHub(httpserver)
    repo_world(gh)
    client = GitHubClient(gh.url, cache_path=tmp_path / "c.sqlite", limits=Limits(backoff=0.01))
    flash, nano = fetch_repo_meta(client, ["Dao-AILab/flash-attention", "karpathy/nanoGPT"])
    assert (flash.stars, flash.latest_release, flash.license, flash.has_citation) == (
        20000,
        "v2.8.3",
        "BSD-3-Clause",
        True,
    )
    assert flash.citation_cff == CFF
    assert (nano.latest_release, nano.has_citation, nano.default_branch) == (None, False, "master")


def test_graphql_sync_is_one_request(httpserver, tmp_path):
    gh = FakeGitHub(httpserver)
    gh.graphql_handler = lambda body, request: Reply(
        body={
            "data": {
                "r0": {
                    "description": "d",
                    "stargazerCount": 5,
                    "pushedAt": "2026-11-01T00:00:00Z",
                    "url": "u",
                    "defaultBranchRef": {"name": "main"},
                    "latestRelease": None,
                    "licenseInfo": {"spdxId": "MIT"},
                    "citation": {"text": CFF},
                },
                "r1": None,
            }
        }
    )
    client = GitHubClient(gh.url, auth=Auth("tok", "GH_TOKEN"), cache_path=tmp_path / "c.sqlite")
    a, b = fetch_repo_meta(client, ["o/a", "o/b"])
    assert len(gh.seen) == 1
    assert (a.stars, a.license, a.has_citation, a.citation_cff) == (5, "MIT", True, CFF)
    assert b.error


@pytest.fixture
def online(ws: Path, httpserver, monkeypatch) -> FakeGitHub:
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    return gh


def test_cli_sync_then_show(bip, ws: Path, online: FakeGitHub):
    repo_world(online)
    online.on("/repos/karpathy/nanoGPT/releases/latest", Reply(404, {"message": "Not Found"}))
    result = bip("-w", str(ws), "read", "sync")
    assert result.exit_code == 0, result.stderr
    assert "synced 2 of 2 repos; 6 requests" in result.stdout
    shown = bip("-w", str(ws), "read", "show", "flash-attention").stdout
    assert "stars     20000" in shown and "release   v2.8.3 (2026-08-01)" in shown
    assert "citation  CITATION.cff" in shown
    again = bip("-w", str(ws), "read", "sync")
    assert "4 requests (4 answered 304)" in again.stdout  # the two 404s are believed for a day
    assert "Fast and memory-efficient" not in (ws / "reading_list.yaml").read_text()


def test_cli_add_fills_the_title_from_github(bip, ws: Path, online: FakeGitHub):
    online.on(
        "/repos/karpathy/micrograd",
        {"description": "A tiny scalar-valued autograd engine", "stargazers_count": 1},
    )
    result = bip("-w", str(ws), "read", "add", "https://github.com/karpathy/micrograd")
    assert (
        result.stdout.strip()
        == "added micrograd (repo): micrograd: A tiny scalar-valued autograd engine"
    )


def test_cli_add_without_github_keeps_a_derived_title(bip, ws: Path, monkeypatch):
    monkeypatch.delenv("BIP_OFFLINE")  # GITHUB_API_URL points at a closed local port
    result = bip("-w", str(ws), "read", "add", "https://github.com/karpathy/micrograd")
    assert result.exit_code == 0
    assert "could not ask GitHub about karpathy/micrograd" in result.stderr
    entry = json.loads(bip("-w", str(ws), "read", "show", "micrograd", "--json").stdout)
    assert entry["title"] == "karpathy/micrograd"


def test_repo_facts_take_a_clones_citation_file_first_else_what_sync_kept(tmp_path):
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from toolkit.readinglist.sync import RepoMeta, save_repo_meta
    from toolkit.references.credit import load_repo_facts
    from toolkit.settings import Settings
    from toolkit.state import Store
    from toolkit.workspace import Paths, Workspace

    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "CITATION.cff").write_text("cff-version: 1.2.0\ntitle: From the clone\n")
    ws = Workspace(Paths(tmp_path), Settings(clones={"a/cloned": str(clone)}))
    store = Store(ws.paths.state_db)
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    save_repo_meta(
        store,
        now,
        [
            RepoMeta("a/cloned", citation_cff="title: kept, but the clone's wins\n"),
            RepoMeta("b/Synced", citation_cff=CFF, created_at="2021-03-04T00:00:00Z"),
            RepoMeta("c/none"),
        ],
    )
    store.close()
    entries = [SimpleNamespace(repo=r) for r in ("a/cloned", "b/Synced", "c/none", None)]
    found = load_repo_facts(ws, entries)  # type: ignore[arg-type]
    assert {repo: facts.cff for repo, facts in found.items()} == {
        "a/cloned": "cff-version: 1.2.0\ntitle: From the clone\n",
        "b/synced": CFF,
        "c/none": None,
    }
    assert found["b/synced"].year == 2021
