"""The one GitHub client: one session, conditional requests, GitHub's rate limits, offline answers.

Every command that talks to GitHub goes through `GitHubClient`. Requests are sent one at a time.
Responses are cached (requests-cache, SQLite, under the workspace's `.bip/`) with their ETag or
Last-Modified and revalidated on every use, so a repeated run is answered by 304s that cost no
rate limit. The cache key carries a fingerprint of the token (ETags are per token); the token
itself is never stored, logged or put in a message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit import __version__
from toolkit.errors import BadInput, BipError, ExitCode
from toolkit.github.auth import ANONYMOUS_HINT, API_VERSION, DEFAULT_API, Auth


class GitHubError(BipError):
    """GitHub answered, but not with what bip asked for."""

    status: int | None = None  # the HTTP status GitHub answered with, when there was one


class GitHubUnreachable(BipError):
    exit_code = ExitCode.GITHUB_UNREACHABLE


class RateLimited(BipError):
    exit_code = ExitCode.RATE_LIMITED


class NotFound(BadInput):
    pass


class StatsPending(GitHubError):
    """GitHub is still computing a /stats answer (202)."""


@dataclass
class Answer:
    """One GitHub answer, wherever it came from."""

    status: int
    data: Any
    headers: dict[str, str]
    url: str
    from_cache: bool = False  # the body is the stored one (304 or offline)
    revalidated: bool = False  # GitHub confirmed it with a 304
    stale: bool = False  # GitHub was not asked or not reached: as of `fetched_at`
    fetched_at: datetime | None = None
    next_url: str | None = None
    last_url: str | None = None


@dataclass
class Limits:
    """Knobs tests turn down so nothing really waits."""

    timeout: float = 15.0
    max_wait: float = 60.0  # longest wait for a rate-limit reset before giving up
    retries: int = 3
    secondary_wait: float = 60.0  # first wait after a secondary rate limit without retry-after
    backoff: float = 1.0  # first wait after a 5xx or a connection error
    max_pages: int = 10
    stats_tries: int = 4
    stats_wait: float = 2.0
    graphql_ttl: float = 900.0  # GraphQL cannot be revalidated; reuse an answer this long
    unvalidated_ttl: float = 86400.0  # answers without ETag (404s mostly): believed this long


@dataclass
class Counters:
    requests: int = 0  # sent to GitHub
    conditional: int = 0  # of which carried If-None-Match / If-Modified-Since
    not_modified: int = 0  # answered 304 (free of rate limit)
    from_cache: int = 0  # answered from the cache without asking GitHub
    waits: list[float] = field(default_factory=list)


class GitHubClient:
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
    ) -> None:
        import requests_cache

        self.api_url = api_url.rstrip("/")
        self.graphql_url = graphql_url or self.api_url + "/graphql"
        self.auth = auth or Auth(None, None)
        self.offline = offline
        self.limits = limits or Limits()
        self._sleep = sleep
        self._clock = clock
        self.counters = Counters()
        self.notices: list[str] = []
        self.rate: dict[str, dict[str, int]] = {}  # resource -> remaining/limit/reset
        self.oldest_answer: datetime | None = None
        fingerprint = self.auth.fingerprint

        def key(request: Any, **kwargs: Any) -> str:
            from requests_cache.cache_keys import create_key

            return f"{fingerprint}:{create_key(request, **kwargs)}"

        backend: Any = "memory"
        if cache_path is not None:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            from requests_cache.backends.sqlite import SQLiteCache

            backend = SQLiteCache(str(cache_path), wal=True)
        self.session = requests_cache.CachedSession(
            backend=backend,
            # Answers with an ETag are revalidated on every use (always_revalidate); answers
            # without one (404s) are believed until they expire.
            expire_after=self.limits.unvalidated_ttl,
            always_revalidate=True,
            allowable_codes=(200, 404),
            allowable_methods=("GET", "POST"),
            cache_control=False,
            key_fn=key,
        )
        self.session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"bip/{__version__} (+https://pypi.org/project/bip/)",
            }
        )
        if self.auth.token:
            self.session.headers["Authorization"] = f"Bearer {self.auth.token}"
        elif not offline:
            self.notices.append(ANONYMOUS_HINT)

    # -- requests ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.api_url + path

    def get(
        self, path: str, params: dict[str, Any] | None = None, what: str | None = None
    ) -> Answer:
        return self._request("GET", self.url(path), params=params, what=what)

    def paginate(
        self, path: str, params: dict[str, Any] | None = None, max_pages: int | None = None
    ) -> Iterator[Answer]:
        """Follow `Link: rel="next"` (never building page URLs), 100 items a page, bounded."""
        query = {"per_page": 100, **(params or {})}
        answer = self.get(path, query)
        yield answer
        pages = 1
        while answer.next_url and pages < (max_pages or self.limits.max_pages):
            answer = self.get(answer.next_url)
            pages += 1
            yield answer

    def items(
        self, path: str, params: dict[str, Any] | None = None, max_pages: int | None = None
    ) -> list[Any]:
        out: list[Any] = []
        for page in self.paginate(path, params, max_pages):
            data = page.data
            out.extend(data["items"] if isinstance(data, dict) and "items" in data else data)
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
            raise GitHubError("GitHub's GraphQL API answered with something that is not an object")
        if data.get("errors"):
            first = data["errors"][0]
            message = first.get("message", "unknown error")
            if first.get("type") == "RATE_LIMITED":
                raise RateLimited(
                    f"GitHub GraphQL rate limit: {message}", hint=self._reset_hint("graphql")
                )
            if data.get("data") is None:
                raise BadInput(f"GitHub rejected the GraphQL query: {message}")
            self.notices.append(f"GraphQL: {message}")
        return data.get("data")

    # -- the machinery -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        what: str | None = None,
    ) -> Answer:
        import requests

        shown = what or _shown(url, params)
        if self.offline:
            return self._cached_or_fail(method, url, params, json_body, shown, "offline")
        self._refuse_if_exhausted(url)
        expire = self.limits.graphql_ttl if method == "POST" else None
        stored = self._stored(method, url, params, json_body)
        if method == "POST" and stored is not None:
            age = self._clock() - _aware(stored.created_at).timestamp()
            if age < self.limits.graphql_ttl:  # GraphQL has no ETags: reuse a recent answer
                self.counters.from_cache += 1
                return self._answer(stored, shown)
        conditional = stored is not None and any(
            h in stored.headers for h in ("ETag", "etag", "Last-Modified", "last-modified")
        )
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    timeout=self.limits.timeout,
                    expire_after=expire,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt < self.limits.retries:
                    self._wait(self.limits.backoff * 2**attempt)
                    attempt += 1
                    continue
                return self._cached_or_fail(
                    method,
                    url,
                    params,
                    json_body,
                    shown,
                    f"GitHub unreachable ({type(exc).__name__})",
                )
            if conditional and response.from_cache and not response.revalidated:
                # requests-cache kept its copy because revalidation failed: GitHub unreachable
                return self._stale(response, shown, "GitHub unreachable")
            self._count(response, conditional)
            self._note_rate(response.headers)
            status = response.status_code
            if status in (403, 429) and self._is_rate_limit(response):
                wait = self._rate_limit_wait(response, attempt, shown)
                self._wait(wait)
                attempt += 1
                continue
            if status >= 500 and attempt < self.limits.retries:
                self._wait(self.limits.backoff * 2**attempt)
                attempt += 1
                continue
            return self._answer(response, shown)

    def _count(self, response: Any, conditional: bool) -> None:
        if getattr(response, "from_cache", False) and not getattr(response, "revalidated", False):
            self.counters.from_cache += 1
            return
        self.counters.requests += 1
        if conditional:
            self.counters.conditional += 1
        if getattr(response, "revalidated", False):
            self.counters.not_modified += 1

    def _answer(self, response: Any, shown: str) -> Answer:
        status = response.status_code
        if status == 401:
            source = self.auth.source or "the request"
            raise GitHubError(
                f"GitHub rejected the token from {source} (401 Unauthorized)",
                hint=f"the token may be expired or revoked: create a new one, or unset {source}"
                if self.auth.source
                else "GitHub asked for credentials: set GH_TOKEN",
            )
        data = _json(response, shown) if status != 204 else None
        if status == 404:
            raise NotFound(
                f"{shown}: not found",
                hint="the repository or user does not exist, or the token cannot see it",
            )
        if status == 422:
            message = data.get("message", "") if isinstance(data, dict) else ""
            details = "; ".join(
                e.get("message", "") or e.get("code", "")
                for e in (data.get("errors", []) if isinstance(data, dict) else [])
                if isinstance(e, dict)
            )
            raise BadInput(f"GitHub rejected the query {shown}: {message} {details}".strip())
        if status >= 400:
            message = data.get("message", "") if isinstance(data, dict) else ""
            error = GitHubError(f"GitHub answered {status} for {shown}: {message}".rstrip(": "))
            error.status = status
            raise error
        fetched = (
            getattr(response, "created_at", None)
            if getattr(response, "from_cache", False)
            else None
        )
        links = getattr(response, "links", {}) or {}
        return Answer(
            status=status,
            data=data,
            headers=dict(response.headers),
            url=response.url,
            from_cache=bool(getattr(response, "from_cache", False)),
            revalidated=bool(getattr(response, "revalidated", False)),
            fetched_at=_aware(fetched) if fetched else datetime.now(timezone.utc),
            next_url=links.get("next", {}).get("url"),
            last_url=links.get("last", {}).get("url"),
        )

    def _cached_or_fail(
        self, method: str, url: str, params: Any, json_body: Any, shown: str, why: str
    ) -> Answer:
        response = self._stored(method, url, params, json_body)
        if response is None or response.status_code != 200:
            if why == "offline":
                raise GitHubUnreachable(
                    f"--offline, and nothing is cached for {shown}",
                    hint="run once with GitHub reachable to fill the cache",
                )
            raise GitHubUnreachable(
                f"{why}, and nothing is cached for {shown}",
                hint="check your connection (or --api-url) and try again",
            )
        return self._stale(response, shown, why)

    def _stale(self, response: Any, shown: str, why: str) -> Answer:
        self.counters.from_cache += 1
        answer = self._answer(response, shown)
        answer.stale = True
        answer.fetched_at = _aware(response.created_at)
        if self.oldest_answer is None or answer.fetched_at < self.oldest_answer:
            self.oldest_answer = answer.fetched_at
        if why != "offline" and not any(n.startswith("GitHub unreachable") for n in self.notices):
            self.notices.append(f"{why}: answering from the cache")
        return answer

    def _stored(self, method: str, url: str, params: Any, json_body: Any) -> Any:
        """The cached response for this request, fresh or not, or None."""
        import requests

        prepared = self.session.prepare_request(
            requests.Request(method, url, params=params, json=json_body)
        )
        return self.session.cache.get_response(self.session.cache.create_key(prepared))

    def _note_rate(self, headers: Any) -> None:
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is None:
            return
        resource = headers.get("x-ratelimit-resource", "core")
        self.rate[resource] = {
            "remaining": _int(remaining),
            "limit": _int(headers.get("x-ratelimit-limit")),
            "reset": _int(headers.get("x-ratelimit-reset")),
        }

    @staticmethod
    def _is_rate_limit(response: Any) -> bool:
        if response.status_code == 429 or "retry-after" in response.headers:
            return True
        if response.headers.get("x-ratelimit-remaining") == "0":
            return True
        try:
            message = str(response.json().get("message", "")).lower()
        except ValueError:
            message = response.text[:500].lower()
        return "rate limit" in message or "abuse" in message

    def _rate_limit_wait(self, response: Any, attempt: int, shown: str) -> float:
        headers = response.headers
        if attempt >= self.limits.retries:
            raise RateLimited(
                f"still rate limited after {attempt} retries ({shown})",
                hint="wait a few minutes, then run again",
            )
        if "retry-after" in headers:
            wait = float(_int(headers["retry-after"]))
            if wait > self.limits.max_wait:
                raise RateLimited(
                    f"GitHub asks bip to wait {wait:.0f} s before {shown}",
                    hint=f"longer than --max-wait ({self.limits.max_wait:.0f} s); run again later",
                )
            return wait
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _int(headers.get("x-ratelimit-reset"))
            wait = max(reset - self._clock(), 0) + 1
            if wait > self.limits.max_wait:
                resource = headers.get("x-ratelimit-resource", "core")
                raise RateLimited(
                    f"GitHub rate limit reached for {shown}", hint=self._reset_hint(resource)
                )
            return wait
        return float(self.limits.secondary_wait * 2**attempt)  # secondary limit: back off

    def _reset_hint(self, resource: str) -> str:
        reset = self.rate.get(resource, {}).get("reset", 0)
        when = datetime.fromtimestamp(reset, timezone.utc).astimezone() if reset else None
        at = f"it resets at {when:%H:%M} ({when:%Z})" if when else "it resets within the hour"
        more = (
            ""
            if self.auth.token
            else "; a token raises the limit from 60 to 5,000 requests an hour (set GH_TOKEN)"
        )
        return at + more

    def _refuse_if_exhausted(self, url: str) -> None:
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

    def _wait(self, seconds: float) -> None:
        self.counters.waits.append(seconds)
        self._sleep(seconds)


def _json(response: Any, shown: str) -> Any:
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "unknown content")
        looks = "an HTML page" if "<html" in response.text[:500].lower() else kind
        raise GitHubError(
            f"GitHub answered {response.status_code} with {looks} instead of JSON for {shown}",
            hint="GitHub may be having trouble, or --api-url points at something else",
        ) from None


def _shown(url: str, params: dict[str, Any] | None) -> str:
    path = urlsplit(url).path
    query = " ".join(f"{k}={v}" for k, v in (params or {}).items() if k != "per_page")
    return f"{path} ({query})" if query else path


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def page_count(answer: Answer) -> int:
    """How many items a per_page=1 listing has, read off `Link: rel="last"` (one request)."""
    if answer.last_url:
        from urllib.parse import parse_qs

        page = parse_qs(urlsplit(answer.last_url).query).get("page", ["1"])[0]
        return int(page)
    return len(answer.data) if isinstance(answer.data, list) else 0


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)
