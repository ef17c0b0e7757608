"""Fixture communities for bip reach: the bundled example, and generated ones of any size."""

from __future__ import annotations

import copy
from typing import Any

from toolkit.reach.example import example_data


def example_world() -> dict[str, Any]:
    return copy.deepcopy(example_data())


def busy_figure_world(figure: str = "busyfig", prs: int = 300, repos: int = 3) -> dict[str, Any]:
    """A figure who reviewed `prs` pull requests spread over `repos` repos."""
    pulls = []
    for n in range(prs):
        repo = f"org{n % repos}/proj"
        day = 1 + n % 28
        pulls.append(
            {
                "repo": repo,
                "number": 1000 + n,
                "title": f"Change {n}",
                "author": f"dev{n % 97}",
                "association": "FIRST_TIME_CONTRIBUTOR" if n % 5 == 0 else "CONTRIBUTOR",
                "created": f"2026-0{1 + n % 9}-{day:02d}T08:00:00Z",
                "merged_by": figure if n % 2 else "other",
                "merged": f"2026-0{1 + n % 9}-{day:02d}T20:00:00Z",
                "labels": ["kernels"] if n % 3 else ["docs"],
                "files": [f"src/mod{n % 7}/file.py", "tests/test_x.py"],
                "reviews": [[figure, "APPROVED", f"2026-0{1 + n % 9}-{day:02d}T1{n % 10}:00:00Z"]],
            }
        )
    return {"as_of": "2026-11-20T12:00:00Z", "you": "me", "bots": {}, "pulls": pulls, "issues": []}


def long_repo_world(count: int = 120) -> dict[str, Any]:
    """One repo with `count` pull requests, updated one an hour: a sync of several pages."""
    pulls = [
        {
            "repo": "big/repo",
            "number": n,
            "title": f"PR {n}",
            "author": f"dev{n % 13}",
            "created": f"2026-10-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
            "reviews": [["maint", "APPROVED", f"2026-10-{1 + n // 24:02d}T{n % 24:02d}:30:00Z"]],
        }
        for n in range(1, count + 1)
    ]
    return {"as_of": "2026-11-20T12:00:00Z", "you": "me", "bots": {}, "pulls": pulls, "issues": []}
