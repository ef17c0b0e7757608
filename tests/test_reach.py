"""bip reach from the bundled example community, offline: map, path, next, and the graph's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.reach import Pull, ReachStore, Review, load_example_into
from toolkit.reach.model import all_edges, edges_of
from toolkit.reach.paths import Graph


@pytest.fixture
def world(ws: Path, bip) -> Path:
    """A fresh `bip init` workspace with the example community loaded (as the docs do)."""
    bip("--workspace", str(ws), "reach", "sync", "--example")
    return ws


def test_map_where_tri_dao_reviews(world: Path, bip):
    out = json.loads(bip("--workspace", str(world), "reach", "map", "tri-dao", "--json").stdout)
    assert (out["figure"], out["login"], out["source"]) == ("tri-dao", "tridao", "synced state")
    assert out["as_of"] == "2026-11-20T12:00:00Z"
    [repo] = out["repos"]
    assert repo["repo"] == "Dao-AILab/flash-attention"
    # reviewed 4101 4102 4103 4104 4105 (not his own 4106); merged 4101 4102 4104 4105
    assert (repo["reviewed_prs"], repo["merged_prs"]) == (5, 4)
    assert repo["paths"][0] == {"path": "csrc/flash_attn", "prs": 2}
    assert repo["labels"][0] == "enhancement"
    # human-authored PRs he reviewed or merged: 4101 4102 4103 4104, two by first-timers
    assert repo["newcomer_share"] == 0.5
    # hours to his first review: 6 (4101), 10 (4102, from ready), 3 (4103), 6 (4104), 8 (bot 4105)
    assert repo["median_hours_to_first_review"] == 6.0


def test_path_known_shortest_paths_with_evidence(world: Path, bip):
    out = json.loads(bip("--workspace", str(world), "reach", "path", "tri-dao", "--json").stdout)
    assert (out["from"], out["to"]) == ("ada-l", "tridao")
    routes = {tuple(step["to"] for step in path) for path in out["paths"]}
    assert routes == {("hlin", "tridao"), ("mzhang", "tridao")}
    for path in out["paths"]:
        assert set(path[0]) == {"from", "to", "kind", "repo", "pr", "url", "at", "evidence"}
        assert all(step["evidence"] == "exact" for step in path)
    first = {p[0]["to"]: p[0] for p in out["paths"]}
    assert (first["hlin"]["kind"], first["hlin"]["pr"]) == ("changes_requested", 4107)
    assert first["mzhang"]["url"].startswith("https://github.com/karpathy/nanoGPT/pull/610")


def test_bots_and_self_reviews_are_never_edges(world: Path):
    store = ReachStore(world / ".bip" / "reach.sqlite")
    edges = all_edges(store.pulls())
    people = {e.source for e in edges} | {e.target for e in edges}
    assert "dependabot[bot]" not in people and "pytorchbot" not in people
    assert all(e.source.lower() != e.target.lower() for e in edges)
    # ada-l approved a dependabot PR tridao also approved: that is no path of 2 through the bot
    graph = Graph(edges)
    assert "dependabot[bot]" not in graph.neighbours
    release = next(p for p in store.pulls() if p.number == 4106)
    assert {(e.source, e.kind) for e in edges_of(release)} == {("hlin", "approved")}


def test_bot_detection_kinds():
    pull = Pull(
        "o/r",
        1,
        author="human",
        merged_by="mergify",
        reviews=(
            Review("renovate[bot]", "APPROVED", "2026-01-01T00:00:00Z"),
            Review("some-app", "APPROVED", "2026-01-01T00:00:00Z", bot=True),  # GraphQL Bot
            Review("k8s-ci-robot", "COMMENTED", "2026-01-01T00:00:00Z"),
            Review("person", "COMMENTED", "2026-01-01T00:00:00Z"),
            Review("person", "APPROVED", "2026-01-02T00:00:00Z"),
        ),
    )
    assert [(e.source, e.kind) for e in edges_of(pull)] == [("person", "approved")]


def test_a_figure_nobody_reaches_is_an_answer(world: Path, bip):
    result = bip("--workspace", str(world), "reach", "path", "lonely-star", "--json")
    out = json.loads(result.stdout)
    assert out["paths"] == []
    # ada-l -> hlin -> wkim -> vdev -> lonely-star is 4 hops: vdev is 3 from you, 1 from them
    assert out["nearest"][0] == {"login": "vdev", "hops_from_you": 3, "hops_to_figure": 1}
    text = bip("--workspace", str(world), "reach", "path", "lonely-star").stdout
    assert "No path from ada-l to lonely-star within 3 hops" in text and "vdev" in text
    four = json.loads(
        bip(
            "--workspace", str(world), "reach", "path", "lonely-star", "--hops", "4", "--json"
        ).stdout
    )
    assert [s["to"] for s in four["paths"][0]] == ["hlin", "wkim", "vdev", "lonely-star"]
    bip("--workspace", str(world), "reach", "path", "lonely-star", "--hops", "5", code=2)


def test_next_ranks_first_issues_in_the_figures_folders(world: Path, bip):
    out = json.loads(bip("--workspace", str(world), "reach", "next", "tri-dao", "--json").stdout)
    numbers = [i["number"] for i in out["issues"]]
    assert numbers == [4110, 4111, 4112]  # 4113 is assigned; good first issue first
    top = out["issues"][0]
    assert set(top) == {
        "repo",
        "number",
        "title",
        "url",
        "labels",
        "paths",
        "reviewers",
        "median_hours_to_first_response",
        "why",
    }
    assert top["paths"] == ["csrc/flash_attn"] and top["reviewers"] == ["tridao"]
    # newcomers' PRs there (4103, 4104, 4107): first reviews after 3, 6 and 23 hours
    assert top["median_hours_to_first_response"] == 6.0
    assert "good first issue" in top["why"]


def test_next_without_figure_uses_target_repos_key_reviewers(world: Path, bip):
    out = json.loads(
        bip("--workspace", str(world), "reach", "next", "--json", "--limit", "2").stdout
    )
    assert [i["number"] for i in out["issues"]] == [4110, 4111]
    assert out["issues"][0]["reviewers"][0] == "tridao"


def test_unknown_figure_and_figure_without_login(world: Path, bip):
    (world / "reading_list.yaml").write_text(
        (world / "reading_list.yaml")
        .read_text()
        .replace("figures:\n", "figures:\n  - id: anon\n    name: Anon\n", 1)
    )
    result = bip("--workspace", str(world), "reach", "map", "anon", code=2)
    assert "no GitHub login" in result.stderr
    empty = json.loads(
        bip("--workspace", str(world), "reach", "map", "nobody-here", "--json").stdout
    )
    assert empty["repos"] == [] and empty["holes"]


def test_store_keeps_its_own_schema_version(tmp_path: Path):
    store = ReachStore(tmp_path / ".bip" / "reach.sqlite")
    load_example_into(store)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == 1
    again = ReachStore(tmp_path / ".bip" / "reach.sqlite")
    assert len(again.pulls()) == len(store.pulls()) == 11


def test_the_docs_session_shows_true_output(tmp_path: Path, bip, monkeypatch):
    """docs/reach.md's console blocks: each command's output is what bip prints, line for line."""
    from tests.conftest import REPO_ROOT

    monkeypatch.chdir(tmp_path)
    bip("init", "bip-demo")
    monkeypatch.chdir(tmp_path / "bip-demo")
    checked = 0
    for block in (REPO_ROOT / "docs" / "reach.md").read_text().split("```console\n")[1:]:
        lines = block.split("```")[0].splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ bip ")]
        for n, i in enumerate(starts):
            shown = lines[i + 1 : starts[n + 1] if n + 1 < len(starts) else len(lines)]
            out = bip(*lines[i][len("$ bip ") :].split()).stdout
            assert out.rstrip("\n").splitlines() == shown, lines[i]
            checked += 1
    assert checked >= 5
