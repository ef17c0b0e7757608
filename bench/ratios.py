"""Benchmark (not a test): bip against the physical floor of each job, side by side.

Every row runs a floor command A and a bip command B in alternation (A B A B ..., --pairs pairs),
each in a fresh process, and reports the median of each, the median of the per-pair ratios B/A
(robust to a machine that other work slows down: both halves of a pair see the same load) and
bip's peak memory (max RSS). Floors:

- start-up: `python -c "import typer"` (Python and the CLI library must load);
- reading list: a Python process that reads the same file and pulls every event out of libyaml's
  C parser (the file must be read and tokenised once);
- check-in: a shell loop of the same git calls for every repo, plus `bip --version`.

Reading lists are generated (bench/listgen.py) at 500, 5,000 and 50,000 entries, so the table
shows how cost grows. "warm" runs find the parse cache in .bip/ filled by an earlier run; "cold"
runs delete it first. Edits (done, note) restore the original file and its warm cache before
every run.

    python bench/ratios.py                  # everything, 7 pairs
    python bench/ratios.py --sizes 5000 --only list,edit --pairs 5
    python bench/ratios.py --bip /path/to/other/bip   # compare another build
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.checkin import fast_import  # noqa: E402
from bench.listgen import write as write_list  # noqa: E402

PY = sys.executable
FLOOR_IMPORT = [PY, "-c", "import typer"]
FLOOR_EVENTS = """
import sys
from ruamel.yaml.cyaml import CParser
with open(sys.argv[1], encoding="utf-8") as fh:
    parser = CParser(fh.read())
while parser.check_event():
    parser.get_event()
