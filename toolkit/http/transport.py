"""The transport under `HttpClient`: a session whose credential goes only to its service's
origins, a cache that never stores a secret, and an adapter that reads each answer under one
deadline and a size cap (a watchdog closes a connection that drips bytes)."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from toolkit.http.answers import Limits


class TooSlow(Exception):
    """The request outlived its deadline (raised from inside the transport)."""


class TooLarge(Exception):
    """The answer is larger than the cap (raised from inside the transport)."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


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


def make_session(
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
        from toolkit.http.cache import open_cache
        from toolkit.state import private_dir, private_file

        private_dir(cache_path.parent)
        private_file(cache_path)
        backend = open_cache(cache_path, _cache_class())
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
        failure: BaseException | None = None  # the last send's, even if requests-cache hid it

        def __init__(self) -> None:
            super().__init__(max_retries=0)

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTP, "https": WatchedHTTPS}

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **kwargs)
            if not proxy.lower().startswith("socks"):  # SOCKS pools have their own classes
                manager.pool_classes_by_scheme = {"http": WatchedHTTP, "https": WatchedHTTPS}
            return manager

        def send(
            self,
            request: PreparedRequest,
            stream: bool = False,
            timeout: float | tuple[float, float] | tuple[float, None] | None = None,
            verify: bool | str = True,
            cert: Any = None,
            proxies: Mapping[str, str] | None = None,
        ) -> Response:
            self.failure = None
            try:
                return self._send(request, verify, cert, proxies)
            except Exception as exc:
                self.failure = exc
                raise

        def _send(self, request: PreparedRequest, verify: Any, cert: Any, proxies: Any) -> Response:
            deadline = self.deadline if self.deadline is not None else monotonic() + limits.timeout
            left = deadline - monotonic()
            if left <= 0:
                raise TooSlow()
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
                except TooLarge:
                    response.close()
                    raise
                except Exception as exc:
                    response.close()
                    if fired.is_set() or monotonic() >= deadline:
                        raise TooSlow() from None
                    raise RequestsConnectionError(exc, request=request) from exc
                if fired.is_set():  # the cut can look like a complete answer: it is not
                    raise TooSlow()
                response._content_consumed = True  # type: ignore[attr-defined]
                return response
            except (TooSlow, TooLarge):
                raise
            except Exception:
                if fired.is_set() or monotonic() >= deadline:
                    raise TooSlow() from None
                raise
            finally:
                timer.cancel()
                _ACTIVE.pop(me, None)

    return Transport()


def _read(response: Any, cap: int, deadline: float, monotonic: Callable[[], float]) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > cap:
        response.close()
        raise TooLarge(int(declared))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.raw.stream(64 * 1024, decode_content=True):
        size += len(chunk)
        if size > cap:
            raise TooLarge(None)
        if monotonic() >= deadline:
            raise TooSlow()
        chunks.append(chunk)
    return b"".join(chunks)
