"""Benchmark (not a test): the check-in's git scan over 50 repos and over a 20,000-commit repo.

Repos are built with `git fast-import` (seconds, not minutes). Prints a Markdown table of
median wall times over a few runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.git import scan  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
NOW = datetime.now(timezone.utc)


def fast_import(path: Path, commits: int, recent: int, now: int | None = None) -> None:
    """A repo with `commits` commits an hour apart, the last `recent` of them within a day of
    `now` (a Unix time; default: when the benchmark started)."""
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    lines = []
    now = int(NOW.timestamp()) if now is None else now
    start = now - (commits + 48) * 3600  # the older ones: more than 2 days ago
    for n in range(commits):
        when = start + n * 3600 if n < commits - recent else now - (commits - n) * 60
        email = "you@example.com" if n % 3 == 0 else "other@example.org"
        content = f"commit {n}\n"
        lines += [
            "commit refs/heads/main",
            f"mark :{n + 1}",
            f"author A <{email}> {when} +0000",
            f"committer A <{email}> {when} +0000",
            f"data {len(f'change {n}')}",
            f"change {n}",
        ]
        if n:
            lines.append(f"from :{n}")
        lines += [
            f"M 644 inline file{n % 50}.txt",
            f"data {len(content)}",
            content.rstrip("\n"),
            "",
        ]
    data = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=data, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)


def timed(fn) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in range(50):
            fast_import(root / "many" / f"repo{n:02d}", commits=40, recent=3)
        fast_import(root / "big" / "big", commits=20_000, recent=10)
        since = NOW - timedelta(hours=24)
        emails = ["you@example.com"]
        many = timed(lambda: scan(["many/*"], root, emails, since))
        big = timed(lambda: scan(["big/*"], root, emails, since))
        found_many = sum(len(r.commits) for r in scan(["many/*"], root, emails, since))
        found_big = sum(len(r.commits) for r in scan(["big/*"], root, emails, since))
        week = timed(lambda: scan(["big/*"], root, emails, NOW - timedelta(days=7)))
        everything = timed(lambda: scan(["big/*"], root, emails, NOW - timedelta(days=5 * 365)))
        found_all = sum(
            len(r.commits) for r in scan(["big/*"], root, emails, NOW - timedelta(days=5 * 365))
        )
    print(f"median of {RUNS} runs\n")
    print("| check-in git scan | commits found | median |")
    print("|---|---|---|")
    print(f"| 50 repos x 40 commits, last 24 h | {found_many} | {many * 1000:.0f} ms |")
    print(f"| one 20,000-commit repo, last 24 h | {found_big} | {big * 1000:.0f} ms |")
    print(f"| one 20,000-commit repo, last 7 days | - | {week * 1000:.0f} ms |")
    whole = "one 20,000-commit repo, whole history (for comparison)"
    print(f"| {whole} | {found_all} | {everything * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
