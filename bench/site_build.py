"""Benchmark (not a test): `bip site build` on a year of journal, 50 posts and 20 runs.

Floor: Hugo alone rebuilding the same Hugo project bip wrote (the engine must run) plus
`bip --version` (Python and bip must start). Rows, each a fresh `bip` process, median of --runs:

- cold: no `.bip/site/` and no `.bip/cache/curves/` yet (every loss curve drawn, every file
  written);
- warm: nothing changed since the last build (the case after a check-in with no new run);
- new run: one run added since the last build (one curve drawn).

    python bench/site_build.py
    python bench/site_build.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.sitework import add_run, make_public_workspace  # noqa: E402
from toolkit.site.build import hugo_binary, theme_dir  # noqa: E402

BIP = str(Path(sys.executable).with_name("bip"))


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # bip as installed: Python's bytecode cache on (pip compiles on install), whatever this
    # shell says; otherwise each case also pays for compiling bip's modules from source.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BIP_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["BIP_NOW"] = "2026-11-23T21:30:00+08:00"
    with tempfile.TemporaryDirectory() as tmp:
        ws = make_public_workspace(Path(tmp) / "ws", days=365, posts=50, runs=20)
        build = [BIP, "-w", str(ws), "site", "build"]
        cold, warm, fresh, floor = [], [], [], []
        for n in range(args.runs):
            shutil.rmtree(ws / ".bip" / "site", ignore_errors=True)
            shutil.rmtree(ws / ".bip" / "cache" / "curves", ignore_errors=True)
            cold.append(timed(build, env))
            warm.append(timed(build, env))
            add_run(ws, 100 + n)
            fresh.append(timed(build, env))
            hugo = [
                hugo_binary(), "--source", str(ws / ".bip" / "site"), "--destination",
                str(Path(tmp) / "floor"), "--themesDir", str(theme_dir().parent), "--theme",
                theme_dir().name, "--quiet", "--noBuildLock",
            ]  # fmt: skip
            floor.append(timed(hugo, env) + timed([BIP, "--version"], env))
        base = statistics.median(floor)
        print(f"bip site build: 365 journal days, 50 posts, 20 runs (median of {args.runs})")
        print(f"{'case':<10} {'seconds':>8} {'x floor':>8}")
        print(f"{'floor':<10} {base:8.2f} {1:8.1f}")
        for name, values in (("cold", cold), ("warm", warm), ("new run", fresh)):
            median = statistics.median(values)
            print(f"{name:<10} {median:8.2f} {median / base:8.1f}")


if __name__ == "__main__":
    main()
