"""Contributor-graph progress: your PRs, issues, commits and rank in the repos you target.

`status.fetch_progress` asks GitHub (GraphQL in one batched request when a token is present, REST
otherwise); `compare` says what changed since the previous snapshot; the state store keeps them.
"""

from __future__ import annotations

from toolkit.contrib.merged import load_merged_prs, save_merged_prs
from toolkit.contrib.progress import (
    CONTRIBUTOR_PAGES,
    COUNTED,
    SEARCH_QUERY_MAX,
    PullRequest,
    RepoProgress,
    Target,
    fetch_graphql,
    fetch_pull_requests,
    fetch_rest,
    lookup_user_id,
    resolve_login,
    resolve_user,
    targets_from,
)
from toolkit.contrib.rank import (
    rank_from_clone,
)
from toolkit.contrib.status import (
    SPARKS,
    Status,
    compare,
    fetch_progress,
    sparkline,
    take_status,
)

__all__ = [
    "SEARCH_QUERY_MAX",
    "CONTRIBUTOR_PAGES",
    "COUNTED",
    "Target",
    "PullRequest",
    "RepoProgress",
    "targets_from",
    "resolve_login",
    "resolve_user",
    "lookup_user_id",
    "fetch_pull_requests",
    "fetch_rest",
    "fetch_graphql",
    "rank_from_clone",
    "compare",
    "SPARKS",
    "sparkline",
    "Status",
    "take_status",
    "fetch_progress",
    "load_merged_prs",
    "save_merged_prs",
]
