"""Benchmark (not a test): `bip read import` of a 5,000-entry .bib against the floor,
bibtexparser's own parse of the same file (`import bibtexparser; parse_string(...)`).

Each round runs, each in a fresh process, the floor A and then bip's commands B: `read import
--dry-run`, `read import` into a fresh list (adds and writes every entry), and `read import`
again (finds every entry already there; the file must not change). The table gives each
command's median, the median of its per-round ratios B/A (both halves of a round see the same
load on a shared machine), the same ratio of CPU time (user + system: what the machine's other
work changes least) and bip's peak memory (max RSS). The ratio of `read import` (adds
and writes every entry) is the figure that counts (issue 21: <= 3x).

Every entry carries LaTeX (an accent in the title and in a name, braces, `--` in the pages)
and an abstract, the worst case for decoding; keys, DOIs and arXiv ids are all distinct, so
the first import adds every entry and the second finds each one already in the list.

    python bench/papers_import.py                  # 5,000 entries, 5 rounds
    python bench/papers_import.py --entries 10000 --pairs 3
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import sys, bibtexparser; bibtexparser.parse_string(open(sys.argv[1]).read())"


def library(count: int) -> str:
    blocks = []
    for n in range(count):
        kind = ("article", "inproceedings", "misc", "book")[n % 4]
        link = (
            f"eprint = {{{20 + n // 100000:02d}{(n // 100) % 12 + 1:02d}.{n:05d}}},"
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


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one run in a fresh process, output
    discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv[:6])}... failed")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--entries", type=int, default=5000)
    args.add_argument("--pairs", type=int, default=5)
    opts = args.parse_args()
    # byte-compiled, as an installed wheel is (this machine sets PYTHONDONTWRITEBYTECODE=1, and
    # bibtexparser, the floor, is an installed wheel)
    compileall.compile_dir(str(ROOT / "toolkit"), quiet=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_OFFLINE="1", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bip-bench-import-") as tmp:
        base = Path(tmp)
        bib = base / "library.bib"
        bib.write_text(library(opts.entries), encoding="utf-8")
        ws = base / "ws"
        subprocess.run(
            [sys.executable, "-m", "toolkit", "init", str(ws)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        listed = ws / "reading_list.yaml"
        fresh = listed.read_bytes()
        bip = [sys.executable, "-m", "toolkit", "-w", str(ws), "read", "import", str(bib)]
        commands = {
            "`read import --dry-run`": [*bip, "--dry-run"],
            "`read import` (adds and writes every entry)": bip,
            "`read import` again (nothing changes)": bip,
        }
        floor: list[tuple[float, float, float]] = []
        runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label in commands}
        for _ in range(opts.pairs):
            floor.append(timed([sys.executable, "-c", FLOOR, str(bib)], base, env))
            listed.write_bytes(fresh)
            written = b""
            for label, argv in commands.items():
                runs[label].append(timed(argv, base, env))
                if written and listed.read_bytes() != written:
                    raise SystemExit("import is not idempotent: the second import changed the file")
                written = listed.read_bytes() if listed.read_bytes() != fresh else b""
        size = bib.stat().st_size / 1e6
        print(
            f"{opts.entries:,} .bib entries ({size:.1f} MB), {opts.pairs} rounds (A B B B ...), "
            "medians; ratio = median of the rounds' B/A\n"
        )
        print(
            "| command | median | / bibtexparser | CPU time / bibtexparser's | peak memory |\n"
            "|---|---|---|---|---|"
        )
        wall, cpu = statistics.median(f[0] for f in floor), statistics.median(f[1] for f in floor)
        print(f"| bibtexparser's own parse (the floor) | {wall:.2f} s | 1 | 1 ({cpu:.2f} s) | |")
        for label, rows in runs.items():
            ratio = statistics.median(r[0] / f[0] for r, f in zip(rows, floor, strict=True))
            by_cpu = statistics.median(r[1] / f[1] for r, f in zip(rows, floor, strict=True))
            print(
                f"| {label} | {statistics.median(r[0] for r in rows):.2f} s | {ratio:.2f}x "
                f"| {by_cpu:.2f}x | {max(r[2] for r in rows):.0f} MiB |"
            )


if __name__ == "__main__":
    main()
