"""Recognise what a user pastes: GitHub repos, arXiv papers, DOIs and other URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from toolkit.errors import BadInput

REPO_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
ARXIV_OLD = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
COMMIT_PATTERN = re.compile(r"^[0-9a-f]{7,40}$")
_GITHUB_HOSTS = {"github.com", "www.github.com"}
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_VIDEO_HOSTS = {*_YOUTUBE_HOSTS, "youtu.be", "bilibili.com", "www.bilibili.com", "b23.tv"}
_OPENREVIEW_HOSTS = {"openreview.net", "www.openreview.net"}
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
BILIBILI_ID = re.compile(r"^(BV[0-9A-Za-z]{10}|av\d+)$")
# Query parameters that say where a link was shared from, not what it points at.
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|ref|ref_src|si|feature|share_source|spm_id_from)$")
# Last path segments that name a page type rather than the thing (`/watch`, `/forum`, ...).
_GENERIC_SEGMENTS = {
    "watch", "forum", "pdf", "abs", "index", "view", "video", "post", "posts", "p", "article",
    "articles", "blog", "page", "item", "details", "playlist", "html", "embed", "shorts", "live",
}  # fmt: skip


_SPACE = re.compile(r"\s")  # str.isspace's characters, exactly (both ask Py_UNICODE_ISSPACE)


# The common case, decided without urlsplit: http(s), then a host of letters, digits, dots and
# dashes with a dot in it, then the end or a path, query or fragment.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]*\.[A-Za-z0-9.-]*(?:[/?#]|\Z)")


def is_url(text: str) -> bool:
    if _SPACE.search(text):
        return False
    if _PLAIN_URL.match(text):
        return True
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.hostname
    return bool(host) and "." in (host or "")


def is_arxiv_id(text: str) -> bool:
    return bool(ARXIV_NEW.match(text) or ARXIV_OLD.match(text))


@dataclass(frozen=True)
class Source:
    """What a pasted reference is, and the fields a reading-list entry gets from it."""

    kind: str
    url: str
    title: str
    repo: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    id_hint: str = ""
    named_by_title: bool = False  # a video or playlist: a given title makes a better id


def classify(text: str) -> Source:
    """Turn a URL, arXiv id or DOI into a Source; BadInput if it is none of them."""
    raw = text.strip()
    bare = raw.removeprefix("arXiv:").removeprefix("arxiv:")
    if is_arxiv_id(bare):
        return _arxiv(bare)
    doi = raw.removeprefix("doi:").removeprefix("DOI:")
    if DOI_PATTERN.match(doi):
        return _doi(doi)
    if not is_url(raw):
        repo = (
            github_repo(raw) if raw.lower().startswith(("github.com/", "www.github.com/")) else None
        )
        if repo:
            return _repo(repo)
        raise BadInput(
            f"{text!r} is not a URL, an arXiv id or a DOI",
            hint="e.g. https://github.com/karpathy/nanoGPT, 2205.14135 or 10.1145/3600006.3613165",
        )
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    repo = github_repo(raw)
    if repo:
        return _repo(repo)
    ident = arxiv_in_url(raw)
    if ident:
        return _arxiv(ident)
    if host in ("doi.org", "dx.doi.org", "www.doi.org") and segments:
        doi = parts.path.lstrip("/")
        if DOI_PATTERN.match(doi):
            return _doi(doi)
    video = video_id(raw)
    if video:
        site, vid = video
        if site == "youtube":
            url = f"https://www.youtube.com/watch?v={vid}"
        else:
            url = f"https://www.bilibili.com/video/{vid}"
        return Source("video", url, url, id_hint=f"{site}-{vid}", named_by_title=True)
    forum = openreview_id(raw)
    if forum:
        url = f"https://openreview.net/forum?id={forum}"
        return Source("paper", url, url, id_hint=f"openreview-{forum}")
    known = _site(raw, host, segments)
    if known:
        return known
    kind = "video" if host in _VIDEO_HOSTS else "post"
    return Source(kind, raw, raw, id_hint=_url_hint(host, segments))


_HF_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
# First path segments of huggingface.co that are pages of the site, not an owner's model.
_HF_PAGES = {
    "docs", "blog", "papers", "collections", "learn", "models", "datasets", "spaces", "tasks",
    "organizations", "settings", "join", "login", "pricing", "posts", "chat", "enterprise",
}  # fmt: skip
_COURSE_HOSTS = {"coursera.org": ("learn", "specializations", "professional-certificates")}
_EDX_HOSTS = {"edx.org", "learning.edx.org"}
# Course codes as universities write them: cs336, CS231n, 6.S191, 15-445, 11-785.
_COURSE_CODE = re.compile(
    r"^(?!(?:fall|spring|summer|winter|autumn)\d)"  # a term (fall2024) is not a course
    r"(?:[a-z]{2,6}-?\d{2,4}[a-z]?|\d{1,2}[.-]s?\d{3}[a-z]?|\d{2}-?\d{3})$",
    re.I,
)
_ACADEMIC = re.compile(r"(\.edu|\.ac\.[a-z]{2}|\.edu\.[a-z]{2})$")
YOUTUBE_PLAYLIST = re.compile(r"^[A-Za-z0-9_-]{10,64}$")


def playlist_id(url: str) -> str | None:
    """The list id of a YouTube playlist URL (`/playlist?list=...`), else None. A watch URL
    that names a list is its video: `video_id` answers it first."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host not in _YOUTUBE_HOSTS or parts.path.rstrip("/") != "/playlist":
        return None
    found = (parse_qs(parts.query).get("list") or [""])[0]
    return found if YOUTUBE_PLAYLIST.match(found) else None


