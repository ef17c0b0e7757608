"""Benchmark (not a test): HTTP requests each papers command makes, cold and warm.

Runs the real commands (`toolkit.cli.run`) in a fresh workspace against the fake arXiv, Crossref
and Semantic Scholar the tests use (a real HTTP server on 127.0.0.1), and counts what reaches
each service. The list holds 20 arXiv papers and 5 DOI-only papers that cite each other; a
second list of 5,000 papers shows the batching of `read graph`.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_httpserver import HTTPServer  # noqa: E402

from tests.fakepapers import FakePapers, Paper  # noqa: E402
from toolkit.cli import run  # noqa: E402
from toolkit.workspace import init_workspace  # noqa: E402

ARXIV = [f"2301.{n:05d}" for n in range(20)]
DOIS = [f"10.1145/3600006.{n}" for n in range(5)]
OUTSIDE = [f"1999.{n:05d}" for n in range(10)]  # cited by several listed papers, not listed


def world(fake: FakePapers) -> None:
    outside = [
        fake.add(Paper(a, f"Classic paper {n}", [f"Ada Classic{n}"], 2010, citation_count=5000 + n))
        for n, a in enumerate(OUTSIDE)
    ]
    listed: list[Paper] = []
    for n, ident in enumerate(ARXIV):
        refs = [p.s2 for p in listed[-3:]] + [outside[n % 10].s2, outside[(n + 1) % 10].s2]
        listed.append(
            fake.add(
                Paper(
                    ident,
                    f"Listed arXiv paper {n}",
                    ["Tri Dao", "Ann Other"],
                    2023,
                    references=refs,
                )
            )
        )
    for n, doi in enumerate(DOIS):
        refs = [listed[n].s2, outside[n].s2]
        listed.append(
            fake.add(
                Paper(
                    None, f"Listed journal paper {n}", ["Woosuk Kwon"], 2023, doi=doi,
                    venue="SOSP", pages="1-12", references=refs,
                )
            )
        )  # fmt: skip


def reading_list(arxiv_ids: list[str], dois: list[str]) -> str:
    lines = ["version: 1", "entries:"]
    for n, ident in enumerate(arxiv_ids):
        lines += [
            f"  - id: a{n}",
            "    kind: paper",
            f"    title: arXiv:{ident}",
            f"    arxiv: '{ident}'",
        ]
    for n, doi in enumerate(dois):
        lines += [f"  - id: d{n}", "    kind: paper", f"    title: doi:{doi}", f"    doi: {doi}"]
    return "\n".join(lines) + "\n"


def bip(ws: Path, *args: str) -> int:
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return run(["-w", str(ws), *args])


def counted(fake: FakePapers, ws: Path, *args: str) -> dict[str, int]:
    before = {s: len(fake.to(s)) for s in ("arxiv", "crossref", "s2")}
    code = bip(ws, *args)
    assert code == 0, args
    return {s: len(fake.to(s)) - before[s] for s in before}


def main() -> None:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        fake = FakePapers(server)
        world(fake)
        os.environ.update(fake.env())
        os.environ.pop("BIP_OFFLINE", None)
        os.environ["GITHUB_API_URL"] = f"{fake.base}/github"
        rows: list[tuple[str, dict[str, int]]] = []
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp) / "ws"
            init_workspace(ws)
            (ws / "reading_list.yaml").write_text(reading_list(ARXIV[1:], DOIS[1:]))
            rows.append(("`read add` an arXiv id", counted(fake, ws, "read", "add", ARXIV[0])))
            rows.append(("`read add` a DOI", counted(fake, ws, "read", "add", DOIS[0])))
            rows.append(
                ("`read sync`, 23 papers without metadata", counted(fake, ws, "read", "sync"))
            )
            rows.append(("`read sync` again", counted(fake, ws, "read", "sync")))
            rows.append(("`read graph`, 25 papers, cold", counted(fake, ws, "read", "graph")))
            rows.append(("`read graph` again", counted(fake, ws, "read", "graph")))
            rows.append(("`read graph --offline`", counted(fake, ws, "read", "graph", "--offline")))
            rows.append(
                ("`read suggest`, cold (after `graph`)", counted(fake, ws, "read", "suggest"))
            )
            rows.append(("`read suggest` again", counted(fake, ws, "read", "suggest")))
            big = Path(tmp) / "big"
            init_workspace(big)
            many = [f"2402.{n:05d}" for n in range(5000)]
            (big / "reading_list.yaml").write_text(reading_list(many, []))
            rows.append(("`read graph`, 5,000 papers", counted(fake, big, "read", "graph")))
        print("| command | arXiv | Crossref | Semantic Scholar |")
        print("|---|---|---|---|")
        for name, n in rows:
            print(f"| {name} | {n['arxiv']} | {n['crossref']} | {n['s2']} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
