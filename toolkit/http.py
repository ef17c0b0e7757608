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

import hashlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

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


class _TooSlow(Exception):
    """The request outlived its deadline (raised from inside the transport)."""


class _TooLarge(Exception):
    """The answer is larger than the cap (raised from inside the transport)."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


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


@dataclass(frozen=True)
class Credential:
    """A secret sent as one header, to the service's own origins only."""

    header: str
    value: str
    fingerprint: str  # keys the cache: answers (and ETags) differ per credential

    def __repr__(self) -> str:  # never show the secret, even in a debugger or traceback
        return f"Credential(header={self.header!r}, fingerprint={self.fingerprint!r})"


def fingerprint(secret: str | None) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else "anonymous"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in: what "the same server" means."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


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
        self.session, self._transport = _session(
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
        self, path: str, params: dict[str, Any] | None = None, max_pages: int | None = None
    ) -> Iterator[Answer]:
        """Follow `Link: rel="next"` (never building page URLs) on the same server, bounded;
        a link back to a page already read, or a page repeating an earlier one, ends it."""
        bound = max_pages or self.limits.max_pages
        answer = self.get(path, params)
        shown = _shown(answer.url, None)
        yield answer
        urls, bodies = {_normal(answer.url)}, {_digest(answer.data)}
        while answer.next_url:
            target = urljoin(answer.url, answer.next_url)
            if origin(target) not in self.origins:
                raise self.error_class(
                    f"{self.service} linked the next page of {shown} to another server "
                    f"({_server(target)}): not followed",
                    hint="bip sends requests (and your token) only to the configured API; "
                    "check --api-url",
                )
            if _normal(target) in urls:
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
            answer = self.get(target)
            digest = _digest(answer.data)
            if digest in bodies:
                self.notices.append(
                    f"{shown}: page {len(urls) + 1} repeats an earlier page; stopped there"
                )
                return
            urls.add(_normal(target))
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
                f"{self.service} answered {what} in an unexpected shape ({_describe(exc)})",
                hint="the service may have changed its API, or --api-url points at something "
                "else; run again with --debug to see where",
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
                self._notice(f"ignored a malformed Retry-After header ({_clip(raw)!r})")
            else:
                return self._within_max_wait(wait, shown)
        return self._within_max_wait(self.limits.secondary_wait * 2**attempt, shown)

    def _within_max_wait(self, wait: float, shown: str) -> float:
        if wait > self.limits.max_wait:
            raise RateLimited(
                f"{self.service} asks bip to wait {_duration(wait)} before {shown}",
                hint=f"longer than --max-wait ({self.limits.max_wait:g} s); run again later, "
                "or raise --max-wait",
            )
        return wait

    def _fail(self, status: int, data: Any, shown: str) -> None:
        """Raise the error an unsuccessful status means."""
        message = _message(data)
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
        self._before_send(url)
        if method == "POST":
            stored = self._stored(method, url, params, json_body)
            if stored is not None:  # no ETags on POST: reuse a recent answer
                age = self._clock() - _aware(stored.created_at).timestamp()
                if age < self._post_ttl():
                    self.counters.from_cache += 1
                    return self._answer(stored, shown)
        attempt = 0
        while True:
            try:
                response, conditional = self._exchange(method, url, params, json_body)
            except _TooSlow:
                why = f"{self.service} did not answer within {self.limits.timeout:g} s"
                return self._cached_or_fail(method, url, params, json_body, shown, why)
            except _TooLarge as exc:
                size = f" ({exc.size / 1e6:.0f} MB)" if exc.size else ""
                raise self.error_class(
                    f"{self.service} answered {shown} with more than "
                    f"{self.limits.max_bytes / 1e6:g} MB{size}: refused",
                    hint="bip caps answers to stay fast and keep its cache small",
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if _transient(exc) and attempt < self.limits.retries:
                    self._wait(self.limits.backoff * 2**attempt)
                    attempt += 1
                    continue
                why = f"{self.service} unreachable ({_reason(exc)})"
                return self._cached_or_fail(method, url, params, json_body, shown, why)
            except (requests.RequestException, ValueError) as exc:
                # An unusable URL or header (never echo a header: it may hold the secret).
                raise self.error_class(
                    f"could not send {shown} to {self.service} ({type(exc).__name__})",
                    hint="check --api-url",
                ) from None
            if conditional and response.from_cache and not response.revalidated:
                # requests-cache kept its copy because revalidation failed
                return self._stale(response, shown, f"{self.service} unreachable")
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
        self._transport.deadline = self._monotonic() + self.limits.timeout
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
                        f"{self.service} redirected {_shown(url, params)} to a "
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
            self._transport.deadline = None

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
        links = _links(response.headers.get("link"))
        return Answer(
            status=status,
            data=data,
            headers=dict(response.headers),
            url=response.url,
            from_cache=bool(getattr(response, "from_cache", False)),
            revalidated=bool(getattr(response, "revalidated", False)),
            fetched_at=_aware(fetched) if fetched else datetime.now(timezone.utc),
            next_url=links.get("next"),
            last_url=links.get("last"),
        )

    def _json(self, response: Any, shown: str) -> Any:
        body = response.content or b""
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            kind = response.headers.get("content-type", "unknown content")
            head = body[:500].lower()
            looks = "an HTML page" if b"<html" in head else "an empty body" if not body else kind
            raise self.error_class(
                f"{self.service} answered {response.status_code} with {_clip(looks)} instead of "
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

    def _notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def _wait(self, seconds: float) -> None:
        self.counters.waits.append(seconds)
        self._sleep(seconds)


# -- the transport -----------------------------------------------------------------------------


def _session(
    limits: Limits,
    cache_path: Path | None,
    credential: Credential | None,
    origins: set[tuple[str, str, int | None]],
    monotonic: Callable[[], float],
) -> tuple[Any, Any]:
    import requests_cache

    key_prefix = credential.fingerprint if credential else "anonymous"

    def key(request: Any, **kwargs: Any) -> str:
        from requests_cache.cache_keys import create_key

        return f"{key_prefix}:{create_key(request, **kwargs)}"

    backend: Any
    if cache_path is not None:
        from toolkit.state import private_dir, private_file

        private_dir(cache_path.parent)
        private_file(cache_path)
        backend = _cache_class()(str(cache_path), wal=True)
    else:
        backend = _memory_cache_class()()
    secret_headers = ("Authorization", credential.header if credential else "Authorization")
    session = requests_cache.CachedSession(
        backend=backend,
        # Answers with an ETag are revalidated on every use (always_revalidate); answers
        # without one (404s) are believed until they expire.
        expire_after=limits.unvalidated_ttl,
        always_revalidate=True,
        allowable_codes=(200, 404),
        allowable_methods=("GET", "POST"),
        cache_control=False,
        key_fn=key,
        ignored_parameters=[*dict.fromkeys(secret_headers), "access_token", "api_key"],
    )
    session.auth = _origin_auth(credential, origins)
    transport = _transport(limits, monotonic)
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session, transport


def _origin_auth(credential: Credential | None, origins: set[tuple[str, str, int | None]]) -> Any:
    """The credential on requests to the service's origins; on any other, no such header."""
    from requests.auth import AuthBase

    class OriginAuth(AuthBase):
        def __call__(self, request: Any) -> Any:
            if credential is None:
                return request
            if origin(request.url) in origins:
                request.headers[credential.header] = credential.value
            else:
                request.headers.pop(credential.header, None)
            return request

        def __repr__(self) -> str:
            return f"OriginAuth({credential!r})"

    return OriginAuth()


def _redact(response: Any, headers: Iterable[str]) -> Any:
    """A stored response keeps no secret header in its request, nor any earlier request."""
    for item in (response, *getattr(response, "history", ())):
        request = getattr(item, "request", None)
        if request is not None and getattr(request, "headers", None) is not None:
            for name in headers:
                request.headers.pop(name, None)
    response.history = []
    return response


def _cache_class() -> Any:
    from requests_cache.backends.sqlite import SQLiteCache

    class PrivateSQLiteCache(SQLiteCache):
        def save_response(self, response: Any, cache_key: Any = None, expires: Any = None) -> None:
            _redact_before_save(self, response, cache_key, expires, SQLiteCache)

    return PrivateSQLiteCache


def _memory_cache_class() -> Any:
    from requests_cache.backends.base import BaseCache

    class PrivateMemoryCache(BaseCache):
        def save_response(self, response: Any, cache_key: Any = None, expires: Any = None) -> None:
            _redact_before_save(self, response, cache_key, expires, BaseCache)

    return PrivateMemoryCache


def _redact_before_save(cache: Any, response: Any, cache_key: Any, expires: Any, base: Any) -> None:
    from requests_cache.models.response import CachedResponse

    names = [*cache._settings.ignored_parameters]
    cached = response if isinstance(response, CachedResponse) else None
    if cached is None:
        cached = CachedResponse.from_response(response, expires=expires)
    _redact(cached, names)
    base.save_response(cache, cached, cache_key or cache.create_key(response.request), expires)


_ACTIVE: dict[int, Any] = {}  # thread id -> the connection its current request uses


def _transport(limits: Limits, monotonic: Callable[[], float]) -> Any:
    """An adapter that reads the whole answer under the request's deadline and size cap."""
    from requests import PreparedRequest, Response
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Watched:
        def _get_conn(self, timeout: float | None = None) -> Any:
            conn = super()._get_conn(timeout)  # type: ignore[misc]
            _ACTIVE[threading.get_ident()] = conn
            return conn

    class WatchedHTTP(Watched, HTTPConnectionPool):
        pass

    class WatchedHTTPS(Watched, HTTPSConnectionPool):
        pass

    class Transport(HTTPAdapter):
        deadline: float | None = None

        def __init__(self) -> None:
            super().__init__(max_retries=0)

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTP, "https": WatchedHTTPS}

        def send(
            self,
            request: PreparedRequest,
            stream: bool = False,
            timeout: float | tuple[float, float] | tuple[float, None] | None = None,
            verify: bool | str = True,
            cert: Any = None,
            proxies: Mapping[str, str] | None = None,
        ) -> Response:
            deadline = self.deadline if self.deadline is not None else monotonic() + limits.timeout
            left = deadline - monotonic()
            if left <= 0:
                raise _TooSlow()
            me = threading.get_ident()
            fired = threading.Event()

            def cut() -> None:  # wakes a read blocked on a server that drips bytes
                fired.set()
                conn = _ACTIVE.get(me)
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

            timer = threading.Timer(left, cut)
            timer.daemon = True
            timer.start()
            try:
                response = super().send(
                    request, True, (left, left), verify=verify, cert=cert, proxies=proxies
                )
                try:
                    response._content = _read(response, limits.max_bytes, deadline, monotonic)
                except _TooLarge:
                    response.close()
                    raise
                except Exception as exc:
                    response.close()
                    if fired.is_set() or monotonic() >= deadline:
                        raise _TooSlow() from None
                    raise RequestsConnectionError(exc, request=request) from exc
                response._content_consumed = True  # type: ignore[attr-defined]
                return response
            except (_TooSlow, _TooLarge):
                raise
            except Exception:
                if fired.is_set() or monotonic() >= deadline:
                    raise _TooSlow() from None
                raise
            finally:
                timer.cancel()
                _ACTIVE.pop(me, None)

    return Transport()


def _read(response: Any, cap: int, deadline: float, monotonic: Callable[[], float]) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > cap:
        response.close()
        raise _TooLarge(int(declared))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.raw.stream(64 * 1024, decode_content=True):
        size += len(chunk)
        if size > cap:
            raise _TooLarge(None)
        if monotonic() >= deadline:
            raise _TooSlow()
        chunks.append(chunk)
    return b"".join(chunks)


# -- small helpers -----------------------------------------------------------------------------


def retry_after(value: str, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if malformed.
    A negative or past value means no wait; an absurd one stays huge (and is refused)."""
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return None if math.isnan(seconds) else max(seconds, 0.0)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return max(_aware(when).timestamp() - now, 0.0)


def number(value: Any) -> float | None:
    """A header's number, or None when absent, malformed or not finite."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds > 86400 * 365:
        return "more than a year"
    if seconds < 3600:
        return f"{seconds:.0f} s"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def _transient(exc: Exception) -> bool:
    """A dropped connection may work on a second try; a refused one or an unknown host won't."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if isinstance(current, ConnectionRefusedError) or name in (
            "NameResolutionError",
            "NewConnectionError",
            "ConnectTimeoutError",
            "ConnectTimeout",
            "ReadTimeout",
            "ReadTimeoutError",
        ):
            return False
        nested = (
            current.args[0] if current.args and isinstance(current.args[0], Exception) else None
        )
        current = nested or getattr(current, "reason", None) or current.__cause__
    return True


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "NameResolution" in text or "getaddrinfo" in text or "Name or service" in text:
        return "unknown host"
    return type(exc).__name__


def _message(data: Any) -> str:
    message = data.get("message") if isinstance(data, dict) else None
    return _clip(message) if isinstance(message, str) else ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing {_clip(str(exc.args[0]) if exc.args else '?')!r}"
    return f"{type(exc).__name__}: {_clip(str(exc))}"


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _links(header: str | None) -> dict[str, str]:
    """`Link: <url>; rel="next", ...` as {rel: url}; anything odd is skipped."""
    import requests.utils

    if not header:
        return {}
    out: dict[str, str] = {}
    try:
        parsed = requests.utils.parse_header_links(header)
    except (ValueError, IndexError):
        return {}
    for link in parsed:
        rel, url = link.get("rel"), link.get("url")
        if rel and url:
            for name in rel.split():
                out.setdefault(name, url)
    return out


def _normal(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}?{query}"


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _server(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def _shown(url: str, params: dict[str, Any] | None) -> str:
    path = urlsplit(url).path or "/"
    query = " ".join(f"{k}={v}" for k, v in (params or {}).items() if k != "per_page")
    return f"{path} ({query})" if query else path


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