def hugging_face(url: str) -> tuple[str, str] | None:
    """(kind, owner/name) of a Hugging Face model, dataset or Space URL, else None; kind is
    `model`, `dataset` or `space`."""
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in _HF_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    kind = "model"
    if segments[:1] in (["datasets"], ["spaces"]):
        kind = segments[0].removesuffix("s")
        segments = segments[1:]
    elif segments[:1] and segments[0] in _HF_PAGES:
        return None
    if len(segments) < 2:
        return None
    name = f"{segments[0]}/{segments[1]}"
    return (kind, name) if REPO_PATTERN.match(name) else None


def _site(raw: str, host: str, segments: list[str]) -> Source | None:
    """Courses (Coursera, edX, a university's course page), YouTube playlists and Hugging Face
    models, datasets and Spaces: each with its kind, a canonical URL and a readable id."""
    bare = host.removeprefix("www.")
    playlist = playlist_id(raw)
    if playlist:
        url = f"https://www.youtube.com/playlist?list={playlist}"
        # A playlist's id comes from its title (`read add --title`); without one, from the list.
        return Source("course", url, url, id_hint=f"playlist-{playlist[-8:]}", named_by_title=True)
    hf = hugging_face(raw)
    if hf:
        kind, name = hf
        prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[kind]
        url = f"https://huggingface.co/{prefix}{name}"
        return Source("post" if kind == "space" else kind, url, name, id_hint=name.split("/")[1])
    if bare in _COURSE_HOSTS and len(segments) >= 2 and segments[0] in _COURSE_HOSTS[bare]:
        url = f"https://www.{bare}/{segments[0]}/{segments[1]}"
        return Source("course", url, url, id_hint=segments[1])
    if bare in _EDX_HOSTS and len(segments) >= 2 and segments[0] in ("course", "learn"):
        url = f"https://www.edx.org/{'/'.join(segments[: 3 if segments[0] == 'learn' else 2])}"
        return Source("course", url, url, id_hint=segments[-1])
    if (
        host.endswith(("huggingface.co", "hf.co"))
        and segments[:1] == ["learn"]
        and len(segments) > 1
    ):
        return Source("course", raw, raw, id_hint=segments[1])
    if _ACADEMIC.search(bare):
        labels = bare.split(".")
        codes = [s for s in [labels[0], *segments] if _COURSE_CODE.match(s)]
        words = {"course", "courses", "class", "classes", "teaching", "syllabus", "lectures"}
        if codes or any(s.lower() in words for s in segments):
            hint = codes[0] if codes else _url_hint(host, segments)
            return Source("course", raw, raw, id_hint=hint)
    return None


