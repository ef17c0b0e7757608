"""What an HTTP client answers and how it is tuned: its errors, `Answer`, `Limits`, `Counters`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from toolkit import __version__
from toolkit.errors import BadInput, BipError, ExitCode

USER_AGENT = f"bip-build-in-public/{__version__}"
MAX_BYTES = 10 * 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


class ServiceError(BipError):
    """The service answered, but not with what bip asked for."""


class Unreachable(BipError):
    exit_code = ExitCode.GITHUB_UNREACHABLE


class RateLimited(BipError):
    exit_code = ExitCode.RATE_LIMITED


class NotFound(BadInput):
    pass


@dataclass
class Answer:
    """One answer, wherever it came from."""

    status: int
    data: Any
    headers: dict[str, str]
    url: str
    from_cache: bool = False  # the body is the stored one (304 or offline)
    revalidated: bool = False  # the service confirmed it with a 304
    stale: bool = False  # the service was not asked or not reached: as of `fetched_at`
    fetched_at: datetime | None = None
    next_url: str | None = None
    last_url: str | None = None


@dataclass
class Limits:
    """Knobs tests turn down so nothing really waits."""

    timeout: float = 15.0  # the whole request, redirects and body included
    total: float | None = None  # every request of the client together, from its first one
    max_wait: float = 60.0  # longest wait for a rate limit before giving up
    retries: int = 3
    secondary_wait: float = 60.0  # first wait after a rate limit that names no time
    backoff: float = 1.0  # first wait after a 5xx or a dropped connection
    max_pages: int = 10
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    post_ttl: float = 900.0  # POST answers cannot be revalidated; reuse one this long
    unvalidated_ttl: float = 86400.0  # answers without ETag (404s mostly): believed this long


@dataclass
class Counters:
    requests: int = 0  # sent to the service
    conditional: int = 0  # of which carried If-None-Match / If-Modified-Since
    not_modified: int = 0  # answered 304 (free of rate limit)
    from_cache: int = 0  # answered from the cache without asking the service
    waits: list[float] = field(default_factory=list)
