"""Benchmark (not a test): `bip run` on a command printing a long training log.

The floor A is the command alone with its output to a file; B is `bip run -- the command` with
bip's output to a file (bip tees the log to runs/<id>/log.txt, parses it while the command runs
and streams metrics.csv). A and B run in alternation (A B A B ..., --pairs pairs), each in a
fresh process; the table gives the medians, the median of the per-pair ratios B/A (both halves
of a pair see the same load on a shared machine) and the peak memory (max RSS) of bip's process
tree as wait4() reports it: the largest of bip and the command, so an upper bound on bip's own.

The command is a Python script printing nanoGPT's lines (train.py's print statements: an
`iter N: loss ..., time ...ms, mfu ...%` line per step, `step N: train loss ..., val loss ...`
every 1,000) as fast as it can: the hardest case for bip, which must keep up with it. With
`--trainer llmc` it prints llm.c's train_gpt2.cu lines instead (`step N/M | loss ... | norm ...
| lr ... | ... ms | ...% bf16 MFU | ... tok/s`, `val loss ...` every 1,000), which bip reads a
line at a time (nanoGPT's are read a chunk at a time: toolkit/runs/chunked.py).

    python bench/run_log.py                      # 1,000,000 lines, 3 pairs
    python bench/run_log.py --lines 100000 --pairs 5 --trainer llmc
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys
n = int(sys.argv[1])
print("tokens per iteration will be: 491,520")
w = sys.stdout.write
for it in range(n):
    if it % 1000 == 0:
        w(f"step {it}: train loss {3 + 8 / (it + 1):.4f}, val loss {3.05 + 8 / (it + 1):.4f}\n")
    w(f"iter {it}: loss {3 + 8 / (it + 1):.4f}, time {170 + it % 7:.2f}ms, mfu {38 + (it % 5) / 10:.2f}%\n")
"""

LLMC = r"""
import sys
n = int(sys.argv[1])
print("total_batch_size=524288")
w = sys.stdout.write
for it in range(n):
    if it % 1000 == 0:
        w(f"val loss {3.05 + 8 / (it + 1):.6f}\n")
    w(f"step {it + 1:4d}/{n} | loss {3 + 8 / (it + 1):.6f} (+0.00z)| norm {1 + it % 3 / 10:6.4f}"
      f" (+0.00z)| lr {6e-4 * (1 - it / n):.2e} | {170 + it % 7:.2f} ms | {38 + it % 5 / 10:.1f}%"
      f" bf16 MFU | {524288 / ((170 + it % 7) / 1000):.0f} tok/s\n")
"""
CHILDREN = {"nanogpt": CHILD, "llmc": LLMC}


def timed(argv: list[str], out: Path, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, max RSS in MiB of the process tree)."""
    with out.open("wb") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:4]}... exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--lines", type=int, default=1_000_000)
    args.add_argument("--pairs", type=int, default=3)
    args.add_argument("--trainer", choices=sorted(CHILDREN), default="nanogpt")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory(prefix="bip-bench-run-") as tmp:
        folder = Path(tmp)
        child = folder / "train.py"
        child.write_text(CHILDREN[opts.trainer])
        ws = folder / "ws"
        ws.mkdir()
        (ws / "bip.toml").write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
        env.update(BIP_WORKSPACE=str(ws), BIP_OFFLINE="1", PATH=f"{folder}:{env['PATH']}")
        command = [sys.executable, str(child), str(opts.lines)]
        bip = [sys.executable, "-m", "toolkit", "run", "--", *command]
        floor, ours, ratios, memory = [], [], [], []
        for _ in range(opts.pairs):
            a, _ = timed(command, folder / "a.txt", env, folder)
            b, rss = timed(bip, folder / "b.txt", env, folder)
            floor.append(a)
            ours.append(b)
            ratios.append(b / a)
            memory.append(rss)
        runs = sorted((ws / "runs").iterdir())
        rows = sum(1 for _ in (runs[-1] / "metrics.csv").open()) - 1
        print(
            f"{opts.lines:,} {opts.trainer} lines ({rows:,} rows in metrics.csv), {opts.pairs} pairs"
        )
        print(f"  command alone, output to a file   median {statistics.median(floor):6.2f} s")
        print(f"  bip run -- command, to a file     median {statistics.median(ours):6.2f} s")
        print(f"  ratio bip / alone                 median {statistics.median(ratios):6.2f}x")
        print(f"  peak memory (bip's process tree)  max    {max(memory):6.1f} MiB")


if __name__ == "__main__":
    main()
