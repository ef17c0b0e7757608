"""Read references where they already are: BibTeX/BibLaTeX (`bibfile`), CSL JSON (`csl`) and
CITATION.cff (`cff`), each by a real parser, into `Record`s: a reading-list entry's fields plus
the file's line and citation key. A malformed entry becomes a `Skipped` with its line and
reason; the rest is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput
from toolkit.readinglist import links
from toolkit.readinglist.model import CITE_KEY_PATTERN
from toolkit.references.cff import CffWork
from toolkit.references.records import Metadata, clean_text, normalise_arxiv, normalise_doi

# An arXiv id as people write it in a journal, note or howpublished field (`ArXiv:1412.6980`,
# `arXiv preprint arXiv:1412.6980`, `arxiv.org/abs/1412.6980`).
ARXIV_IN_TEXT = re.compile(
    r"arxiv[:\s/.a-z]*?(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[a-z]{2})?/\d{7}(?:v\d+)?)",
    re.I,
)


@dataclass
class Record:
    """One work read from a file, as reading-list fields."""

    line: int  # 1-based, 0 when the format has no lines (JSON)
    key: str | None  # the file's own citation key
    kind: str
    fields: dict[str, Any]
    abstract: str | None = None

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))


@dataclass
class Skipped:
    line: int
    reason: str


@dataclass
class Parsed:
    path: str
    format: str  # bibtex | csl-json | cff
    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Skipped] = field(default_factory=list)  # a key the file already used

    @property
    def count(self) -> int:
        """Works in the file: every one is a record, skipped, or a duplicate."""
        return len(self.records) + len(self.skipped) + len(self.duplicates)


def read_references(path: Path, abstracts: bool = True) -> Parsed:
    """Read a .bib, a CSL JSON (.json) or a CITATION.cff; BadInput if it is none of them.
    `abstracts=False`: a .bib's abstracts are not read (nor decoded, nor a reason to skip)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder, not a reference file") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    name = path.name.lower()
    if name.endswith((".bib", ".bibtex", ".biblatex")):
        return _bibtex(text, str(path), abstracts)
    if name.endswith(".json"):
        return _csl(text, str(path))
    if name.endswith((".cff", ".yaml", ".yml")):
        return parse_cff_records(text, str(path), clone_repo(path))
    stripped = text.lstrip()
    if stripped.startswith("@") or stripped.startswith("%"):
        return _bibtex(text, str(path), abstracts)
    if stripped.startswith(("[", "{")):
        return _csl(text, str(path))
    if "cff-version" in text:
        return parse_cff_records(text, str(path), clone_repo(path))
    raise BadInput(
        f"{path}: not a reference file bip reads",
        hint="BibTeX/BibLaTeX (.bib), CSL JSON (.json, e.g. from Zotero) or CITATION.cff",
    )


def _bibtex(text: str, path: str, abstracts: bool) -> Parsed:
    from toolkit.references.bibfile import parse_bibtex

    return parse_bibtex(text, path, abstracts)


def _csl(text: str, path: str) -> Parsed:
    from toolkit.references.csl import parse_csl_json

    return parse_csl_json(text, path)


class SkipRecord(Exception):
    """A work of the file that cannot be an entry: the message says why."""


def kind_by_link(url: str | None, meta: Metadata, default: str) -> str:
    if url and links.github_repo(url):
        return "repo"
    if meta.arxiv or normalise_doi(meta.doi):
        return "paper"
    if url:
        try:
            classified = links.classify(url).kind
        except BadInput:
            classified = "post"
        return classified if classified != "repo" else "repo"
    return default or "paper"


def make_record(
    line: int,
    key: str | None,
    kind: str,
    meta: Metadata,
    url: str | None,
    abstract: str | None = None,
    release: str | None = None,
) -> Record:
    values = meta.values()
    if "title" not in values:
        raise SkipRecord("no title")
    out: dict[str, Any] = dict(values)
    if kind == "repo":
        repo = links.github_repo(url or "")
        if repo is None:
            raise SkipRecord("a software entry without a GitHub URL")
        out["repo"] = repo
        url = None
        if release:
            out["release"] = clean_text(release)
    if url and links.is_url(url):
        same = links.identity(url)
        if same not in links.entry_identities(
            None, out.get("repo"), out.get("arxiv"), out.get("doi")
        ):
            out["url"] = url
    if kind in ("post", "video") and "url" not in out:
        kind = "paper"  # a web page without its address: keep what is known about it
    if kind == "paper" and not any(out.get(k) for k in ("arxiv", "doi", "url")):
        if not out.get("year"):
            raise SkipRecord("no arXiv id, DOI or URL, and no year to know it by")
    usable_key = key if key and CITE_KEY_PATTERN.match(key) else None
    return Record(line, usable_key, kind, out, abstract=clean_text(abstract))


# --- CITATION.cff ------------------------------------------------------------------------------


def clone_repo(path: Path) -> str | None:
    """The GitHub repo (`owner/name`) whose clone holds `path`: its origin remote."""
    from toolkit.git import GitError, remotes, run_git

    try:
        top = run_git(path.parent, "rev-parse", "--show-toplevel", exact=False).stdout.strip()
        urls = remotes(Path(top)).get("origin", [])
    except (GitError, OSError):
        return None
    return next((repo for url in urls if (repo := links.github_repo(url))), None)


def parse_cff_records(text: str, path: str, repo: str | None = None) -> Parsed:
    """The software a CITATION.cff describes (a repo: its GitHub URL, else `repo`, the clone
    holding the file), and its `preferred-citation` if it has one."""
    from toolkit.references.cff import parse_cff

    cff = parse_cff(text, path)
    parsed = Parsed(path, "cff")
    works = [("the software", cff.software)]
    if cff.preferred is not None:
        works.append(("preferred-citation", cff.preferred))
    for what, work in works:
        try:
            parsed.records.append(_cff_record(work, repo))
        except SkipRecord as exc:
            parsed.skipped.append(Skipped(0, f"{what}: {exc}"))
    return parsed


# CITATION.cff types -> reading-list kinds; software is a repo when its code is on GitHub.
CFF_KINDS = {"book": "book", "video": "video", "webpage": "post", "website": "post"}


def _cff_record(work: CffWork, clone: str | None) -> Record:
    url = work.repository or work.url
    doi = work.doi
    meta = Metadata(
        source="cff",
        title=work.title,
        authors=[n.display for n in work.authors],
        year=work.year,
        venue=work.journal or work.collection_title or work.conference,
        pages=work.pages,
        publisher=work.publisher,
        arxiv=normalise_arxiv(work.url) or normalise_arxiv(url) or normalise_arxiv(doi),
        doi=doi,
        url=url,
    )
    if work.type == "software":
        # the software is a repo: its code's GitHub URL, else the clone the file came from
        github = next((u for u in (work.repository, work.url) if u and links.github_repo(u)), None)
        if github is None and clone is not None:
            github = f"https://github.com/{clone}"
        if github is None:
            raise SkipRecord(
                "software without its GitHub repository (`repository-code`): import the "
                "CITATION.cff from a clone, or `bip read add` the repo's URL"
            )
        kind, url = "repo", github
    else:
        kind = CFF_KINDS.get(work.type, "paper")
        url = work.url or work.repository
    return make_record(
        0,
        None,
        kind,
        meta,
        url,
        abstract=work.abstract,
        release=work.version if work.type == "software" else None,
    )
