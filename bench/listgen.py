"""A realistic reading list of any size, for the benchmarks (not a test fixture).

What people write: section comments and end-of-line comments, quoted and plain titles, flow
lists (`tags: [a, b]`) and block lists (`authors:` with `- name` lines), one-line notes and
multi-line `|` notes, dates (added, started, finished), goals as flow mappings, figures with
channels. Deterministic: the same size gives the same bytes.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

FIGURES = 60
START = date(2024, 1, 1)
KINDS = ("paper", "repo", "course", "video", "book", "post")
STATUSES = ("todo", "todo", "todo", "reading", "done", "dropped")
TAGS = ("llm", "kernels", "training", "inference", "rl", "vision", "compilers", "from-scratch")


def _date(n: int, offset: int = 0) -> str:
    return (START + timedelta(days=(n * 7) % 700 + offset)).isoformat()


def _figure(f: int) -> list[str]:
    lines = [f"  - id: fig-{f}", f"    name: Figure Number {f}"]
    if f % 4 == 0:
        lines.append(f"    native_name: 图{f}")
    lines.append(f"    github: login-{f}")
    if f % 2 == 0:
        lines += ["    channels:", f"      x: https://x.com/fig{f}"]
    lines.append(f"    affiliations: [Lab {f % 7}, University {f % 5}]")
    lines += [f"    tags: [{TAGS[f % 8]}, {TAGS[(f + 3) % 8]}]", ""]
    return lines


def _entry(n: int) -> list[str]:
    kind = KINDS[n % len(KINDS)]
    status = STATUSES[n % len(STATUSES)]
    lines = []
    if n % 25 == 0:
        lines.append(f"  # --- section {n // 25}: things to read next ---")
    lines += [f"  - id: entry-{n}", f"    kind: {kind}"]
    title = f"Entry {n}: a study of {TAGS[n % 8]} at scale"
    lines.append(f'    title: "{title}"' if n % 2 else f"    title: {title.replace(':', ' -')}")
    if kind == "paper":
        lines.append(f"    arxiv: '2{n % 10}{(n // 10) % 10}1.{n % 100000:05d}'")
        lines += ["    authors:", f"      - Author {n % 311}", f"      - Author {(n + 1) % 311}"]
        lines.append(f"    year: {2015 + n % 11}")
    elif kind == "repo":
        lines.append(f"    repo: owner-{n % 97}/repo-{n}  # the upstream")
        if n % 12 == 1:
            lines.append(f"    goal: {{merged_prs: {1 + n % 3}, by: {_date(n, 200)}}}")
    elif kind == "book":
        lines.append(f"    authors: [Writer {n % 53}]")
    else:
        lines.append(f"    url: https://example.org/{kind}/{n}")
    lines.append(f"    figures: [fig-{n % FIGURES}]")
    if n % 3:
        lines.append(f"    tags: [{TAGS[n % 8]}, {TAGS[(n + 5) % 8]}]")
    else:
        lines += ["    tags:", f"      - {TAGS[n % 8]}", f"      - {TAGS[(n + 2) % 8]}"]
    lines.append(f"    status: {status}")
    lines.append(f"    added: {_date(n)}")
    if status in ("reading", "done"):
        lines.append(f"    started: {_date(n, 10)}")
    if status == "done":
        lines.append(f"    finished: {_date(n, 40)}")
    if n % 5 == 0:
        lines.append(f"    notes: Read section {n % 9}; the ablation in table {n % 4} matters.")
    elif n % 5 == 1:
        lines += [
            "    notes: |",
            f"      First pass: {TAGS[n % 8]} tricks, # not a comment.",
            f"      Second pass: reproduce figure {n % 6} on one GPU.",
        ]
    lines.append("")
    return lines


def generate(entries: int) -> str:
    lines = [
        "# Reading list: the people whose work I study and rebuild.",
        "# Edited by hand and by `bip read ...`.",
        "version: 1",
        "",
        "figures:",
    ]
    for f in range(FIGURES):
        lines += _figure(f)
    lines.append("entries:")
    for n in range(entries):
        lines += _entry(n)
    return "\n".join(lines)


def write(path: Path, entries: int) -> None:
    path.write_text(generate(entries), encoding="utf-8")


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
