"""GH Archive hour files in the archive's two shapes: before 2025-10-07 (full pull request
objects with author, labels, merged and merged_by) and after (trimmed: number, head, base)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

_ids = iter(range(40_000_000_000, 50_000_000_000))


def _base(repo: str) -> dict[str, Any]:
    return {"ref": "main", "sha": "0" * 40, "repo": {"id": 1, "name": repo.split("/")[1]}}


def _pr(repo: str, number: int, trimmed: bool, **full: Any) -> dict[str, Any]:
    pr: dict[str, Any] = {
        "url": f"https://api.github.com/repos/{repo}/pulls/{number}",
        "id": 9_000_000 + number,
        "number": number,
        "head": _base(repo),
        "base": _base(repo),
    }
    if not trimmed:
        pr.update(
            node_id="PR_x",
            html_url=f"https://github.com/{repo}/pull/{number}",
            state="open",
            title=full.get("title", f"PR {number}"),
            user={"login": full["author"], "type": full.get("author_type", "User")},
            labels=[{"name": n} for n in full.get("labels", [])],
            merged=full.get("merged", False),
            merged_by={"login": full["merged_by"]} if full.get("merged_by") else None,
            author_association="CONTRIBUTOR",
        )
    return pr


def event(kind: str, actor: str, repo: str, at: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "type": kind,
        "actor": {"id": 1, "login": actor, "display_login": actor},
        "repo": {"id": 1, "name": repo, "url": f"https://api.github.com/repos/{repo}"},
        "payload": payload,
        "public": True,
        "created_at": at,
    }


def opened(repo: str, number: int, author: str, at: str, trimmed: bool) -> dict[str, Any]:
    pr = _pr(repo, number, trimmed, author=author)
    return event(
        "PullRequestEvent",
        author,
        repo,
        at,
        {"action": "opened", "number": number, "pull_request": pr},
    )


def reviewed(
    repo: str, number: int, reviewer: str, state: str, at: str, trimmed: bool, author: str = ""
) -> dict[str, Any]:
    review = {"id": 1, "user": {"login": reviewer}, "state": state, "submitted_at": at}
    pr = _pr(repo, number, trimmed, author=author)
    return event(
        "PullRequestReviewEvent",
        reviewer,
        repo,
        at,
        {"action": "created", "review": review, "pull_request": pr},
    )


def closed(
    repo: str,
    number: int,
    actor: str,
    at: str,
    trimmed: bool,
    author: str = "",
    merged: bool = True,
) -> dict[str, Any]:
    pr = _pr(
        repo, number, trimmed, author=author, merged=merged, merged_by=actor if merged else None
    )
    return event(
        "PullRequestEvent",
        actor,
        repo,
        at,
        {"action": "closed", "number": number, "pull_request": pr},
    )


def write_hour(path: Path, events: list[dict[str, Any]]) -> Path:
    noise = event(
        "WatchEvent", "someone", "other/repo", "2025-06-01T15:00:00Z", {"action": "started"}
    )
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for item in [noise, *events]:
            out.write(json.dumps(item) + "\n")
    return path


def before_trim(folder: Path) -> Path:
    """2025-06-01 15h: cchen's PR merged by sgl-maint; a bot's review; a self-review."""
    repo = "sgl-project/sglang"
    return write_hour(
        folder / "2025-06-01-15.json.gz",
        [
            opened(repo, 50, "cchen", "2025-06-01T15:01:00Z", trimmed=False),
            reviewed(repo, 50, "sgl-maint", "approved", "2025-06-01T15:20:00Z", False, "cchen"),
            reviewed(
                repo, 50, "dependabot[bot]", "commented", "2025-06-01T15:21:00Z", False, "cchen"
            ),
            reviewed(repo, 50, "cchen", "commented", "2025-06-01T15:22:00Z", False, "cchen"),
            closed(repo, 50, "sgl-maint", "2025-06-01T15:40:00Z", False, "cchen"),
            closed(repo, 51, "sgl-maint", "2025-06-01T15:41:00Z", False, "vdev", merged=False),
        ],
    )


def after_trim(folder: Path) -> Path:
    """2025-11-02 09h (trimmed shape): ada-l opens a PR sgl-maint approves, then it closes
    (merger unknown); a review of a PR opened before these hours (author unknown)."""
    repo = "sgl-project/sglang"
    return write_hour(
        folder / "2025-11-02-9.json.gz",
        [
            opened(repo, 77, "ada-l", "2025-11-02T09:00:00Z", trimmed=True),
            reviewed(repo, 77, "sgl-maint", "approved", "2025-11-02T09:30:00Z", trimmed=True),
            closed(repo, 77, "sgl-maint", "2025-11-02T09:45:00Z", trimmed=True),
            reviewed(
                repo, 12, "sgl-maint", "changes_requested", "2025-11-02T09:50:00Z", trimmed=True
            ),
        ],
    )
