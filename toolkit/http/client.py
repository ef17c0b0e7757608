"""One way to do HTTP in bip: a client per service, bounded in time and size, safe with secrets.

`HttpClient` holds one `requests.Session` for one service (GitHub, arXiv, Crossref, ...):
- a base URL and a User-Agent naming bip; a credential (token or API key) sent only to the
  service's own origins (scheme, host, port), never to a server a redirect or a `Link` names;
- one overall deadline per request, whatever the server does (a watchdog closes a connection
  that drips bytes), and a cap on the size of an answer, checked before anything is cached;
- redirects followed by hand, a bounded number of hops, each hop re-deciding the credential;
- a requests-cache SQLite cache (under `.bip/`, private to the user) keyed with a fingerprint
  of the credential, revalidated with ETag / Last-Modified, whose stored requests never hold a
  credential; answers from it when the service cannot be reached, with their age;
- Retry-After (seconds or an HTTP date) and 429s handled with an injected wait, never longer
  than `max_wait`; request counters for reports and tests.
Services subclass it to map their own statuses, rate-limit headers and errors.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar
from urllib.parse import urljoin, urlsplit

from toolkit.errors import BadInput
from toolkit.http.answers import (
    REDIRECTS,
    USER_AGENT,
    Answer,
    Counters,
    Limits,
    NotFound,
    RateLimited,
    ServiceError,
    Unreachable,
)
from toolkit.http.transport import Credential, TooLarge, TooSlow, make_session, origin
from toolkit.http.wire import (
    api_message,
    aware,
    body_digest,
    clip,
    describe_failure,
    failure_reason,
    is_transient,
    normal_url,
    parse_links,
    retry_after,
    server_of,
    shown_url,
    wait_text,
)


class HttpClient:
    """A client for one service; subclasses say how the service signals errors and limits."""

    service: ClassVar[str] = "the server"
    error_class: ClassVar[type[ServiceError]] = ServiceError
    unreachable_class: ClassVar[type[Unreachable]] = Unreachable
    not_found_hint: ClassVar[str | None] = None

    def __init__(
        self,
        base_url: str,
        *,
        credential: Credential | None = None,
        origins: Iterable[str] = (),
        headers: dict[str, str] | None = None,
        cache_path: Path | None = None,
        offline: bool = False,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credential = credential
        self.origins = {origin(self.base_url), *(origin(u) for u in origins)}
        self.offline = offline
        self.limits = limits or Limits()
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self.counters = Counters()
        self.notices: list[str] = []
        self.truncated: list[str] = []  # listings cut at a caller's page bound
        self.oldest_answer: datetime | None = None
        self.down: str | None = None  # why the service is unreachable, once it was found so
        self.ends: float | None = None  # when `limits.total` runs out (set by the first request)
        self.session, self.transport = make_session(
            self.limits, cache_path, credential, self.origins, monotonic
        )
        self.session.headers.update({"User-Agent": USER_AGENT, **(headers or {})})

    # -- requests ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def get(
        self, path: str, params: dict[str, Any] | None = None, what: str | None = None
    ) -> Answer:
        return self._request("GET", self.url(path), params=params, what=what)

    def post(self, path: str, body: Any, what: str | None = None) -> Answer:
        """A POST whose answer is reused for `post_ttl` (GraphQL, search APIs)."""
        return self._request("POST", self.url(path), json_body=body, what=what)

    def paginate(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        max_pages: int | None = None,
        what: str | None = None,
    ) -> Iterator[Answer]:
        """Follow `Link: rel="next"` (never building page URLs) on the same server, bounded;
        a link back to a page already read, or a page repeating an earlier one, ends it.
        `what` names the request in messages ("your pull requests in a/b")."""
        bound = max_pages or self.limits.max_pages
        answer = self.get(path, params, what=what)
        shown = what or shown_url(answer.url, None)
        yield answer
        urls, bodies = {normal_url(answer.url)}, {body_digest(answer.data)}
        while answer.next_url:
            target = urljoin(answer.url, answer.next_url)
            if origin(target) not in self.origins:
                raise self.error_class(
                    f"{self.service} linked the next page of {shown} to another server "
                    f"({server_of(target)}): not followed",
                    hint="bip sends requests (and your token) only to the configured API; "
                    f"check {self._where()}",
                )
            if normal_url(target) in urls:
                self.notices.append(
                    f"{shown}: the next-page link points back to a page already read; "
                    f"stopped after {len(urls)} pages"
                )
                return
            if len(urls) >= bound:
                if max_pages is None:
                    self.notices.append(
                        f"{shown}: stopped after {bound} pages (more exist; counts are partial)"
                    )
                else:
                    self.truncated.append(shown)
                return
            answer = self.get(target, what=what)
            digest = body_digest(answer.data)
            if digest in bodies:
                self.notices.append(
                    f"{shown}: page {len(urls) + 1} repeats an earlier page; stopped there"
                )
                return
            urls.add(normal_url(target))
            bodies.add(digest)
            yield answer

    @contextmanager
    def shape(self, what: str) -> Iterator[None]:
        """Read an answer's data inside this block: a wrong shape (a list for an object, a
        null, a missing key, a string for a number) becomes a clear error naming `what`."""
        try:
            yield
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            raise self.error_class(
                f"{self.service} answered {what} in an unexpected shape ({describe_failure(exc)})",
                hint=f"the service may have changed its API, or {self._where()} points at "
                "something else; run again with --debug to see where",
            ) from exc

    # -- hooks for services --------------------------------------------------------------------

    def _before_send(self, url: str) -> None:
        """Refuse or wait before sending (e.g. a budget known to be spent)."""

    def _after_response(self, response: Any) -> None:
        """Note what a response says about limits."""

    def _is_rate_limit(self, response: Any) -> bool:
        return bool(
            response.status_code == 429
            or (response.status_code == 503 and "retry-after" in response.headers)
        )

    def _limit_wait(self, response: Any, attempt: int, shown: str) -> float:
        """How long to wait before trying again after a rate limit; raise to give up."""
        if attempt >= self.limits.retries:
            raise RateLimited(
                f"{self.service} still rate limits bip after {attempt} retries ({shown})",
                hint="wait a few minutes, then run again",
            )
        raw = response.headers.get("retry-after")
        if raw is not None:
            wait = retry_after(raw, self._clock())
            if wait is None:
                self._notice(f"ignored a malformed Retry-After header ({clip(raw)!r})")
            else:
                return self._within_max_wait(wait, shown)
        return self._within_max_wait(self.limits.secondary_wait * 2**attempt, shown)

    def _within_max_wait(self, wait: float, shown: str) -> float:
        if wait > self.limits.max_wait:
            raise RateLimited(
                f"{self.service} asks bip to wait {wait_text(wait)} before {shown}",
                hint=f"longer than --max-wait ({self.limits.max_wait:g} s); run again later, "
                "or raise --max-wait",
            )
        return wait

    def _fail(self, status: int, data: Any, shown: str) -> None:
        """Raise the error an unsuccessful status means."""
        message = api_message(data)
        if status == 401:
            raise self.error_class(
                f"{self.service} asked for credentials for {shown} (401 Unauthorized)"
            )
        if status == 404:
            raise NotFound(f"{shown}: not found", hint=self.not_found_hint)
        if 400 <= status < 500:
            raise BadInput(f"{self.service} rejected {shown} ({status}): {message}".rstrip(": "))
        raise self.error_class(
            f"{self.service} answered {status} for {shown}: {message}".rstrip(": ")
        )

    def _post_ttl(self) -> float:
        return self.limits.post_ttl

    def _where(self) -> str:
        """Where the user set `base_url`, for hints."""
        return "--api-url"

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

        shown = what or shown_url(url, params)
        if self.offline:
            return self._cached_or_fail(method, url, params, json_body, shown, "offline")
        if self.limits.total is not None and self.ends is None:
            self.ends = self._monotonic() + self.limits.total
        if self.ends is not None and self._monotonic() >= self.ends:
            self.down = f"{self.service} did not answer within {self.limits.total:g} s in all"
        if self.down:  # once found unreachable or too slow, not asked again in this run
            return self._cached_or_fail(method, url, params, json_body, shown, self.down)
        self._before_send(url)
        if method == "POST":
            stored = self._stored(method, url, params, json_body)
            if stored is not None:  # no ETags on POST: reuse a recent answer
                age = self._clock() - aware(stored.created_at).timestamp()
                if age < self._post_ttl():
                    self.counters.from_cache += 1
                    return self._answer(stored, shown)
        attempt = 0
        while True:
            try:
                response, conditional = self._exchange(method, url, params, json_body)
            except TooLarge as exc:
                raise self._too_large(exc, shown) from None
            except (TooSlow, requests.ConnectionError, requests.Timeout) as exc:
                if is_transient(exc) and attempt < self.limits.retries:
                    self._wait(self.limits.backoff * 2**attempt)
                    attempt += 1
                    continue
                self.down = self._unreachable(exc)
                return self._cached_or_fail(method, url, params, json_body, shown, self.down)
            except (requests.RequestException, ValueError) as exc:
                # An unusable URL or header (never echo a header: it may hold the secret).
                raise self.error_class(
                    f"could not send {shown} to {self.service} ({type(exc).__name__})",
                    hint=f"check {self._where()}",
                ) from None
            if conditional and response.from_cache and not response.revalidated:
                # requests-cache kept its copy because revalidation failed: say why
                failure = self.transport.failure
                if isinstance(failure, TooLarge):
                    return self._stale(response, shown, self._too_large(failure, shown).message)
                self.down = self._unreachable(failure)
                return self._stale(response, shown, self.down)
            self._count(response, conditional)
            self._after_response(response)
            if self._is_rate_limit(response):
                self._wait(self._limit_wait(response, attempt, shown))
                attempt += 1
                continue
            if response.status_code >= 500 and attempt < self.limits.retries:
                self._wait(self.limits.backoff * 2**attempt)
                attempt += 1
                continue
            return self._answer(response, shown)

    def _exchange(
        self, method: str, url: str, params: dict[str, Any] | None, json_body: Any
    ) -> tuple[Any, bool]:
        """One request under one deadline, following redirects by hand: each hop is a new
        request, so the credential goes only where `origins` allow, and nothing is cached with
        a history of earlier requests."""
        first = self._key(method, url, params, json_body)
        self.transport.deadline = self._monotonic() + self.limits.timeout
        if self.ends is not None:  # the client's total time bounds each of its requests
            self.transport.deadline = min(self.transport.deadline, self.ends)
        self.transport.failure = None
        try:
            for _hop in range(self.limits.max_redirects + 1):
                stored = self._stored(method, url, params, json_body)
                conditional = stored is not None and any(
                    h in stored.headers for h in ("ETag", "Last-Modified")
                )
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    timeout=self.limits.timeout,
                    expire_after=self._post_ttl() if method == "POST" else None,
                    allow_redirects=False,
                )
                location = response.headers.get("location")
                if response.status_code not in REDIRECTS or not location:
                    final = self._key(method, url, params, json_body)
                    if final != first and response.status_code == 200:
                        self.session.cache.redirects[first] = final  # offline answers
                    return response, conditional
                self._count(response, False)
                target = urljoin(response.url, location)
                if urlsplit(target).scheme not in ("http", "https"):
                    raise self.error_class(
                        f"{self.service} redirected {shown_url(url, params)} to a "
                        f"{urlsplit(target).scheme or 'relative'} URL: not followed"
                    )
                if response.status_code == 303 or (
                    response.status_code in (301, 302) and method == "POST"
                ):
                    method, json_body = "GET", None
                url, params = target, None
            raise self.error_class(
                f"{self.service} redirected more than {self.limits.max_redirects} times: stopped"
            )
        finally:
            self.transport.deadline = None

    def _unreachable(self, exc: BaseException | None) -> str:
        if isinstance(exc, TooSlow):
            total = self.limits.total
            if total is not None and total <= self.limits.timeout:
                return f"{self.service} did not answer within {total:g} s in all"
            return f"{self.service} did not answer within {self.limits.timeout:g} s"
        return (
            f"{self.service} unreachable ({failure_reason(exc)})"
            if exc
            else f"{self.service} unreachable"
        )

    def _too_large(self, exc: TooLarge, shown: str) -> ServiceError:
        size = f" ({exc.size / 2**20:.0f} MB)" if exc.size else ""
        return self.error_class(
            f"{self.service} answered {shown} with more than "
            f"{self.limits.max_bytes / 2**20:g} MB{size}: refused",
            hint="bip caps answers to stay fast and keep its cache small",
        )

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
        data = self._json(response, shown) if status not in (204, 202) or response.content else None
        if status >= 400:
            self._fail(status, data, shown)
        fetched = (
            getattr(response, "created_at", None)
            if getattr(response, "from_cache", False)
            else None
        )
        links = parse_links(response.headers.get("link"))
        return Answer(
            status=status,
            data=data,
            headers=dict(response.headers),
            url=response.url,
            from_cache=bool(getattr(response, "from_cache", False)),
            revalidated=bool(getattr(response, "revalidated", False)),
            fetched_at=aware(fetched) if fetched else datetime.now(timezone.utc),
            next_url=links.get("next"),
            last_url=links.get("last"),
        )

    def _json(self, response: Any, shown: str) -> Any:
        """The answer's data: JSON here; a service that answers XML or text overrides this."""
        body = response.content or b""
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            self._forget(getattr(response, "cache_key", None))  # a portal's page, not an answer
            kind = response.headers.get("content-type", "unknown content")
            head = body[:500].lower()
            looks = "an HTML page" if b"<html" in head else "an empty body" if not body else kind
            raise self.error_class(
                f"{self.service} answered {response.status_code} with {clip(looks)} instead of "
                f"JSON for {shown}",
                hint=f"{self.service} may be having trouble, or the URL points at something else",
            ) from None

    def _cached_or_fail(
        self, method: str, url: str, params: Any, json_body: Any, shown: str, why: str
    ) -> Answer:
        response = self._stored(method, url, params, json_body)
        if response is None or response.status_code != 200:
            if why == "offline":
                raise self.unreachable_class(
                    f"--offline, and nothing is cached for {shown}",
                    hint=f"run once with {self.service} reachable to fill the cache",
                )
            raise self.unreachable_class(
                f"{why}, and nothing is cached for {shown}",
                hint=f"check your connection (or {self._where()}) and try again",
            )
        return self._stale(response, shown, why)

    def _stale(self, response: Any, shown: str, why: str) -> Answer:
        self.counters.from_cache += 1
        answer = self._answer(response, shown)
        answer.stale = True
        answer.fetched_at = aware(response.created_at)
        if self.oldest_answer is None or answer.fetched_at < self.oldest_answer:
            self.oldest_answer = answer.fetched_at
        if why != "offline":
            self._notice(f"{why}: answering from the cache")
        return answer

    def _key(self, method: str, url: str, params: Any, json_body: Any) -> str:
        import requests

        prepared = self.session.prepare_request(
            requests.Request(method, url, params=params, json=json_body)
        )
        return str(self.session.cache.create_key(prepared))

    def _stored(self, method: str, url: str, params: Any, json_body: Any) -> Any:
        """The cached response for this request, fresh or not, or None."""
        return self.session.cache.get_response(self._key(method, url, params, json_body))

    def _forget(self, key: str | None) -> None:
        if key:
            self.session.cache.delete(key)

    def _notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def _wait(self, seconds: float) -> None:
        if self.ends is not None and self._monotonic() + seconds > self.ends:
            self.down = f"{self.service} did not answer within {self.limits.total:g} s in all"
            raise self.unreachable_class(
                f"{self.down} (it asked bip to wait {seconds:g} s)",
                hint="run the command again later",
            )
        self.counters.waits.append(seconds)
        self._sleep(seconds)


_P = ParamSpec("_P")
_R = TypeVar("_R")
_C = TypeVar("_C", bound=HttpClient)


def reads(
    what: str,
) -> Callable[[Callable[Concatenate[_C, _P], _R]], Callable[Concatenate[_C, _P], _R]]:
    """Decorate a `fetch_*(client, ...)` function: a wrong shape in what it reads from the
    client's answers becomes the client's clear error naming `what` (see `HttpClient.shape`)."""

    def decorate(fn: Callable[Concatenate[_C, _P], _R]) -> Callable[Concatenate[_C, _P], _R]:
        @functools.wraps(fn)
        def guarded(client: _C, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            with client.shape(what):
                return fn(client, *args, **kwargs)

        return guarded

    return decorate
