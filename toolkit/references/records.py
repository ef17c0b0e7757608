"""What a source says about a work, and how it completes a reading-list entry.

Every source (arXiv, Crossref, Semantic Scholar, a .bib file) is turned into a `Metadata`; the
entry is completed with the fields it lacks, never overwriting what the user wrote unless a field
is named in `overwrite`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from toolkit.readinglist import links
from toolkit.readinglist.model import Entry

# The fields a source may fill, in the order bip writes them into a new entry.
PAPER_FIELDS = (
    "title",
    "authors",
    "year",
    "venue",
    "pages",
    "publisher",
    "arxiv",
    "primary_class",
    "doi",
)
PRIMARY_CLASS = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
# Venues that only say "it is a preprint": not a venue.
_NOT_VENUES = re.compile(
    r"^(arxiv(\.org)?|arxiv e-prints?|corr|arxiv preprint.*|preprint|biorxiv|ssrn"
    r"|.*arxiv(\.org)?[:./ ]*(abs/)?\d{4}\.\d+.*)$",  # an arXiv id written as a journal
    re.I,
)


@dataclass
class Metadata:
    """A work as one source describes it; `None`/empty where it says nothing."""

    source: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    arxiv: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    abstract: str | None = None
    url: str | None = None

    def values(self) -> dict[str, Any]:
        """The fields this source gives, cleaned and checked, in PAPER_FIELDS order."""
        out: dict[str, Any] = {}
        title = clean_text(self.title)
        if title:
            out["title"] = title
        authors = [a for a in (clean_text(a) for a in self.authors) if a]
        if authors:
            out["authors"] = authors
        if isinstance(self.year, int) and 1000 <= self.year <= 2100:
            out["year"] = self.year
        venue = clean_text(self.venue)
        if venue and not preprint_venue(venue):
            out["venue"] = venue
        for name in ("pages", "publisher"):
            value = clean_text(getattr(self, name))
            if value and not (name == "pages" and value.lower().startswith("arxiv")):
                out[name] = value  # NASA ADS writes a preprint's pages as `arXiv:2001.08361`
        arxiv = normalise_arxiv(self.arxiv)
        if arxiv:
            out["arxiv"] = arxiv
            if self.primary_class and PRIMARY_CLASS.match(self.primary_class):
                out["primary_class"] = self.primary_class
        doi = normalise_doi(self.doi)
        alias = links.ARXIV_DOI.match(doi) if doi else None
        if alias:  # 10.48550/arXiv.ID names the preprint: it is its arXiv id
            out.setdefault("arxiv", normalise_arxiv(alias.group("id")))
        elif doi:
            out["doi"] = doi
        return {k: out[k] for k in PAPER_FIELDS if k in out and out[k]}


def preprint_venue(venue: str) -> bool:
    """A venue that only says "it is a preprint" (`arXiv`, `CoRR`, `arXiv e-prints`,
    `arXiv preprint arXiv:1412.6980`): no journal or proceedings to cite."""
    return bool(_NOT_VENUES.match(venue.strip()))


def clean_text(value: Any) -> str | None:
    """One line of text: runs of whitespace (arXiv wraps long titles) become one space."""
    if value is None:
        return None
    return " ".join(str(value).split()) or None  # str.split's whitespace is re's `\s`


def normalise_arxiv(value: str | None) -> str | None:
    """`2205.14135` from any form: `arXiv:2205.14135v2`, an abs/pdf URL, the arXiv DOI."""
    if not value:
        return None
    text = value.strip()
    key = links.identity(text)
    if key and key.startswith("arxiv:"):
        return key.removeprefix("arxiv:")
    return None


def normalise_doi(value: str | None) -> str | None:
    if not value:
        return None
    # No DOI holds a space or ends in a full stop: a .bib wraps a long one across lines, and
    # one copied from a sentence brings the sentence's full stop.
    text = "".join(value.split()).rstrip(".,;")
    if links.DOI_PATTERN.match(text):
        return text  # a bare DOI, as most sources give it
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
    ):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = re.sub(r"^doi:\s*", "", text, flags=re.I)
    return text if links.DOI_PATTERN.match(text) else None


def combine(*sources: Metadata | None) -> Metadata | None:
    """One description from several, the first source that gives a field winning."""
    given = [s for s in sources if s is not None]
    if not given:
        return None
    merged = Metadata(source=" + ".join(dict.fromkeys(s.source for s in given)))
    for f in fields(Metadata):
        if f.name == "source":
            continue
        for source in given:
            value = getattr(source, f.name)
            if value:
                setattr(merged, f.name, value)
                break
    return merged


def placeholder_titles(entry: Entry) -> set[str]:
    """Titles `bip read add` writes when it knows only the identifier: not the user's words."""
    found = {f"arXiv:{entry.arxiv}", f"doi:{entry.doi}"}
    if entry.url:
        found.add(entry.url)
    if entry.link:
        found.add(entry.link)
    return found


def missing(entry: Entry, name: str) -> bool:
    value = getattr(entry, name)
    if name == "title":
        return not value or value in placeholder_titles(entry)
    return value in (None, "", [])


def completion(
    entry: Entry, meta: Metadata, overwrite: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The fields `meta` fills in `entry`: missing ones, and those named in `overwrite`."""
    out: dict[str, Any] = {}
    for name, value in meta.values().items():
        if (
            name == "primary_class"
            and entry.arxiv
            and meta.arxiv
            and normalise_arxiv(meta.arxiv) != entry.arxiv
        ):
            continue  # a category of another paper
        if (missing(entry, name) or name in overwrite) and getattr(entry, name) != value:
            out[name] = value
    return out
