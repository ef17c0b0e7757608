"""The GitHub API: who you are (auth), the one client, and GraphQL batches."""

from __future__ import annotations

from toolkit.github.auth import (
    ANONYMOUS_HINT,
    API_VERSION,
    DEFAULT_API,
    Auth,
    resolve_api,
    resolve_auth,
)
from toolkit.github.client import (
    Answer,
    Counters,
    GitHubClient,
    GitHubError,
    GitHubUnreachable,
    Limits,
    NotFound,
    RateLimited,
    StatsPending,
    dumps,
    page_count,
)

__all__ = [
    "DEFAULT_API",
    "API_VERSION",
    "ANONYMOUS_HINT",
    "Auth",
    "resolve_auth",
    "resolve_api",
    "GitHubError",
    "GitHubUnreachable",
    "RateLimited",
    "NotFound",
    "StatsPending",
    "Answer",
    "Limits",
    "Counters",
    "GitHubClient",
    "page_count",
    "dumps",
]
