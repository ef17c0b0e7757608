"""The ecosystem layer: GH Archive hour files in both shapes, ingested and queried with chdb."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub
from tests.fakegraphql import GraphQLService, World
from tests.gharchive import after_trim, before_trim
from tests.reachworld import example_world
from toolkit.reach import archive_edges, ingest

pytest.importorskip("chdb", reason="the map extra (chdb) is part of dev")


@pytest.fixture(scope="module")
def hours(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("gharchive")
    return [before_trim(folder), after_trim(folder)]


@pytest.fixture(scope="module")
def ingested(hours, tmp_path_factory) -> Path:
    state = tmp_path_factory.mktemp("state")
    result = ingest(state, [str(h) for h in hours], [])
    assert (result.hours, result.events) == (2, 10)  # the WatchEvents are left out
    return state


def test_both_payload_shapes_become_edges(ingested: Path):
    edges, holes = archive_edges(ingested, "chdb")([], [])
    found = {(e.source, e.target, e.kind, e.pr, e.evidence) for e in edges}
    assert found == {
        ("sgl-maint", "cchen", "approved", 50, "approximate"),
        ("sgl-maint", "cchen", "merged", 50, "approximate"),  # before the trim: merged_by
        ("sgl-maint", "ada-l", "approved", 77, "approximate"),  # after: author from `opened`
    }
    text = " ".join(holes)
    assert "1 PR close since 2025-10-07: merge unknown" in text
    # 2025-06-01 15h and 2025-11-02 9h ingested: every hour between is a hole
    assert "3689 hours between the first and last ingested are not ingested" in text
    assert "1 review of PRs whose author the archive does not say" in text
    assert "only from about 2020" in text


def test_ingest_keeps_only_the_repos_asked_for(hours, tmp_path: Path):
    result = ingest(tmp_path, [str(h) for h in hours], ["vllm-project/vllm"])
    assert result.events == 0


def test_a_path_that_exists_only_through_an_approximate_edge(ws, bip, hours):
    bip("--workspace", str(ws), "reach", "sync", "--example")
    bip("--workspace", str(ws), "reach", "ingest", *map(str, hours))
    none = json.loads(
        bip(
            "--workspace", str(ws), "reach", "path", "sgl-maint", "--engine", "github", "--json"
        ).stdout
    )
    assert none["paths"] == []
    out = json.loads(bip("--workspace", str(ws), "reach", "path", "sgl-maint", "--json").stdout)
    [[step]] = out["paths"]
    assert (step["from"], step["to"], step["kind"], step["pr"]) == (
        "ada-l",
        "sgl-maint",
        "approved",
        77,
    )
    assert step["evidence"] == "approximate"
    assert any("not re-checked" in h for h in out["holes"])
    # and through sgl-maint to cchen, whose merge predates the trim: 2 hops
    two = json.loads(bip("--workspace", str(ws), "reach", "path", "cchen", "--json").stdout)
    assert two["paths"]


def _online(monkeypatch, gh: FakeGitHub) -> None:
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GH_TOKEN", "ghp_test")
    monkeypatch.delenv("BIP_OFFLINE")


def test_approximate_edges_are_rechecked_with_one_request(ws, bip, hours, httpserver, monkeypatch):
    world = example_world()
    world["pulls"].append(
        {
            "repo": "sgl-project/sglang",
            "number": 77,
            "title": "ROCm fix",
            "author": "ada-l",
            "created": "2025-11-02T09:00:00Z",
            "reviews": [["sgl-maint", "APPROVED", "2025-11-02T09:30:00Z"]],
        }
    )
    gh = FakeGitHub(httpserver)
    service = GraphQLService(World(world))
    gh.graphql_handler = service
    bip("--workspace", str(ws), "reach", "sync", "--example")
    bip("--workspace", str(ws), "reach", "ingest", *map(str, hours))
    _online(monkeypatch, gh)
    out = json.loads(bip("--workspace", str(ws), "reach", "path", "sgl-maint", "--json").stdout)
    assert [s["evidence"] for s in out["paths"][0]] == ["exact"]
    assert len(service.queries) == 1 and "pullRequest(number:" in service.queries[0]["query"]


def test_an_edge_github_does_not_confirm_is_left_out(ws, bip, hours, httpserver, monkeypatch):
    gh = FakeGitHub(httpserver)
    gh.graphql_handler = GraphQLService(World(example_world()))  # no sglang there at all
    bip("--workspace", str(ws), "reach", "sync", "--example")
    bip("--workspace", str(ws), "reach", "ingest", *map(str, hours))
    _online(monkeypatch, gh)
    out = json.loads(bip("--workspace", str(ws), "reach", "path", "sgl-maint", "--json").stdout)
    # the one-hop edge is gone; what is left goes round through cchen (still approximate)
    assert out["paths"] and all(len(path) == 3 for path in out["paths"])
    assert all(step["pr"] != 77 for path in out["paths"] for step in path)
    assert any("1 approximate edge not confirmed by GitHub" in h for h in out["holes"])


def test_a_date_range_downloads_each_hour_and_notes_the_missing(
    tmp_path, hours, httpserver, monkeypatch
):
    served = {"/2025-06-01-15.json.gz": hours[0].read_bytes()}

    def answer(request):
        from werkzeug import Response

        body = served.get(request.path)
        return Response(body, status=200) if body else Response("Not Found", status=404)

    import re

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    monkeypatch.setenv("BIP_GHARCHIVE_URL", httpserver.url_for("").rstrip("/"))
    result = ingest(tmp_path, ["2025-06-01..2025-06-01"], [])
    assert (result.hours, result.events, result.requests) == (1, 6, 24)
    assert len(result.missing) == 23 and "2025-06-01-0" in result.missing
    assert "GH Archive has no file for 23 hours" in result.holes[0]
    edges, holes = archive_edges(tmp_path, "chdb")([], [])
    assert any("missing hours" in h for h in holes)


def test_engines_say_what_they_need(ws, bip, monkeypatch):
    result = bip("--workspace", str(ws), "reach", "path", "tridao", "--engine", "chdb", code=2)
    assert "bip reach ingest" in result.stderr
    result = bip(
        "--workspace", str(ws), "reach", "path", "tridao", "--engine", "clickhouse", code=2
    )
    assert "BIP_CLICKHOUSE_URL" in result.stderr
    bad = bip("--workspace", str(ws), "reach", "ingest", "2025-13-01", code=2)
    assert "date range" in bad.stderr


def test_one_sql_text_answers_from_a_clickhouse_server(ws, bip, ingested, httpserver, monkeypatch):
    """--engine clickhouse through clickhouse-connect, against ClickHouse's HTTP interface
    played by chdb (tests/fakeclickhouse.py) holding the ingested events as `github_events`."""
    import re

    from tests.fakeclickhouse import FakeClickHouse
    from toolkit.reach.archive import EDGES_SQL, archive_dir, chdb_session

    folder = archive_dir(ingested) / "*.parquet"
    chdb_session().query(
        "CREATE OR REPLACE TABLE github_events ENGINE = Memory AS "
        f"SELECT * FROM file('{folder}', Parquet)"
    )
    server = FakeClickHouse()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(server.handler)
    monkeypatch.setenv("BIP_CLICKHOUSE_URL", httpserver.url_for("/").rstrip("/") + "/default")
    bip("--workspace", str(ws), "reach", "sync", "--example")
    args = ("--workspace", str(ws), "reach", "path", "sgl-maint", "--json")
    served = json.loads(bip(*args, "--engine", "clickhouse").stdout)
    [[step]] = served["paths"]
    assert (step["from"], step["pr"], step["evidence"]) == ("ada-l", 77, "approximate")
    # the same SQL text the chdb engine runs, with github_events for the table and the repos
    # as a server-side parameter
    edges_sent = [q for q in server.queries if "argMin(actor_login" in q]
    assert len(edges_sent) == 1
    assert EDGES_SQL.replace("{events}", "github_events").strip() in edges_sent[0]
    sent = server.params[server.queries.index(edges_sent[0])]
    assert (
        "'sgl-project/sglang'" in sent["repos"] and "'dao-ailab/flash-attention'" in sent["repos"]
    )


def test_a_file_that_is_not_an_hour_file_is_named(ws, bip, tmp_path):
    import gzip

    bad = tmp_path / "2025-06-01-3.json.gz"
    bad.write_bytes(gzip.compress(b"not json at all\n"))
    result = bip("--workspace", str(ws), "reach", "ingest", str(bad), code=2)
    assert f"{bad}: not a GH Archive hour file" in result.stderr
    (tmp_path / "plain.json.gz").write_bytes(b"plain text")
    result = bip("--workspace", str(ws), "reach", "ingest", str(tmp_path / "plain.json.gz"), code=2)
    assert "not a GH Archive hour file" in result.stderr and "Traceback" not in result.stderr
