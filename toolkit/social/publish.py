"""`bip post`: send a thread, remember each post as it goes out, finish it with --resume.

Each thread has a progress record, `.bip/posts/<network>-<key>.json`, keyed by the network,
the account and the exact texts: the id, URL (and Bluesky cid) of every post that went out, and
the key each post is sent under (Bluesky's record key, Mastodon's Idempotency-Key), saved before
it is sent. A post whose answer was lost is found again under its key instead of being sent
twice. No credential is ever in the record. When the whole thread is out, its first post's URL
goes into the blog post's front matter (`bluesky:` / `mastodon:`), and the record says which
day it was published: `published_on(ws, day)` is what the journal reads.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, BipError
from toolkit.fileio import atomic_write_text
from toolkit.social.compose import Draft, from_post, from_run, from_thread_file
from toolkit.social.networks import (
    Bluesky,
    Credentials,
    Mastodon,
    Network,
    Pacing,
    PostRef,
    credentials,
    tid,
)
from toolkit.social.thread import Limit, bluesky_limit, mastodon_limit
from toolkit.workspace import Workspace

NETWORKS = ("bluesky", "mastodon")
RECORDS = "posts"  # under .bip/


@dataclass
class PostRequest:
    network: str
    path: Path | None = None
    run: str | None = None
    thread: Path | None = None
    dry_run: bool = False
    resume: bool = False
    visibility: str = "public"
    max_wait: float = 60.0
    offline: bool = False  # --offline / BIP_OFFLINE: no request at all, so a dry run only


@dataclass
class SentPost:
    n: int
    text: str
    url: str | None  # None: not sent (yet)
    before: bool = False  # sent by an earlier run (--resume)


@dataclass
class PostResult:
    network: str
    server: str
    account: str
    source: str
    posts: list[SentPost]
    image_alt: str | None
    image_bytes: int | None
    dry_run: bool
    record: Path | None = None
    front_matter: Path | None = None  # the blog post whose front matter got the URL
    waited: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return self.posts[0].url if self.posts else None


def post_thread(
    ws: Workspace,
    request: PostRequest,
    connect: Callable[[Credentials, Pacing], Network] | None = None,
    pacing: Pacing | None = None,
) -> PostResult:
    """Plan the thread, and unless it is a dry run, send what has not been sent."""
    if request.network not in NETWORKS:
        raise BadInput(f"--to {request.network!r}: bip posts to bluesky or mastodon")
    sources = [x for x in (request.path, request.run, request.thread) if x is not None]
    if len(sources) != 1:
        raise BadInput("give one of PATH, --run ID or --thread FILE")
    if request.offline and not request.dry_run:
        raise BadInput(
            f"offline (--offline or BIP_OFFLINE): nothing can be sent to {request.network}",
            hint="add --dry-run to see the posts, or post once online",
        )
    pacing = pacing or Pacing(max_wait=request.max_wait)
    creds, network = _connect(request, connect, pacing)
    warnings: list[str] = []
    if network is not None:
        limit = network.limit()
    elif request.offline and request.network == "mastodon":
        limit = mastodon_limit(MASTODON_DEFAULT_CHARACTERS)  # the server is not asked
        warnings.append(
            f"offline: posts cut at Mastodon's default {MASTODON_DEFAULT_CHARACTERS} "
            "characters, not your server's own limit"
        )
    else:
        limit = _dry_limit(request, pacing)
    draft = _draft(ws, request, limit)
    server = creds.server if creds else _dry_server(request)
    account = creds.account if creds else "(not signed in: dry run)"
    result = PostResult(
        network=request.network,
        server=server,
        account=account,
        source=draft.source,
        posts=[SentPost(n, text, None) for n, text in enumerate(draft.posts, start=1)],
        image_alt=draft.image.alt if draft.image else None,
        image_bytes=len(draft.image.png) if draft.image else None,
        dry_run=request.dry_run,
        warnings=warnings,
    )
    if request.dry_run or network is None or creds is None:
        return result
    key = thread_key(request.network, server, creds.account, draft)
    record_path = ws.ensure_state_dir() / RECORDS / f"{request.network}-{key}.json"
    result.record = record_path
    record = _load(record_path) or {
        "network": request.network,
        "server": server,
        "account": creds.account,
        "source": draft.source,
        "posts": [
            {"text": t, "key": None, "id": None, "url": None, "cid": None} for t in draft.posts
        ],
        "published": None,
    }
    sent_before = [p for p in record["posts"] if p["id"]]
    if sent_before and not request.resume:
        done = len(sent_before) == len(record["posts"])
        raise BadInput(
            f"this thread was {'already posted' if done else 'partly posted'} to {request.network}: "
            + ", ".join(p["url"] for p in sent_before),
            hint=None if done else "finish it with the same command and --resume",
        )
    _send(ws, network, draft, record, record_path, result)
    result.waited = list(pacing.waited)
    if draft.post_file is not None and result.url:
        set_front_matter(draft.post_file, request.network, result.url)
        result.front_matter = draft.post_file
    return result


def _connect(
    request: PostRequest,
    connect: Callable[[Credentials, Pacing], Network] | None,
    pacing: Pacing,
) -> tuple[Credentials | None, Network | None]:
    if request.dry_run:
        return None, None
    creds = credentials(request.network)
    if connect is not None:
        return creds, connect(creds, pacing)
    if request.network == "bluesky":
        return creds, Bluesky(creds, pacing)
    return creds, Mastodon(creds, pacing, request.visibility)


MASTODON_DEFAULT_CHARACTERS = 500  # Mastodon's own default, when the server cannot be asked


def _dry_server(request: PostRequest) -> str:
    from toolkit.settings import environ

    if request.network == "bluesky":
        return (environ("BIP_BLUESKY_PDS") or "https://bsky.social").strip()
    return (environ("BIP_MASTODON_URL") or "").strip()


def _dry_limit(request: PostRequest, pacing: Pacing) -> Limit:
    """A dry run signs in nowhere; Mastodon's limit is still the server's (a public endpoint)."""
    if request.network == "bluesky":
        return bluesky_limit()
    from toolkit.settings import environ

    if not environ("BIP_MASTODON_URL"):
        raise BadInput(
            "a Mastodon dry run needs BIP_MASTODON_URL: the post limit is your server's",
            hint="e.g. BIP_MASTODON_URL=https://mastodon.social",
        )
    creds = Credentials("mastodon", _dry_server(request), "", "")
    return Mastodon(creds, pacing, request.visibility).limit()


def _draft(ws: Workspace, request: PostRequest, limit: Limit) -> Draft:
    if request.path is not None:
        return from_post(request.path, limit)
    if request.thread is not None:
        return from_thread_file(request.thread, limit)
    return from_run(ws, str(request.run), limit)


def thread_key(network: str, server: str, account: str, draft: Draft) -> str:
    digest = hashlib.sha256()
    for part in (network, server, account.lower(), *draft.posts):
        digest.update(part.encode("utf-8") + b"\0")
    if draft.image is not None:
        digest.update(hashlib.sha256(draft.image.png).digest())
    return digest.hexdigest()[:16]


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BadInput(f"{path}: the thread's progress record is unreadable ({exc})") from None
    return data if isinstance(data, dict) else None


def _save(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def _send(
    ws: Workspace,
    network: Network,
    draft: Draft,
    record: dict[str, Any],
    path: Path,
    result: PostResult,
) -> None:
    posts = record["posts"]
    refs: list[PostRef | None] = [
        PostRef(p["id"], p["url"], p.get("cid")) if p["id"] else None for p in posts
    ]
    for n, entry in enumerate(posts):
        if refs[n] is not None:
            result.posts[n].url, result.posts[n].before = entry["url"], True
            continue
        tried = bool(entry["key"])  # an earlier run sent it, maybe: its answer may be lost
        if not tried:  # saved before sending: a lost answer is found again by it
            entry["key"] = _post_key(network.name, path.stem, n)
            _save(path, record)
        root = refs[0]
        parent = refs[n - 1] if n else None
        try:
            found = _already_sent(network, entry["key"]) if tried else None
            ref = found or network.post(
                entry["text"], parent, root, draft.image if n == 0 else None, entry["key"]
            )
        except BipError as exc:  # refused, rate limited, redirected, signed out: say what went out
            _save(path, record)
            raise _partial(exc, network.name, result, n) from None
        refs[n] = ref
        entry.update(id=ref.id, url=ref.url, cid=ref.cid)
        result.posts[n].url = ref.url
        if n == len(posts) - 1:
            record["published"] = ws.now().date().isoformat()
        _save(path, record)


def _post_key(network: str, stem: str, n: int) -> str:
    if network == "bluesky":  # a record key: a TID, unique and time-sorted
        return tid(time.time_ns() // 1000 + n, int(stem.rsplit("-", 1)[-1][:3], 16))
    return f"bip-{stem}-{n + 1}"


def _already_sent(network: Network, key: str) -> PostRef | None:
    finder = getattr(network, "find", None)
    return finder(key) if finder is not None else None


def _partial(exc: BipError, network: str, result: PostResult, failed: int) -> BipError:
    went = [p for p in result.posts if p.url]
    total = len(result.posts)
    if went:
        listed = "; ".join(f"{p.n}/{total} {p.url}" for p in went)
        said = f"{len(went)} of {total} posts went out to {network} ({listed}); post {failed + 1} did not: "
    else:
        said = f"nothing was posted to {network}; post {failed + 1} of {total} failed: "
    error = type(exc)(said + exc.message, hint="run the same command again with --resume")
    return error


FRONT = re.compile(r"\A(\ufeff?---[ \t]*\r?\n)(.*?)(^---[ \t]*\r?$)", re.S | re.M)


def set_front_matter(path: Path, network: str, url: str) -> None:
    """`bluesky: URL` (or `mastodon:`) in the post's front matter; only that line changes."""
    text = path.read_text(encoding="utf-8")
    found = FRONT.match(text)
    if not found:
        return
    newline = "\r\n" if "\r\n" in found.group(1) else "\n"
    line = f"{network}: {json.dumps(url)}"
    body = found.group(2)
    pattern = re.compile(rf"^{network}\s*:.*$", re.M)
    body = pattern.sub(line, body, count=1) if pattern.search(body) else body + line + newline
    atomic_write_text(path, text[: found.start(2)] + body + text[found.end(2) :])


@dataclass
class PublishedPost:
    network: str
    url: str
    source: str
    day: str


def shared_lines(ws: Workspace, day: date) -> list[str]:
    """The journal's Published lines for the threads sent on `day`: where, and the URL."""
    lines = []
    for post in published_on(ws, day):
        source = post.source
        try:
            source = str(Path(source).relative_to(ws.root))
        except ValueError:
            pass
        lines.append(f"- posted to {post.network.capitalize()}: {source} ({post.url})")
    return lines


def published_on(ws: Workspace, day: date | None = None) -> list[PublishedPost]:
    """Threads whose last post went out on `day` (all days when None): for the journal's
    Published part."""
    folder = ws.paths.state / RECORDS
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = _load(path)
        except BipError:
            continue
        if not record or not record.get("published") or not record["posts"][0].get("url"):
            continue
        if day is not None and record["published"] != day.isoformat():
            continue
        out.append(
            PublishedPost(
                record["network"], record["posts"][0]["url"], record["source"], record["published"]
            )
        )
    return out
