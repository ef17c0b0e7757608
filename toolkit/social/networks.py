"""The two networks bip posts to, behind one small interface: sign in, measure, upload an image,
post (as a reply when asked). Bluesky through `atproto`'s Client (sessions, blobs, records with
reply refs and link facets), Mastodon through `Mastodon.py` (media, replies, visibility).

Credentials come from the environment or the system keyring and live in memory only: never in
a repr, a log line, the progress record or an error message. Neither client follows a redirect:
a redirect would carry the password (Bluesky's createSession body) or the token to wherever it
points, so any 3xx is an error that names the host it pointed at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from toolkit.errors import BadInput, BipError, ExitCode
from toolkit.social.thread import URL, Limit, bluesky_limit, mastodon_limit

DEFAULT_PDS = "https://bsky.social"
TIMEOUT = 30.0
MAX_IMAGE_BYTES = 1_000_000  # Bluesky's blob limit for an image


class RateLimited(BipError):
    exit_code = ExitCode.RATE_LIMITED


class PostFailed(BipError):
    """The network refused or never answered one post."""


class RedirectRefused(BipError):
    pass


@dataclass(frozen=True)
class Credentials:
    network: str
    server: str
    account: str  # the handle, or the server's account name once known; never secret
    secret: str = field(repr=False)
    source: str = field(default="environment")

    def __repr__(self) -> str:
        return f"Credentials(network={self.network!r}, server={self.server!r}, account={self.account!r})"


@dataclass
class PostRef:
    id: str  # at:// URI on Bluesky, the status id on Mastodon
    url: str
    cid: str | None = None  # Bluesky's content id (reply refs need it)


@dataclass
class Image:
    png: bytes
    alt: str
    width: int
    height: int


class Network(Protocol):
    name: str
    account: str

    def limit(self) -> Limit: ...

    def post(
        self, text: str, parent: PostRef | None, root: PostRef | None, image: Image | None, key: str
    ) -> PostRef: ...


def _keyring(name: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password("bip", name)
    except (KeyringError, RuntimeError):
        return None


def credentials(network: str, keyring_get: Callable[[str], str | None] = _keyring) -> Credentials:
    """From the environment, else the system keyring (`keyring set bip BIP_BLUESKY_APP_PASSWORD`)."""
    from toolkit.settings import environ

    def value(name: str) -> tuple[str | None, str]:
        found = environ(name)
        if found:
            return found.strip(), name
        stored = keyring_get(name)
        return (stored.strip() if stored else None), "the keyring"

    if network == "bluesky":
        handle, _ = value("BIP_BLUESKY_HANDLE")
        password, source = value("BIP_BLUESKY_APP_PASSWORD")
        server = (environ("BIP_BLUESKY_PDS") or DEFAULT_PDS).strip()
        missing = [
            n
            for n, v in (("BIP_BLUESKY_HANDLE", handle), ("BIP_BLUESKY_APP_PASSWORD", password))
            if not v
        ]
        if missing:
            raise BadInput(
                f"posting to Bluesky needs {' and '.join(missing)}",
                hint="make an app password in Bluesky's settings; set it in the environment "
                "or with `keyring set bip BIP_BLUESKY_APP_PASSWORD`",
            )
        return Credentials(
            "bluesky", _server(server, "BIP_BLUESKY_PDS"), str(handle), str(password), source
        )
    url, _ = value("BIP_MASTODON_URL")
    token, source = value("BIP_MASTODON_TOKEN")
    missing = [n for n, v in (("BIP_MASTODON_URL", url), ("BIP_MASTODON_TOKEN", token)) if not v]
    if missing:
        raise BadInput(
            f"posting to Mastodon needs {' and '.join(missing)}",
            hint="make an access token (Preferences > Development, scope write:statuses "
            "write:media); set it in the environment or with `keyring set bip BIP_MASTODON_TOKEN`",
        )
    server = _server(str(url), "BIP_MASTODON_URL")
    return Credentials("mastodon", server, urlsplit(server).netloc, str(token), source)


def _server(url: str, name: str) -> str:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.username:
        raise BadInput(f"{name}={url!r} is not a server URL", hint="e.g. https://mastodon.social")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _refuse_redirect(status: int, location: str | None, server: str) -> None:
    if 300 <= status < 400 and location:
        target = urlsplit(location)
        where = target.netloc or urlsplit(server).netloc
        raise RedirectRefused(
            f"{server} answered with a redirect to {where}; bip does not follow redirects "
            "(they would carry your credentials), so nothing was sent there",
            hint="if that is really your server, set its address instead",
        )


def wait_seconds(headers: dict[str, str], now: float) -> float | None:
    """Seconds until a rate limit resets: Retry-After, else Bluesky's `ratelimit-reset` (epoch
    seconds), else Mastodon's `X-RateLimit-Reset` (ISO 8601)."""
    low = {k.lower(): v for k, v in headers.items()}
    if low.get("retry-after"):
        value = low["retry-after"]
        if value.strip().isdigit():
            return float(value)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            return None
    if low.get("ratelimit-reset", "").strip().isdigit():
        return max(0.0, float(low["ratelimit-reset"]) - now)
    if low.get("x-ratelimit-reset"):
        try:
            reset = datetime.fromisoformat(low["x-ratelimit-reset"].replace("Z", "+00:00"))
        except ValueError:
            return None
        if reset.tzinfo is None:
            reset = reset.replace(tzinfo=timezone.utc)
        return max(0.0, reset.timestamp() - now)
    return None