# github.com/<one segment> pages of the site itself, not a person's or organisation's profile.
_GITHUB_PAGES = {
    "about", "apps", "collections", "customer-stories", "enterprise", "events", "explore",
    "features", "login", "marketplace", "new", "notifications", "orgs", "pricing", "pulls",
    "issues", "search", "security", "settings", "signup", "site", "sponsors", "topics", "trending",
}  # fmt: skip


def github_profile(text: str) -> str | None:
    """The login of a GitHub profile or organisation page (`https://github.com/karpathy`,
    `github.com/orgs/deepseek-ai`), else None."""
    raw = text.strip()
    if not is_url(raw):
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    if (parts.hostname or "").lower() not in _GITHUB_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 2 and segments[0].lower() == "orgs":
        segments = segments[1:]
    if len(segments) != 1 or segments[0].lower() in _GITHUB_PAGES:
        return None
    login = segments[0]
    return login if re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", login) else None


def _url_hint(host: str, segments: list[str]) -> str:
    """A readable id from a URL: its last meaningful path segment, else the site's name."""
    for segment in reversed(segments):
        segment = re.sub(r"\.(html?|php|aspx?|pdf)$", "", segment)
        if segment.lower() not in _GENERIC_SEGMENTS and re.search(r"[A-Za-z0-9]", segment):
            return segment
    return host.removeprefix("www.").split(".")[0]


def _repo(repo: str) -> Source:
    return Source("repo", f"https://github.com/{repo}", repo, repo=repo, id_hint=repo.split("/")[1])


def _arxiv(ident: str) -> Source:
    base = re.sub(r"v\d+$", "", ident)
    return Source(
        "paper",
        f"https://arxiv.org/abs/{base}",
        f"arXiv:{base}",
        arxiv=base,
        id_hint=f"arxiv-{base.replace('/', '-')}",
    )


def _doi(doi: str) -> Source:
    arxiv_doi = ARXIV_DOI.match(doi)
    if arxiv_doi and is_arxiv_id(arxiv_doi.group("id")):
        return _arxiv(arxiv_doi.group("id"))
    return Source(
        "paper",
        f"https://doi.org/{doi}",
        f"doi:{doi}",
        doi=doi,
        id_hint="doi-" + doi.split("/", 1)[1],
    )


def arxiv_in_url(url: str) -> str | None:
    """The arXiv id of an arxiv.org abs/pdf/html URL (version kept), else None."""
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in _ARXIV_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0] in ("abs", "pdf", "html", "format"):
        ident = "/".join(segments[1:]).removesuffix(".pdf")
        if is_arxiv_id(ident):
            return ident
    return None


def video_id(url: str) -> tuple[str, str] | None:
    """("youtube", ID) or ("bilibili", BV...) for a video URL in any shared form, else None.

    YouTube: watch?v=ID (with &t=30s, &list=..., si=...), youtu.be/ID, /shorts/ID, /embed/ID,
    /live/ID. Bilibili: /video/BV... (with ?p= or share parameters).
    """
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    candidate = None
    if host == "youtu.be" and segments:
        candidate = segments[0]
    elif host in _YOUTUBE_HOSTS:
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in ("shorts", "embed", "live", "v"):
            candidate = segments[1]
    if candidate and YOUTUBE_ID.match(candidate):
        return "youtube", candidate
    if host in ("bilibili.com", "www.bilibili.com", "m.bilibili.com") and len(segments) >= 2:
        if segments[0] == "video" and BILIBILI_ID.match(segments[1]):
            return "bilibili", segments[1]
    return None


def openreview_id(url: str) -> str | None:
    """The forum id of an openreview.net forum or pdf URL, else None."""
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in _OPENREVIEW_HOSTS:
        return None
    if parts.path.strip("/") not in ("forum", "pdf"):
        return None
    forum = (parse_qs(parts.query).get("id") or [""])[0]
    return forum if re.fullmatch(r"[A-Za-z0-9_-]+", forum) else None


