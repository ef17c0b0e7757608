"""Recognise what a user pastes: GitHub repos, arXiv papers, DOIs and other URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from toolkit.errors import BadInput

REPO_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
ARXIV_OLD = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
COMMIT_PATTERN = re.compile(r"^[0-9a-f]{7,40}$")
_GITHUB_HOSTS = {"github.com", "www.github.com"}
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_VIDEO_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "youtu.be",
    "m.youtube.com",
    "bilibili.com",
    "www.bilibili.com",
    "b23.tv",
}


def is_url(text: str) -> bool:
    if any(ch.isspace() for ch in text):
        return False
    parts = urlsplit(text)
    return (
        parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")
    )


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
        raise BadInput(
            f"{text!r} is not a URL, an arXiv id or a DOI",
            hint="e.g. https://github.com/karpathy/nanoGPT, 2205.14135 or 10.1145/3600006.3613165",
        )
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    repo = github_repo(raw)
    if repo:
        return Source(
            "repo", f"https://github.com/{repo}", repo, repo=repo, id_hint=repo.split("/")[1]
        )
    if host in _ARXIV_HOSTS and len(segments) >= 2 and segments[0] in ("abs", "pdf", "html"):
        ident = "/".join(segments[1:]).removesuffix(".pdf")
        if is_arxiv_id(ident):
            return _arxiv(ident)
    if host in ("doi.org", "dx.doi.org") and segments:
        doi = parts.path.lstrip("/")
        if DOI_PATTERN.match(doi):
            return _doi(doi)
    kind = "video" if host in _VIDEO_HOSTS else "post"
    hint = segments[-1] if segments else host.removeprefix("www.").split(".")[0]
    hint = re.sub(r"\.(html?|php|aspx?)$", "", hint)
    return Source(kind, raw, raw, id_hint=hint)


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
    return Source(
        "paper",
        f"https://doi.org/{doi}",
        f"doi:{doi}",
        doi=doi,
        id_hint="doi-" + doi.split("/", 1)[1],
    )


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
