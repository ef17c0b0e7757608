"""Benchmarks (not tests): start-up and reading-list commands on a generated 5,000-entry list.

Run with `make bench`. Prints a Markdown table of median wall times over several runs,
against `python -c pass` as the floor every command pays.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "5000"))
BIN = Path(sys.executable).parent


def generate(path: Path, entries: int) -> None:
    lines = ["# generated for the benchmark", "version: 1", "figures:"]
    for f in range(50):
        lines += [f"  - id: fig-{f}", f"    name: Figure {f}", f"    github: login{f}", ""]
    lines.append("entries:")
    kinds = ["paper", "repo", "course", "video"]
    for n in range(entries):
        kind = kinds[n % 4]
        lines += [
            f"  # entry {n}",
            f"  - id: entry-{n}",
            f"    kind: {kind}",
            f'    title: "Entry {n}"',
        ]
        if kind == "paper":
            lines.append(f"    arxiv: '2{n % 10}{(n // 10) % 10}1.{n:05d}'")
        elif kind == "repo":
            lines.append(f"    repo: owner{n % 97}/repo-{n}")
        else:
            lines.append(f"    url: https://example.org/{kind}/{n}")
        lines += [
            f"    figures: [fig-{n % 50}]",
            "    tags: [bench, generated]",
            "    status: todo",
            "",
        ]
    path.write_text("\n".join(lines))


def timed(args: list[str], cwd: Path, reset: Path | None = None, data: bytes = b"") -> float:
    samples = []
    for _ in range(RUNS):
        if reset is not None:
            reset.write_bytes(data)
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        path = ws / "reading_list.yaml"
        generate(path, ENTRIES)
        data = path.read_bytes()
        bip = str(BIN / "bip")
        rows = [
            ("python -c pass", timed([sys.executable, "-c", "pass"], ws)),
            ("bip --help", timed([bip, "--help"], ws)),
            (f"bip read list ({ENTRIES} entries)", timed([bip, "read", "list"], ws)),
            ("bip read validate", timed([bip, "read", "validate"], ws)),
            (
                "bip read done ID",
                timed([bip, "read", "done", f"entry-{ENTRIES // 2}"], ws, path, data),
            ),
        ]
    print(f"{len(data) / 1e6:.1f} MB reading list, {ENTRIES} entries; median of {RUNS} runs\n")
    print("| command | median |")
    print("|---|---|")
    for name, seconds in rows:
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