@dataclass
class Pacing:
    """How long bip may wait for a rate limit to reset, and the clock to wait with (tests
    inject both, so no test sleeps)."""

    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    waited: list[float] = field(default_factory=list)

    def wait_or_raise(self, network: str, headers: dict[str, str]) -> None:
        seconds = wait_seconds(headers, self.now())
        if seconds is None or seconds > self.max_wait:
            when = f" for {seconds:.0f} s" if seconds is not None else ""
            raise RateLimited(
                f"{network} is rate limiting this account{when}",
                hint="run the same command again later with --resume (or raise --max-wait)",
            )
        self.waited.append(seconds)
        self.sleep(seconds)


def link_facets(text: str) -> list[dict[str, Any]]:
    """Bluesky shows a URL as a link only with a facet: its UTF-8 byte range and the URI."""
    facets = []
    for match in URL.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}],
            }
        )
    return facets


def tid(now_us: int, clock_id: int = 0) -> str:
    """An AT Protocol TID (a record key): 64-bit, microseconds then a clock id, base32-sortable."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = (now_us << 10) | (clock_id & 0x3FF)
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(13)))


class Bluesky:
    name = "bluesky"

    def __init__(self, creds: Credentials, pacing: Pacing | None = None) -> None:
        from atproto import Client
        from atproto_client.request import Request

        self.creds = creds
        self.account = creds.account
        self.pacing = pacing or Pacing()
        self.did: str | None = None

        def hook(response: Any) -> None:
            _refuse_redirect(response.status_code, response.headers.get("location"), creds.server)

        self.client = Client(
            base_url=creds.server,
            request=Request(timeout=TIMEOUT, event_hooks={"response": [hook]}),
        )
        self.client.on_session_change(self._session)

    def _session(self, event: Any, session: Any) -> None:
        self.did = session.did
        self.account = session.handle or self.account

    def limit(self) -> Limit:
        return bluesky_limit()

    def sign_in(self) -> None:
        self._call(
            lambda: self.client.login(
                self.creds.account, self.creds.secret, fetch_bsky_profile=False
            )
        )

    def _call(self, action: Callable[[], Any], expired_retry: bool = True) -> Any:
        from atproto_client import exceptions as ex

        while True:
            try:
                return action()
            except ex.RateLimitExceededError as exc:
                self.pacing.wait_or_raise(
                    "Bluesky", (exc.response.headers if exc.response else {}) or {}
                )
            except ex.BadRequestError as exc:
                error = getattr(exc.response.content, "error", None) if exc.response else None
                if error == "ExpiredToken" and expired_retry and self.did is not None:
                    expired_retry = False
                    self.sign_in()  # a new session; the post is sent again once
                    continue
                raise PostFailed(f"Bluesky refused: {_atproto_message(exc)}") from None
            except ex.UnauthorizedError as exc:
                raise BadInput(
                    f"Bluesky did not accept the handle and app password ({_atproto_message(exc)})",
                    hint="check BIP_BLUESKY_HANDLE and BIP_BLUESKY_APP_PASSWORD",
                ) from None
            except ex.AtProtocolError as exc:
                raise PostFailed(f"Bluesky did not answer: {_atproto_message(exc)}") from None

    def upload(self, image: Image) -> Any:
        if len(image.png) > MAX_IMAGE_BYTES:
            raise BadInput(
                f"the image is {len(image.png):,} bytes; Bluesky allows {MAX_IMAGE_BYTES:,}"
            )
        return self._call(lambda: self.client.upload_blob(image.png)).blob

    def find(self, key: str) -> PostRef | None:
        """The post saved under record key `key`, when an earlier try did reach the server."""
        from atproto import models

        if self.did is None:
            self.sign_in()
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=str(self.did), collection="app.bsky.feed.post", rkey=key
        )
        try:
            found = self._call(lambda: self.client.com.atproto.repo.get_record(params))
        except PostFailed as exc:
            if "RecordNotFound" in exc.message:
                return None
            raise
        return PostRef(found.uri, f"https://bsky.app/profile/{self.account}/post/{key}", found.cid)

    def post(
        self, text: str, parent: PostRef | None, root: PostRef | None, image: Image | None, key: str
    ) -> PostRef:
        from atproto import models

        if self.did is None:
            self.sign_in()
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": datetime.now(timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "langs": ["en"],
        }
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        if parent is not None and root is not None:
            record["reply"] = {
                "root": {"uri": root.id, "cid": root.cid},
                "parent": {"uri": parent.id, "cid": parent.cid},
            }
        if image is not None:
            blob = self.upload(image)
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "image": blob,
                        "alt": image.alt,
                        "aspectRatio": {"width": image.width, "height": image.height},
                    }
                ],
            }
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=str(self.did), collection="app.bsky.feed.post", record=record, rkey=key
        )
        done = self._call(lambda: self.client.com.atproto.repo.create_record(data))
        rkey = done.uri.rsplit("/", 1)[-1]
        return PostRef(done.uri, f"https://bsky.app/profile/{self.account}/post/{rkey}", done.cid)


def _atproto_message(exc: Any) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        return type(exc).__name__
    content = response.content
    said = [
        str(x) for x in (getattr(content, "error", None), getattr(content, "message", None)) if x
    ]
    return f"{response.status_code} {': '.join(said)}" if said else str(response.status_code)


class Mastodon:
    name = "mastodon"

    def __init__(
        self, creds: Credentials, pacing: Pacing | None = None, visibility: str = "public"
    ) -> None:
        import requests
        from mastodon import Mastodon as Client

        self.creds = creds
        self.account = creds.account
        self.pacing = pacing or Pacing()
        self.visibility = visibility
        session = requests.Session()
        session.max_redirects = 0  # a redirect is refused, below, before it is followed
        server = creds.server

        def hook(response: Any, *args: Any, **kwargs: Any) -> None:
            _refuse_redirect(response.status_code, response.headers.get("location"), server)

        session.hooks["response"].append(hook)
        self.client = Client(
            access_token=creds.secret,
            api_base_url=server,
            session=session,
            ratelimit_method="throw",
            version_check_mode="none",
            request_timeout=TIMEOUT,
        )
        self.max_characters: int | None = None

    def _call(self, action: Callable[[], Any]) -> Any:
        from mastodon import errors

        while True:
            try:
                return action()
            except errors.MastodonRatelimitError:
                # Mastodon.py read X-RateLimit-Reset (to this machine's clock) before throwing
                reset = getattr(self.client, "ratelimit_reset", None)
                found = {"ratelimit-reset": str(int(reset) + 1)} if reset else {}
                self.pacing.wait_or_raise("Mastodon", found)
            except errors.MastodonUnauthorizedError:
                raise BadInput(
                    f"{self.creds.server} did not accept the access token",
                    hint="check BIP_MASTODON_TOKEN (scopes write:statuses and write:media)",
                ) from None
            except errors.MastodonAPIError as exc:
                raise PostFailed(f"Mastodon refused: {_mastodon_message(exc)}") from None
            except errors.MastodonError as exc:
                cause = exc.__cause__ or exc.__context__
                if isinstance(cause, RedirectRefused):
                    raise cause from None
                raise PostFailed(f"Mastodon did not answer: {type(exc).__name__}") from None

    def limit(self) -> Limit:
        if self.max_characters is None:
            info = self._call(self.client.instance_v1)
            if not _dig(info, "version"):
                # Mastodon.py looks for it before each upload and recurses until Python stops
                raise BadInput(
                    f"{self.creds.server} does not answer as a Mastodon server "
                    "(/api/v1/instance has no version)",
                    hint="check BIP_MASTODON_URL: your server's address, e.g. https://mastodon.social",
                )
            found = _dig(info, "configuration", "statuses", "max_characters")
            self.max_characters = int(found) if isinstance(found, int) and found > 0 else 500
        return mastodon_limit(self.max_characters)

    def post(
        self, text: str, parent: PostRef | None, root: PostRef | None, image: Image | None, key: str
    ) -> PostRef:
        media = None
        if image is not None:
            uploaded = self._call(
                lambda: self.client.media_post(
                    image.png,
                    mime_type="image/png",
                    description=image.alt,
                    file_name="loss-curve.png",
                )
            )
            media = [uploaded["id"]]
        status = self._call(
            lambda: self.client.status_post(
                text,
                in_reply_to_id=parent.id if parent else None,
                media_ids=media,
                visibility=self.visibility,
                idempotency_key=key,
            )
        )
        return PostRef(str(status["id"]), str(status.get("url") or status.get("uri") or ""))


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if hasattr(value, "get") else None
    return value


def _mastodon_message(exc: Any) -> str:
    parts = [str(a) for a in getattr(exc, "args", ()) if isinstance(a, (str, int))]
    text = " ".join(parts[1:] if len(parts) > 1 else parts)
    return re.sub(r"\s+", " ", text)[:300] or type(exc).__name__