"""


@dataclass
class Row:
    label: str
    floor: str
    a: list[float]
    b: list[float]
    rss_mb: float

    @property
    def ratio(self) -> float:
        return statistics.median(b / a for a, b in zip(self.a, self.b, strict=True))


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run; output discarded (a pipe, not a terminal)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, shell=False
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {err}")
    if proc.stderr:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def pairs(
    label: str,
    floor_label: str,
    a: list[str],
    b: list[str],
    cwd: Path,
    env: dict[str, str],
    n: int,
    before_b: Callable[[], None] | None = None,
) -> Row:
    times_a, times_b, rss = [], [], []
    for _ in range(n):
        times_a.append(timed(a, cwd, env)[0])
        if before_b:
            before_b()
        seconds, peak = timed(b, cwd, env)
        times_b.append(seconds)
        rss.append(peak)
    row = Row(label, floor_label, times_a, times_b, max(rss))
    print(
        f"  {label}: {statistics.median(times_b) * 1000:.0f} ms vs "
        f"{statistics.median(times_a) * 1000:.0f} ms -> {row.ratio:.2f}x",
        file=sys.stderr,
    )
    return row


def compile_package(bip: str) -> None:
    """Byte-compile the `toolkit` package the `bip` script runs, as pip does when it installs a
    wheel and Python does on a first run. Without it, an editable install under
    PYTHONDONTWRITEBYTECODE=1 (this machine sets it) compiles every module from source on every
    run, and the floors' libraries (installed wheels) do not: that measures the set-up, not bip."""
    python = Path(bip).resolve().parent / "python"
    if not python.exists():
        python = Path(PY)
    code = (
        "import compileall, os, toolkit; "
        "compileall.compile_dir(os.path.dirname(toolkit.__file__), quiet=1)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(python), "-c", code], check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--only", default="startup,list,edit,checkin,github")
    parser.add_argument("--bip", default=str(Path(PY).parent / "bip"))
    args = parser.parse_args()
    only = set(args.only.split(","))
    bip = args.bip
    compile_package(bip)
    n = args.pairs
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BIP_", "GH_", "GITHUB_"))}
        env.update(HOME=str(root / "home"), BIP_OFFLINE="1", NO_COLOR="1")
        (root / "home").mkdir()
        if "startup" in only:
            ws = root / "repo-list"
            ws.mkdir()
            shutil.copy(ROOT / "reading_list.yaml", ws / "reading_list.yaml")
            rows.append(
                pairs(
                    "`bip --version`", "import typer", FLOOR_IMPORT, [bip, "--version"], ws, env, n
                )
            )
            timed([bip, "read", "list"], ws, env)  # fill the parse cache
            rows.append(
                pairs(
                    "`bip read list` (this repository's list)",
                    "import typer",
                    FLOOR_IMPORT,
                    [bip, "read", "list"],
                    ws,
                    env,
                    n,
                )
            )
        for size in [int(s) for s in args.sizes.split(",") if s]:
            if not ({"list", "edit"} & only):
                break
            ws = root / f"list{size}"
            ws.mkdir()
            path = ws / "reading_list.yaml"
            write_list(path, size)
            original = path.read_bytes()
            floor = [PY, "-c", FLOOR_EVENTS, str(path)]
            cache = ws / ".bip"
            shown = f"{size:,} entries ({len(original) / 1e6:.1f} MB)"

            def reset(path: Path = path, original: bytes = original, ws: Path = ws) -> None:
                """The original file and the warm cache of it (an edit caches what it wrote)."""
                path.write_bytes(original)
                shutil.rmtree(ws / ".bip" / "cache", ignore_errors=True)
                if (ws / "warm-cache").exists():
                    shutil.copytree(ws / "warm-cache", ws / ".bip" / "cache")

            def cold(cache: Path = cache) -> None:
                shutil.rmtree(cache, ignore_errors=True)

            timed([bip, "read", "list"], ws, env)  # fill the parse cache
            if "list" in only:
                for label, cmd in (
                    ("read list", ["read", "list"]),
                    ("read list --status reading", ["read", "list", "--status", "reading"]),
                    ("read validate", ["read", "validate"]),
                ):
                    rows.append(
                        pairs(
                            f"`bip {label}`, {shown}, warm",
                            "libyaml events",
                            floor,
                            [bip, *cmd],
                            ws,
                            env,
                            n,
                        )
                    )
                rows.append(
                    pairs(
                        f"`bip read list`, {shown}, cold",
                        "libyaml events",
                        floor,
                        [bip, "read", "list"],
                        ws,
                        env,
                        n,
                        cold,
                    )
                )
                timed([bip, "read", "list"], ws, env)
            if "edit" in only:
                shutil.rmtree(ws / "warm-cache", ignore_errors=True)
                shutil.copytree(cache / "cache", ws / "warm-cache")
                middle = size // 2 - (size // 2) % 6  # listgen: entry-N is todo when N % 6 == 0
                target = f"entry-{middle}"
                for label, cmd in (
                    (f"read done {target}", ["read", "done", target]),
                    (f"read note {target} TEXT", ["read", "note", target, "tried it on 1 GPU"]),
                    (
                        "read add URL",
                        [
                            "read",
                            "add",
                            "https://example.org/new",
                            "--kind",
                            "post",
                            "--title",
                            "N",
                        ],
                    ),
                ):
                    rows.append(
                        pairs(
                            f"`bip {label}`, {shown}",
                            "libyaml events",
                            floor,
                            [bip, *cmd],
                            ws,
                            env,
                            n,
                            reset,
                        )
                    )
                reset()
        if "checkin" in only:
            ws = root / "checkin"
            (ws / "repos").mkdir(parents=True)
            (ws / "reading_list.yaml").write_text("version: 1\nentries: []\n")
            (ws / "bip.toml").write_text(
                '[git]\nemails = ["you@example.com"]\nrepos = ["repos/*"]\n'
            )
            now = int(time.time())
            repos = []
            for r in range(50):
                fast_import(ws / "repos" / f"repo{r:02d}", commits=40, recent=3, now=now)
                repos.append(ws / "repos" / f"repo{r:02d}")
            since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 86400))
            loop = "".join(
                f"git -C {p} log --since={since} --all --no-merges --numstat "
                f"--author=you@example.com --format=%H%x1f%aI%x1f%ae%x1f%s >/dev/null; "
                f"git -C {p} for-each-ref --format='%(refname:short)' refs/heads >/dev/null; "
                for p in repos
            )
            floor = ["sh", "-c", f"{loop}{bip} --version >/dev/null"]
            rows.append(
                pairs(
                    "`bip checkin --offline --dry-run`, 50 repos",
                    "git loop + bip --version",
                    floor,
                    [bip, "checkin", "--offline", "--dry-run"],
                    ws,
                    env,
                    n,
                )
            )
    print(f"A B A B ..., {n} pairs, medians; ratio = median of the pairs' B/A\n")
    print("| bip (B) | floor (A) | B | A | B/A | peak memory |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.label} | {row.floor} | {statistics.median(row.b) * 1000:,.0f} ms "
            f"| {statistics.median(row.a) * 1000:,.0f} ms | {row.ratio:.2f}x | {row.rss_mb:.0f} MB |"
        )
    if "github" in only:
        print()
        subprocess.run([PY, str(HERE / "github_requests.py")], check=True)


if __name__ == "__main__":
    main()
