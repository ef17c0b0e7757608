"""Papers against arXiv, Crossref and Semantic Scholar played on 127.0.0.1 (tests/fakepapers.py).

Requests are counted, never timed; waits go through injected clocks and sleeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakepapers import FakePapers, Paper
from toolkit.readinglist import load_reading_list
from toolkit.references import fetch
from toolkit.references.arxiv import Pacer

LIST = """\
version: 1
figures:
  - id: tri-dao
    name: Tri Dao
entries:
  # papers I read
  - id: attention
    kind: paper
    title: Attention Is All You Need   # my title, keep it
    arxiv: '1706.03762'
  - id: flash
    kind: paper
    title: arXiv:2205.14135
    arxiv: '2205.14135'
    figures: [tri-dao]
  - id: vllm-paper
    kind: paper
    title: doi:10.1145/3600006.3613165
    doi: 10.1145/3600006.3613165
  - id: mystery
    kind: paper
    title: A paper Semantic Scholar does not know
    arxiv: '2501.00001'
"""


@pytest.fixture
def fake(httpserver, monkeypatch) -> FakePapers:
    service = FakePapers(httpserver)
    for name, value in service.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BIP_OFFLINE")
    monkeypatch.setenv("GITHUB_API_URL", f"{service.base}/github")  # repos answer 404, at once
    p = service.add
    seq2seq = p(
        Paper(
            "1409.3215",
            "Sequence to Sequence Learning with Neural Networks",
            ["Ilya Sutskever", "Oriol Vinyals", "Quoc V. Le"],
            2014,
            citation_count=25000,
        )
    )
    adam = p(
        Paper(
            "1412.6980",
            "Adam: A Method for Stochastic Optimization",
            ["Diederik P. Kingma", "Jimmy Ba"],
            2014,
            citation_count=150000,
        )
    )
    attention = p(
        Paper(
            "1706.03762",
            "Attention Is All You Need",
            [
                "Ashish Vaswani",
                "Noam Shazeer",
                "Niki Parmar",
                "Jakob Uszkoreit",
                "Llion Jones",
                "Aidan N. Gomez",
                "Łukasz Kaiser",
                "Illia Polosukhin",
            ],
            2017,
            primary="cs.CL",
            venue="Neural Information Processing Systems",
            citation_count=120000,
            references=[seq2seq.s2, adam.s2],
        )
    )
    flash = p(
        Paper(
            "2205.14135",
            "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
            ["Tri Dao", "Daniel Y. Fu", "Stefano Ermon", "Atri Rudra", "Christopher Ré"],
            2022,
            venue="Neural Information Processing Systems",
            citation_count=2000,
            references=[attention.s2, seq2seq.s2],
        )
    )
    vllm = p(
        Paper(
            None,
            "Efficient Memory Management for Large Language Model Serving with PagedAttention",
            ["Woosuk Kwon", "Zhuohan Li", "Siyuan Zhuang"],
            2023,
            doi="10.1145/3600006.3613165",
            venue="Proceedings of the 29th Symposium on Operating Systems Principles",
            pages="611-626",
            citation_count=1500,
            references=[attention.s2, flash.s2, adam.s2],
        )
    )
    p(
        Paper(
            "2307.08691",
            "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning",
            ["Tri Dao"],
            2023,
            citation_count=900,
            references=[attention.s2, flash.s2],
        )
    )
    p(
        Paper(
            "1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            ["Jacob Devlin"],
            2018,
            references=[attention.s2],
        )
    )
    p(Paper("2501.00001", "Not in Semantic Scholar", ["Nobody Known"], 2025, in_s2=False))
    assert vllm.s2
    return service


@pytest.fixture
def papers_ws(ws: Path) -> Path:
    (ws / "reading_list.yaml").write_text(LIST, encoding="utf-8")
    return ws


def entry(ws: Path, entry_id: str):
    return load_reading_list(ws / "reading_list.yaml").model.entry(entry_id)


# --- read add ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "https://arxiv.org/abs/1706.03762",
        "https://arxiv.org/pdf/1706.03762v5.pdf",
        "arXiv:1706.03762v7",
        "1706.03762",
        "https://doi.org/10.48550/arXiv.1706.03762",
    ],
)
def test_add_an_arxiv_paper_fills_its_metadata(bip, ws: Path, fake: FakePapers, reference: str):
    result = bip("-w", str(ws), "read", "add", reference, "--tag", "attention")
    added = entry(ws, "arxiv-1706.03762")
    assert added.title == "Attention Is All You Need"  # the wrapped Atom title, one line again
    assert added.authors[0] == "Ashish Vaswani" and len(added.authors) == 8
    assert (added.year, added.primary_class, added.arxiv) == (2017, "cs.CL", "1706.03762")
    assert "Attention Is All You Need" in result.stdout
    assert [s.query["id_list"] for s in fake.to("arxiv")] == ["1706.03762"]
    bibtex = bip("-w", str(ws), "cite", "arxiv-1706.03762", "--format", "bibtex").stdout
    assert (
        bibtex.startswith("@inproceedings{vaswani2017attention,")
        and "primaryClass = {cs.CL}" in bibtex
    )


def test_add_a_doi_asks_crossref_with_a_mailto_when_an_email_is_configured(
    bip, ws: Path, fake: FakePapers, monkeypatch
):
    monkeypatch.setenv("BIP_PAPERS_EMAIL", "me@example.org")
    bip("-w", str(ws), "read", "add", "https://doi.org/10.1145/3600006.3613165")
    added = entry(ws, "doi-3600006.3613165")
    assert added.title.startswith("Efficient Memory Management")
    assert added.authors == ["Woosuk Kwon", "Zhuohan Li", "Siyuan Zhuang"]
    assert added.venue == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert (added.year, added.pages) == (2023, "611-626")
    crossref = fake.to("crossref")
    assert [s.path for s in crossref] == ["/crossref/works/10.1145/3600006.3613165"]
    assert "mailto:me@example.org" in crossref[0].headers["User-Agent"]
    assert fake.to("s2") == []  # Crossref gave the venue: nothing more to ask


def test_add_asks_semantic_scholar_for_the_venue_of_a_published_arxiv_paper(
    bip, ws: Path, fake: FakePapers
):
    bip("-w", str(ws), "read", "rm", "flash-attention-paper")  # the example list has it
    bip("-w", str(ws), "read", "add", "2205.14135")
    added = entry(ws, "arxiv-2205.14135")
    assert added.venue == "Neural Information Processing Systems"
    key = bip("-w", str(ws), "cite", "arxiv-2205.14135", "--format", "bibtex").stdout
    assert "{dao2022flashattention," in key
    assert "mailto" not in fake.to("arxiv")[0].headers["User-Agent"]


def test_add_refuses_a_paper_listed_under_its_other_identifier(
    bip, papers_ws: Path, fake: FakePapers
):
    fake.papers[
        next(k for k, p in fake.papers.items() if p.arxiv == "2307.08691")
    ].doi = "10.1145/3600006.3613165"  # pretend FA2's published version is the listed DOI
    before = (papers_ws / "reading_list.yaml").read_bytes()
    result = bip("-w", str(papers_ws), "read", "add", "2307.08691", code=2)
    assert "already in the list as 'vllm-paper'" in result.stderr
    assert (papers_ws / "reading_list.yaml").read_bytes() == before


def test_add_offline_or_unreachable_adds_from_the_identifier(
    bip, ws: Path, fake: FakePapers, monkeypatch
):
    monkeypatch.setenv("BIP_OFFLINE", "1")
    result = bip("-w", str(ws), "read", "add", "1706.03762")
    assert (
        "offline: added arxiv-1706.03762 from its identifier; `bip read sync` will complete it"
        in result.stderr
    )
    assert fake.seen == []
    monkeypatch.delenv("BIP_OFFLINE")
    for name in ("BIP_ARXIV_API_URL", "BIP_CROSSREF_API_URL", "BIP_S2_API_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9/closed")
    result = bip("-w", str(ws), "read", "add", "10.1145/3600006.3613165")
    assert "Crossref unreachable (connection refused)" in result.stderr
    assert "`bip read sync` will complete it" in result.stderr and "Traceback" not in result.stderr
    assert entry(ws, "doi-3600006.3613165").title == "doi:10.1145/3600006.3613165"
    result = bip("-w", str(ws), "read", "add", "2106.09685")
    assert (
        "arXiv unreachable (connection refused), and nothing is cached for arXiv:2106.09685:"
        in result.stderr
    )
    assert "id_list" not in result.stderr  # the query string is bip's business, not the user's


def test_a_bad_base_url_is_a_clear_error(bip, ws: Path, fake: FakePapers, monkeypatch):
    monkeypatch.setenv("BIP_ARXIV_API_URL", "export.arxiv.org/api/query")
    result = bip("-w", str(ws), "read", "add", "1706.03762", code=2)
    assert "'export.arxiv.org/api/query' is not a base URL for arXiv" in result.stderr


# --- read sync ---------------------------------------------------------------------------------


def test_sync_completes_papers_and_keeps_what_the_user_wrote(
    bip, papers_ws: Path, fake: FakePapers
):
    result = bip("-w", str(papers_ws), "read", "sync")
    text = (papers_ws / "reading_list.yaml").read_text(encoding="utf-8")
    assert "title: Attention Is All You Need   # my title, keep it" in text
    assert "  # papers I read\n" in text
    attention = entry(papers_ws, "attention")
    assert attention.authors[0] == "Ashish Vaswani" and attention.primary_class == "cs.CL"
    assert attention.venue == "Neural Information Processing Systems"  # from Semantic Scholar
    flash = entry(papers_ws, "flash")
    assert flash.title.startswith("FlashAttention: Fast") and flash.year == 2022
    assert entry(papers_ws, "vllm-paper").pages == "611-626"
    assert entry(papers_ws, "mystery").authors == ["Nobody Known"]  # arXiv knows it
    # one arXiv request for all arXiv ids, one Crossref request per DOI, one batch for venues
    assert len(fake.to("arxiv")) == 1 and len(fake.to("crossref")) == 1
    assert len(fake.to("s2")) == 1
    assert "flash: filled title, authors, year, venue, primary_class" in result.stdout
    # a second sync asks nothing: every answer is in the cache
    seen = len(fake.seen)
    again = bip("-w", str(papers_ws), "read", "sync")
    assert len(fake.seen) == seen and "nothing missing in 4 papers; 0 requests" in again.stdout


def test_sync_json_reports_both_halves(bip, papers_ws: Path, fake: FakePapers):
    report = json.loads(bip("-w", str(papers_ws), "read", "sync", "--json").stdout)
    filled = {item["id"]: item["fields"] for item in report["papers"]["completed"]}
    assert filled["flash"] == ["title", "authors", "year", "venue", "primary_class"]
    assert report["papers"]["papers"] == 4 and report["papers"]["requests"] == 3
    assert report["repos"] == [] and report["requests"] == 0


def test_sync_overwrite_replaces_only_the_named_field(bip, papers_ws: Path, fake: FakePapers):
    bip("-w", str(papers_ws), "read", "sync")
    path = papers_ws / "reading_list.yaml"
    path.write_text(path.read_text().replace("year: 2022", "year: 2021"), encoding="utf-8")
    bip("-w", str(papers_ws), "read", "sync")
    assert entry(papers_ws, "flash").year == 2021  # written by hand now: kept
    bip("-w", str(papers_ws), "read", "sync", "--overwrite", "year")
    assert entry(papers_ws, "flash").year == 2022
    assert entry(papers_ws, "attention").title == "Attention Is All You Need"
    result = bip("-w", str(papers_ws), "read", "sync", "--overwrite", "yaer", code=2)
    assert "did you mean 'year'?" in result.stderr


# --- graph and suggest -------------------------------------------------------------------------


def test_graph_json_has_the_documented_shape(bip, papers_ws: Path, fake: FakePapers):
    result = bip("-w", str(papers_ws), "read", "graph", "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"nodes", "edges", "source", "as_of"}
    assert data["source"] == "Semantic Scholar" and len(data["as_of"]) == 10
    assert [n["id"] for n in data["nodes"]] == ["attention", "flash", "vllm-paper", "mystery"]
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == [
        ("flash", "attention"),
        ("vllm-paper", "attention"),
        ("vllm-paper", "flash"),
    ]
    mystery = data["nodes"][3]
    assert mystery["s2_id"] is None and "does not know 1: mystery" in result.stderr
    assert data["nodes"][0]["citation_count"] == 120000
    batch = fake.to("s2")
    assert len(batch) == 1 and batch[0].method == "POST"
    assert sorted(batch[0].body["ids"]) == [
        "ARXIV:1706.03762",
        "ARXIV:2205.14135",
        "ARXIV:2501.00001",
        "DOI:10.1145/3600006.3613165",
    ]


def test_graph_is_cached_and_answers_offline(bip, papers_ws: Path, fake: FakePapers, monkeypatch):
    first = bip("-w", str(papers_ws), "read", "graph")
    assert first.stdout.startswith("graph LR\n")
    assert "p1 --> p0" in first.stdout  # flash cites attention
    assert "classDef figure" in first.stdout and "class p1 figure" in first.stdout
    assert "1 request" in first.stderr and "1 requests" not in first.stderr
    seen = len(fake.seen)
    second = bip("-w", str(papers_ws), "read", "graph")
    assert (
        len(fake.seen) == seen and second.stdout == first.stdout and "0 requests" in second.stderr
    )
    offline = bip("-w", str(papers_ws), "read", "graph", "--offline", "--format", "dot")
    assert '"flash" -> "attention";' in offline.stdout and len(fake.seen) == seen
    filtered = bip("-w", str(papers_ws), "read", "graph", "--figure", "tri-dao", "--format", "json")
    assert [n["id"] for n in json.loads(filtered.stdout)["nodes"]] == ["flash"]


def test_graph_offline_with_nothing_cached_exits_3(bip, papers_ws: Path, fake: FakePapers):
    result = bip("-w", str(papers_ws), "read", "graph", "--offline", code=3)
    assert "--offline, and nothing is cached for citations of 4 papers" in result.stderr
    assert "run once with Semantic Scholar reachable" in result.stderr
    assert fake.seen == []


def test_suggest_ranks_papers_connected_to_two_entries(bip, papers_ws: Path, fake: FakePapers):
    data = json.loads(bip("-w", str(papers_ws), "read", "suggest", "--json").stdout)
    got = [(s["title"].split(":")[0], s["because"]) for s in data["suggestions"]]
    assert got == [
        ("Adam", ["attention", "vllm-paper"]),  # cited by both (150,000 citations first)
        ("Sequence to Sequence Learning with Neural Networks", ["attention", "flash"]),
        ("FlashAttention-2", ["attention", "flash"]),  # cites both
    ]
    fa2 = data["suggestions"][2]
    assert fa2["cites"] == ["attention", "flash"] and fa2["cited_by"] == []
    assert fa2["arxiv"] == "2307.08691"
    assert fa2["add"] == "bip read add https://arxiv.org/abs/2307.08691"
    assert data["source"] == "Semantic Scholar" and data["as_of"]
    # one batch, then one citations request per paper Semantic Scholar knows
    assert len(fake.to("s2")) == 1 + 3
    text = bip("-w", str(papers_ws), "read", "suggest", "--limit", "1").stdout
    assert text.startswith("1. Adam: A Method for Stochastic Optimization (2014)\n")
    assert "150,000 citations (Semantic Scholar, as of " in text
    assert "2. " not in text


def test_suggest_never_suggests_what_is_listed_under_any_identifier(
    bip, papers_ws: Path, fake: FakePapers
):
    path = papers_ws / "reading_list.yaml"
    # Adam listed by its arXiv DOI, seq2seq by an arXiv pdf URL: both are on the list already
    path.write_text(
        path.read_text()
        + "  - id: adam\n    kind: paper\n    title: Adam\n    doi: 10.48550/arXiv.1412.6980\n"
        + "  - id: s2s\n    kind: paper\n    title: Seq2seq\n    url: https://arxiv.org/pdf/1409.3215v3\n",
        encoding="utf-8",
    )
    data = json.loads(bip("-w", str(papers_ws), "read", "suggest", "--json").stdout)
    assert [s["arxiv"] for s in data["suggestions"]] == ["2307.08691"]


# --- the clients: batching, pacing, rate limits, secrets --------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def services(fake: FakePapers, tmp_path: Path, clock: Clock, **kw) -> fetch.Services:
    env = fake.env()
    return fetch.make_services(
        env["BIP_ARXIV_API_URL"],
        env["BIP_CROSSREF_API_URL"],
        env["BIP_S2_API_URL"],
        tmp_path / ".bip",
        sleep=clock.sleep,
        clock=clock,
        **kw,
    )


def test_arxiv_requests_are_batched_and_paced_across_processes(fake: FakePapers, tmp_path: Path):
    clock = Clock()
    svc = services(fake, tmp_path, clock)
    ids = [f"2301.{n:05d}" for n in range(150)] + ["1706.03762"]
    found = fetch.fetch_arxiv(svc, ids)
    assert list(found) == ["1706.03762"]  # the others are arXiv's error entries
    assert [len(s.query["id_list"].split(",")) for s in fake.to("arxiv")] == [100, 51]
    assert clock.slept == [3.0]  # the second request waited for arXiv's 3 seconds
    # another process (another Services, same .bip/) one second later waits the other two
    clock.now += 1
    other = services(fake, tmp_path, clock)
    fetch.fetch_arxiv(other, ["1409.3215"])
    assert clock.slept == [3.0, 2.0]
    # answers in the cache need no turn
    fetch.fetch_arxiv(other, ["1409.3215"])
    assert clock.slept == [3.0, 2.0] and len(fake.to("arxiv")) == 3


def test_pacer_shares_its_stamp_between_processes(tmp_path: Path):
    clock = Clock()
    stamp = tmp_path / "arxiv.last"
    first, second = (Pacer(stamp, clock=clock, sleep=clock.sleep) for _ in range(2))
    with first.turn():
        pass
    clock.now += 0.5
    with second.turn():
        pass
    assert clock.slept == [2.5]


def test_semantic_scholar_batches_500_ids_a_request(fake: FakePapers, tmp_path: Path):
    svc = services(fake, tmp_path, Clock())
    ids = [f"ARXIV:2401.{n:05d}" for n in range(1200)] + ["ARXIV:1706.03762"]
    works = fetch.fetch_works(svc, ids)
    assert [len(s.body["ids"]) for s in fake.to("s2")] == [500, 500, 201]
    assert works["ARXIV:2401.00000"] is None and works["ARXIV:1706.03762"].year == 2017


def test_a_429_with_retry_after_is_waited_out_within_max_wait(fake: FakePapers, tmp_path: Path):
    clock = Clock()
    fake.script["/s2/graph/v1/paper/batch"] = [
        (429, {"Retry-After": "2"}, '{"message": "Too Many Requests"}')
    ]
    svc = services(fake, tmp_path, clock)
    works = fetch.fetch_works(svc, ["ARXIV:1706.03762"])
    assert works["ARXIV:1706.03762"] is not None
    assert clock.slept == [2.0] and len(fake.to("s2")) == 2


def test_a_retry_after_beyond_max_wait_stops_with_exit_4(bip, papers_ws: Path, fake: FakePapers):
    fake.script["/s2/graph/v1/paper/batch"] = [(429, {"Retry-After": "3600"}, "{}")]
    result = bip("-w", str(papers_ws), "read", "graph", code=4)
    assert "Semantic Scholar asks bip to wait 1 h before citations of 4 papers" in result.stderr
    assert len(fake.to("s2")) == 1


def test_the_s2_api_key_is_sent_and_never_stored(
    bip, papers_ws: Path, fake: FakePapers, monkeypatch
):
    monkeypatch.setenv("S2_API_KEY", "s2-secret-key-123")
    bip("-w", str(papers_ws), "read", "graph")
    assert fake.to("s2")[0].headers["X-Api-Key"] == "s2-secret-key-123"
    assert all(
        "x-api-key" not in {k.lower() for k in s.headers}
        for s in fake.to("arxiv") + fake.to("crossref")
    )
    stored = [path for path in papers_ws.rglob("*") if path.is_file()]
    assert any(path.suffix == ".sqlite" for path in stored)  # the cache was written
    for path in stored:
        assert b"s2-secret-key-123" not in path.read_bytes(), path
