"""One client per paper service (arXiv, Crossref, Semantic Scholar) on the GitHub client's machinery.

`ServiceClient` is the GitHub client with another base URL and headers: the same session, HTTP
cache (`.bip/http_cache.sqlite`), offline answers with their age, counters, and the same bounded
waits on `429`/`Retry-After`. Only what differs is here: answers that are not JSON (arXiv speaks
Atom), 404s that are plain text (Crossref), and the service's name in messages. None of the three
sends ETags, so answers are believed for `ttl` seconds (metadata barely changes; citation data is
labelled with the date it was fetched).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from toolkit.errors import BipError
from toolkit.github import (
    Answer,
    Auth,
    GitHubClient,
    GitHubUnreachable,
    Limits,
    NotFound,
    RateLimited,
)

DAY = 86400.0


class ServiceError(BipError):
    """A paper service answered, but not with what bip asked for."""


class ServiceUnreachable(GitHubUnreachable):
    """Unreachable (or --offline) with nothing cached: exit code 3, as for GitHub."""


class ServiceClient(GitHubClient):
    def __init__(
        self,
        service: str,
        base_url: str,
        cache_path: Path | None = None,
        offline: bool = False,
        limits: Limits | None = None,
        headers: dict[str, str] | None = None,
        ttl: float = 30 * DAY,
        raw: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        limits = limits or Limits(max_wait=60.0, secondary_wait=5.0)
        limits.unvalidated_ttl = ttl  # GET answers (no ETags from these services)
        limits.graphql_ttl = ttl  # POST answers (Semantic Scholar's batch)
        super().__init__(
            base_url,
            graphql_url=base_url.rstrip("/") + "/",
            auth=Auth(None, None),
            cache_path=cache_path,
            offline=offline,
            limits=limits,
            sleep=sleep,
            clock=clock,
        )
        self.service = service
        self.raw = raw
        self.notices.clear()  # the anonymous-GitHub warning is not about this service
        for name in ("Accept", "X-GitHub-Api-Version"):
            self.session.headers.pop(name, None)
        # requests-cache redacts `X-API-Key` and `Authorization` from what it stores (spelt exactly so)
        self.session.headers.update(headers or {})

    def post(self, path: str, body: Any, params: dict[str, Any] | None = None) -> Answer:
        return self._request("POST", self.url(path), params=params, json_body=body)

    def fresh_in_cache(self, path: str, params: dict[str, Any] | None = None) -> bool:
        """Whether a GET would be answered from the cache without asking (so needs no pacing)."""
        stored = self._stored("GET", self.url(path), params, None)
        return stored is not None and not stored.is_expired and stored.status_code == 200

    # -- what differs from GitHub ----------------------------------------------------------------

    def _answer(self, response: Any, shown: str) -> Answer:
        status = response.status_code
        if status == 404:
            raise NotFound(f"{self.service}: {shown} not found")
        if status >= 400:
            raise ServiceError(
                f"{self.service} answered {status} for {shown}",
                hint=f"{self.service} may be having trouble; try again later",
            )
        if self.raw:
            data: Any = response.text
        else:
            try:
                data = response.json()
            except ValueError:
                raise ServiceError(
                    f"{self.service} answered {status} with something that is not JSON for {shown}",
                    hint="check the service's base URL setting",
                ) from None
        fetched = (
            getattr(response, "created_at", None)
            if getattr(response, "from_cache", False)
            else None
        )
        return Answer(
            status=status,
            data=data,
            headers=dict(response.headers),
            url=response.url,
            from_cache=bool(getattr(response, "from_cache", False)),
            revalidated=bool(getattr(response, "revalidated", False)),
            fetched_at=_aware(fetched) if fetched else datetime.now(timezone.utc),
        )

    def _cached_or_fail(
        self, method: str, url: str, params: Any, json_body: Any, shown: str, why: str
    ) -> Answer:
        response = self._stored(method, url, params, json_body)
        if response is None or response.status_code != 200:
            if why == "offline":
                raise ServiceUnreachable(
                    f"--offline, and nothing from {self.service} is cached for {shown}",
                    hint="run once online to fill the cache",
                )
            raise ServiceUnreachable(
                f"{why.replace('GitHub', self.service)}, and nothing is cached for {shown}",
                hint="check your connection (or the service's base URL setting) and try again",
            )
        return self._stale(response, shown, why)

    def _stale(self, response: Any, shown: str, why: str) -> Answer:
        self.counters.from_cache += 1
        answer = self._answer(response, shown)
        answer.stale = True
        answer.fetched_at = _aware(response.created_at)
        if self.oldest_answer is None or answer.fetched_at < self.oldest_answer:
            self.oldest_answer = answer.fetched_at
        notice = f"{why.replace('GitHub', self.service)}: answering from the cache"
        if why != "offline" and notice not in self.notices:
            self.notices.append(notice)
        return answer

    def _rate_limit_wait(self, response: Any, attempt: int, shown: str) -> float:
        if attempt >= self.limits.retries:
            raise RateLimited(
                f"{self.service} still rate limited after {attempt} retries ({shown})",
                hint="wait a minute, then run again",
            )
        after = response.headers.get("retry-after")
        if after is None:
            return float(self.limits.secondary_wait * 2**attempt)
        wait = _seconds(after, self._clock())
        if wait > self.limits.max_wait:
            raise RateLimited(
                f"{self.service} asks bip to wait {wait:.0f} s before {shown}",
                hint=f"longer than --max-wait ({self.limits.max_wait:.0f} s); run again later",
            )
        return wait


def _seconds(retry_after: str, now: float) -> float:
    """Retry-After is seconds or an HTTP date."""
    try:
        return max(float(retry_after), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(retry_after).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return 60.0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