@lru_cache(maxsize=65536)  # a pure function, asked again for the same list's values
@lru_cache(maxsize=1 << 14)  # an import asks for each of its thousands of ids several times
def identity(reference: str) -> str | None:
    """What a reference points at, the same however it is written; None if it is not one.

    `arxiv:2205.14135` (bare, `arXiv:` or versioned id, abs/pdf/html URL, arXiv DOI),
    `doi:10.1145/...` (lowercase), `github:owner/name` (lowercase, any URL form),
    `youtube:ID` / `bilibili:BV...`, `openreview:ID`, else `url:host/path?query` with the
    scheme, `www.`, trailing slash, fragment and tracking parameters left out.
    """
    raw = reference.strip()
    if not raw:
        return None
    bare = raw.removeprefix("arXiv:").removeprefix("arxiv:")
    if is_arxiv_id(bare):
        return "arxiv:" + re.sub(r"v\d+$", "", bare)
    doi = raw.removeprefix("doi:").removeprefix("DOI:")
    if raw.lower().startswith(("https://doi.org/", "http://doi.org/", "https://dx.doi.org/")):
        doi = urlsplit(raw).path.lstrip("/")
    if DOI_PATTERN.match(doi):
        arxiv_doi = ARXIV_DOI.match(doi)
        if arxiv_doi and is_arxiv_id(arxiv_doi.group("id")):
            return "arxiv:" + re.sub(r"v\d+$", "", arxiv_doi.group("id"))
        return "doi:" + doi.lower()
    repo = github_repo(raw)
    if repo:
        return "github:" + repo.lower()
    if REPO_PATTERN.match(raw) and "." not in raw.split("/")[0]:
        return "github:" + raw.lower()  # the `repo:` field of an entry
    ident = arxiv_in_url(raw)
    if ident:
        return "arxiv:" + re.sub(r"v\d+$", "", ident)
    video = video_id(raw)
    if video:
        return f"{video[0]}:{video[1]}"
    forum = openreview_id(raw)
    if forum:
        return "openreview:" + forum
    playlist = playlist_id(raw)
    if playlist:
        return "youtube-playlist:" + playlist
    hf = hugging_face(raw)
    if hf:
        return f"huggingface:{hf[0]}:{hf[1].lower()}"
    if not is_url(raw):
        return None
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = urlencode(
        sorted(
            (k, v) for k, vs in parse_qs(parts.query).items() if not _TRACKING.match(k) for v in vs
        )
    )
    return f"url:{host}{path}" + (f"?{query}" if query else "")


def entry_identities(
    url: str | None = None,
    repo: str | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
) -> set[str]:
    """Every identity a reading-list entry has through its `url`, `repo`, `arxiv` and `doi`."""
    found = {identity(value) for value in (url, repo, arxiv, doi) if value}
    return {key for key in found if key}


_GIT_REMOTE = re.compile(r"^(?:ssh://)?git@(?P<host>[^:/]+)[:/](?P<path>.+)$")


def github_repo(url: str) -> str | None:
    """`owner/name` of a github.com URL in any form people paste or git stores, else None.

    https (with or without www, `.git`, a trailing slash, or a deeper path such as /tree/main),
    `git@github.com:owner/name.git`, `ssh://git@github.com/owner/name` and `git://` all count.
    """
    text = url.strip()
    match = _GIT_REMOTE.match(text)
    if match:
        host, path = match.group("host").lower(), match.group("path")
    else:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host, path = (parts.hostname or "").lower(), parts.path
    if host not in _GITHUB_HOSTS:
        return None
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        return None
    repo = f"{segments[0]}/{segments[1].removesuffix('.git')}"
    return repo if REPO_PATTERN.match(repo) else None


def shared_identities(entries: list[Any]) -> list[tuple[Any, Any, str]]:
    """(first entry, later entry, identity) for every later entry that is the same thing as an
    earlier one (the same arXiv paper, DOI, repo or video however written): what `bip read add`
    refuses, found in a list edited by hand or by an older bip."""
    seen: dict[str, Any] = {}
    found = []
    for entry in entries:
        for key in sorted(entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi)):
            first = seen.setdefault(key, entry)
            if first is not entry:
                found.append((first, entry, key))
                break
    return found
