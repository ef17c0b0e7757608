"""The merged PRs behind the latest snapshot, per target repo: what the site's Contributions
page lists under each goal.

A snapshot keeps counts; this keeps the list (number, title, link, merge date) from the last
`bip contrib status` that reached GitHub, in the state store's small-values table, one JSON
value per login. A repo that failed this time keeps its earlier list. Nothing here asks GitHub.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from toolkit.contrib.progress import PullRequest, RepoProgress

KEY = "contrib.merged_prs:"  # + the login, lowercased


def save_merged_prs(
    store: Any, login: str, taken_at: datetime, repos: Iterable[RepoProgress]
) -> None:
    """Remember each (successfully fetched) repo's merged PRs, newest first."""
    key = KEY + login.lower()
    kept = _load(store, key)
    for item in repos:
        if item.error:
            continue
        merged = sorted(
            (pr for pr in item.prs if pr.state == "merged"),
            key=lambda pr: (pr.merged_at or "", pr.number),
            reverse=True,
        )
        kept[item.repo.lower()] = {
            "repo": item.repo,
            "taken_at": taken_at.isoformat(),
            "prs": [
                {"number": p.number, "title": p.title, "url": p.url, "merged_at": p.merged_at}
                for p in merged
            ],
        }
    store.put(key, json.dumps(kept, ensure_ascii=False, sort_keys=True))


def load_merged_prs(store: Any, login: str) -> dict[str, list[PullRequest]]:
    """Lowercased owner/name -> its merged PRs, newest first (empty when never fetched)."""
    out: dict[str, list[PullRequest]] = {}
    for repo, value in _load(store, KEY + login.lower()).items():
        prs = value.get("prs") if isinstance(value, dict) else None
        out[repo] = [
            PullRequest(
                int(p["number"]),
                str(p.get("title") or ""),
                str(p.get("url") or ""),
                "merged",
                "",
                str(p["merged_at"]) if p.get("merged_at") else None,
            )
            for p in prs or []
            if isinstance(p, dict) and isinstance(p.get("number"), int)
        ]
    return out


def _load(store: Any, key: str) -> dict[str, Any]:
    """The stored value, or nothing when absent or not bip's JSON (it is rebuilt next time)."""
    try:
        value = json.loads(store.get(key) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
