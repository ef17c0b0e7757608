"""Benchmark (not a test): `bip read import` of a 5,000-entry .bib, each command in a fresh
process (median of a few runs; BENCH_RUNS sets how many), against the floor: bibtexparser's own
parse of the same file, also in a fresh process (`import bibtexparser; parse_string(...)`).
The ratio `read import` (adds and writes every entry) / that parse is the figure that counts
(issue 21: <= 3x).

Every entry carries LaTeX (an accent in the title and in a name, braces, `--` in the pages)
and an abstract, the worst case for decoding; keys, DOIs and arXiv ids are all distinct, so
the first import adds 10,000 entries and the second finds each one already in the list.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "5000"))
FLOOR = "import sys, bibtexparser; bibtexparser.parse_string(open(sys.argv[1]).read())"


def library(count: int) -> str:
    blocks = []
    for n in range(count):
        kind = ("article", "inproceedings", "misc", "book")[n % 4]
        link = (
            f"eprint = {{{2001 + n // 10000:02d}{(n // 100) % 12 + 1:02d}.{n:05d}}},"
            " archivePrefix = {arXiv},"
            if kind == "misc"
            else f"doi = {{10.{1000 + n % 50}/bench.{n}}},"
        )
        blocks.append(
            f"@{kind}{{key{n},\n"
            f'  title = {{A {{Study}} of M{{\\"u}}ller Things, Part {n}}},\n'
            f'  author = {{Smith{n % 300}, John and M{{\\"u}}ller, J{{\\"o}}rg and {{DeepSeek-AI}}}},\n'
            f"  journal = {{Journal {n % 20}}},\n  publisher = {{Pub}},\n"
            f"  pages = {{1--{n + 1}}},\n  year = {{{1990 + n % 35}}},\n  {link}\n"
            f"  abstract = {{{'An abstract word ' * 30}}},\n}}\n"
        )
    return "\n".join(blocks)


def timed(args: list[str], cwd: Path, command: list[str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*(command or [sys.executable, "-m", "toolkit"]), *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "BIP_OFFLINE": "1", "PYTHONPATH": str(ROOT)},
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        bib = base / "library.bib"
        bib.write_text(library(ENTRIES), encoding="utf-8")
        ws = base / "ws"
        subprocess.run(
            [sys.executable, "-m", "toolkit", "init", str(ws)],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        fresh = (ws / "reading_list.yaml").read_bytes()
        rows: dict[str, list[float]] = {"floor": [], "dry": [], "first": [], "again": []}
        for _ in range(RUNS):
            rows["floor"].append(timed([str(bib)], base, [sys.executable, "-c", FLOOR]))
            (ws / "reading_list.yaml").write_bytes(fresh)
            rows["dry"].append(
                timed(["-w", str(ws), "read", "import", str(bib), "--dry-run"], base)
            )
            rows["first"].append(timed(["-w", str(ws), "read", "import", str(bib)], base))
            once = (ws / "reading_list.yaml").read_bytes()
            rows["again"].append(timed(["-w", str(ws), "read", "import", str(bib)], base))
            assert (ws / "reading_list.yaml").read_bytes() == once, "import is not idempotent"
        size = bib.stat().st_size / 1e6
        print(f"{ENTRIES:,} .bib entries ({size:.1f} MB), median of {RUNS} runs:\n")
        floor = statistics.median(rows["floor"])
        print("| command | median | / bibtexparser |\n|---|---|---|")
        for label, key in (
            ("bibtexparser's own parse (the floor)", "floor"),
            ("`read import --dry-run`", "dry"),
            ("`read import` (adds and writes every entry)", "first"),
            ("`read import` again (nothing changes)", "again"),
        ):
            median = statistics.median(rows[key])
            print(f"| {label} | {median:.2f} s | {median / floor:.1f}x |")
        shutil.rmtree(ws)


if __name__ == "__main__":
    main()
