"""The one GitHub client: `toolkit.http` plus GitHub's headers, errors and rate limits.

Every command that talks to GitHub goes through `GitHubClient`. Requests are sent one at a time.
Responses are cached (requests-cache, SQLite, under the workspace's `.bip/`) with their ETag or
Last-Modified and revalidated on every use, so a repeated run is answered by 304s that cost no
rate limit. The cache key carries a fingerprint of the token (ETags are per token); the token
itself is never stored, logged or put in a message, and is sent only to the configured API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from toolkit.errors import BadInput
from toolkit.github.auth import ANONYMOUS_HINT, API_VERSION, DEFAULT_API, Auth
from toolkit.http import (
    Answer,
    Counters,
    Credential,
    HttpClient,
    NotFound,
    RateLimited,
    ServiceError,
    Unreachable,
    number,
)
from toolkit.http import Limits as HttpLimits

__all__ = [
    "Answer",
    "Counters",
    "GitHubClient",
    "GitHubError",
    "GitHubUnreachable",
    "Limits",
    "NotFound",
    "RateLimited",
    "StatsPending",
    "dumps",
    "page_count",
]


class GitHubError(ServiceError):
    """GitHub answered, but not with what bip asked for."""

    status: int | None = None  # the HTTP status GitHub answered with, when there was one


class GitHubUnreachable(Unreachable):
    pass


class StatsPending(GitHubError):
    """GitHub is still computing a /stats answer (202)."""


@dataclass
class Limits(HttpLimits):
    """Knobs tests turn down so nothing really waits."""

    stats_tries: int = 4
    stats_wait: float = 2.0
    graphql_ttl: float = 900.0  # GraphQL cannot be revalidated; reuse an answer this long


class GitHubClient(HttpClient):
    service: ClassVar[str] = "GitHub"
    error_class: ClassVar[type[ServiceError]] = GitHubError
    unreachable_class: ClassVar[type[Unreachable]] = GitHubUnreachable
    not_found_hint: ClassVar[str | None] = (
        "the repository or user does not exist, or the token cannot see it"
    )
    limits: Limits

    def __init__(
        self,
        api_url: str = DEFAULT_API,
        graphql_url: str | None = None,
        auth: Auth | None = None,
        cache_path: Path | None = None,
        offline: bool = False,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.graphql_url = graphql_url or self.api_url + "/graphql"
        self.auth = auth or Auth(None, None)
        self.rate: dict[str, dict[str, int]] = {}  # resource -> remaining/limit/reset
        token = self.auth.token
        super().__init__(
            self.api_url,
            credential=Credential("Authorization", f"Bearer {token}", self.auth.fingerprint)
            if token
            else None,
            origins=[self.graphql_url],
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
            cache_path=cache_path,
            offline=offline,
            limits=limits or Limits(),
            sleep=sleep,
            clock=clock,
            monotonic=monotonic,
        )
        if not token and not offline:
            self.notices.append(ANONYMOUS_HINT)

    # -- requests ------------------------------------------------------------------------------

    def paginate(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        max_pages: int | None = None,
        what: str | None = None,
    ) -> Iterator[Answer]:
        """Follow `Link: rel="next"` (never building page URLs), 100 items a page, bounded."""
        return super().paginate(path, {"per_page": 100, **(params or {})}, max_pages, what)

    def items(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        max_pages: int | None = None,
        what: str | None = None,
    ) -> list[Any]:
        out: list[Any] = []
        for page in self.paginate(path, params, max_pages, what=what):
            data = page.data
            if isinstance(data, dict) and isinstance(data.get("items"), list):
                out.extend(data["items"])
            elif isinstance(data, list):
                out.extend(data)
            else:
                raise GitHubError(
                    f"GitHub answered {_shown_path(page.url)} with "
                    f"{_kind(data)} where a list was expected"
                )
        return out

    def stats(self, path: str) -> Answer:
        """/stats/* answers 202 while GitHub computes them: retry a few times, then say so."""
        for _ in range(self.limits.stats_tries):
            answer = self.get(path)
            if answer.status != 202:
                return answer
            self._wait(self.limits.stats_wait)
        raise StatsPending(
            f"GitHub is still computing {path}",
            hint="statistics are computed on demand; run the command again in a minute",
        )

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        if not self.auth.token:
            raise GitHubError("GitHub's GraphQL API needs a token", hint="set GH_TOKEN")
        body = {"query": query, "variables": variables or {}}
        answer = self._request("POST", self.graphql_url, json_body=body, what="GraphQL query")
        data = answer.data
        if not isinstance(data, dict):
            raise GitHubError(
                f"GitHub's GraphQL API answered with {_kind(data)} where an object was expected"
            )
        errors = data.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else errors
            first = first if isinstance(first, dict) else {"message": str(first)}
            message = first.get("message")
            message = message if isinstance(message, str) else "unknown error"
            if first.get("type") == "RATE_LIMITED":
                raise RateLimited(
                    f"GitHub GraphQL rate limit: {message}", hint=self._reset_hint("graphql")
                )
            if data.get("data") is None:
                self._forget(self._key("POST", self.graphql_url, None, body))  # not reused
                raise BadInput(f"GitHub rejected the GraphQL query: {message}")
            self._notice(f"GraphQL: {message}")
        result = data.get("data")
        if result is not None and not isinstance(result, dict):
            raise GitHubError(
                f"GitHub's GraphQL API answered data with {_kind(result)} where an object "
                "was expected"
            )
        return result

    # -- GitHub's ways -------------------------------------------------------------------------

    def _post_ttl(self) -> float:
        return self.limits.graphql_ttl

    def _fail(self, status: int, data: Any, shown: str) -> None:
        if status == 401:
            source = self.auth.source
            raise GitHubError(
                f"GitHub rejected the token from {source or 'the request'} (401 Unauthorized)",
                hint=f"the token may be expired or revoked: create a new one, or unset {source}"
                if source
                else "GitHub asked for credentials: set GH_TOKEN",
            )
        if status == 422:
            message = data.get("message", "") if isinstance(data, dict) else ""
            errors = data.get("errors", []) if isinstance(data, dict) else []
            details = "; ".join(
                str(e.get("message", "") or e.get("code", ""))
                for e in (errors if isinstance(errors, list) else [])
                if isinstance(e, dict)
            )
            raise BadInput(f"GitHub rejected the query {shown}: {message} {details}".strip())
        if 400 <= status < 500 and status != 404:
            message = data.get("message", "") if isinstance(data, dict) else ""
            error = GitHubError(f"GitHub answered {status} for {shown}: {message}".rstrip(": "))
            error.status = status  # callers read the status, never the message text
            raise error
        super()._fail(status, data, shown)

    def _after_response(self, response: Any) -> None:
        headers = response.headers
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is None:
            return
        resource = str(headers.get("x-ratelimit-resource", "core"))[:40]
        self.rate[resource] = {
            "remaining": _int(remaining),
            "limit": _int(headers.get("x-ratelimit-limit")),
            "reset": _int(headers.get("x-ratelimit-reset")),
        }

    def _is_rate_limit(self, response: Any) -> bool:
        if super()._is_rate_limit(response):
            return True
        if response.status_code != 403:
            return False
        if (
            "retry-after" in response.headers
            or response.headers.get("x-ratelimit-remaining") == "0"
        ):
            return True
        try:
            data = json.loads(response.content or b"null")
        except (ValueError, RecursionError):
            data = None
        message = data.get("message") if isinstance(data, dict) else None
        text = (message if isinstance(message, str) else response.text[:500]).lower()
        return "rate limit" in text or "abuse" in text

    def _limit_wait(self, response: Any, attempt: int, shown: str) -> float:
        headers = response.headers
        if (
            "retry-after" not in headers
            and headers.get("x-ratelimit-remaining") == "0"
            and attempt < self.limits.retries
        ):
            resource = str(headers.get("x-ratelimit-resource", "core"))[:40]
            reset = number(headers.get("x-ratelimit-reset"))
            if reset is None:
                raise RateLimited(
                    f"GitHub rate limit reached for {shown}",
                    hint="GitHub did not say when it resets (its x-ratelimit-reset header is "
                    "malformed); it resets within the hour",
                )
            wait = max(reset - self._clock(), 0) + 1
            if wait > self.limits.max_wait:
                raise RateLimited(
                    f"GitHub rate limit reached for {shown}", hint=self._reset_hint(resource)
                )
            return wait
        return super()._limit_wait(response, attempt, shown)

    def _reset_hint(self, resource: str) -> str:
        reset = self.rate.get(resource, {}).get("reset", 0)
        ahead = reset - self._clock()
        if not reset or ahead <= 0:
            at = "it resets within the hour"
        elif ahead > 86400:
            at = "GitHub says it resets more than a day from now, which is odd: try in an hour"
        else:
            when = datetime.fromtimestamp(reset, timezone.utc).astimezone()
            at = f"it resets at {when:%H:%M} ({when:%Z})"
        more = (
            ""
            if self.auth.token
            else "; a token raises the limit from 60 to 5,000 requests an hour (set GH_TOKEN)"
        )
        return at + more

    def _before_send(self, url: str) -> None:
        """Once GitHub said the budget is spent, send nothing more until it resets."""
        resource = (
            "search" if "/search/" in url else "graphql" if url == self.graphql_url else "core"
        )
        info = self.rate.get(resource)
        if info and info["remaining"] == 0 and info["reset"] > self._clock():
            wait = info["reset"] - self._clock() + 1
            if wait > self.limits.max_wait:
                raise RateLimited(
                    f"GitHub rate limit reached ({resource})", hint=self._reset_hint(resource)
                )
            self._wait(wait)


def _int(value: Any) -> int:
    found = number(value)
    return int(found) if found is not None and abs(found) < 2**53 else 0


def _kind(data: Any) -> str:
    if data is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(data), "a number" if isinstance(data, (int, float)) else type(data).__name__
    )


def _shown_path(url: str) -> str:
    return urlsplit(url).path or url


def page_count(answer: Answer) -> int:
    """How many items a per_page=1 listing has, read off `Link: rel="last"` (one request)."""
    if answer.last_url:
        from urllib.parse import parse_qs

        page = parse_qs(urlsplit(answer.last_url).query).get("page", ["1"])[0]
        return max(_int(page), 0)
    return len(answer.data) if isinstance(answer.data, list) else 0


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)
