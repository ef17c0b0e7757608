"""Semantic Scholar's Graph API: papers by arXiv id or DOI in batches of 500 (`POST /paper/batch`),
with their references, and the papers citing one paper (`/paper/{id}/citations`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.readinglist.model import Entry
from toolkit.references.records import Metadata, normalise_arxiv, normalise_doi

DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
SOURCE = "Semantic Scholar"
BATCH = 500  # POST /paper/batch takes at most 500 ids
_WORK = "paperId,externalIds,title,year,citationCount"
BATCH_FIELDS = (
    f"{_WORK},venue,journal,authors,"
    "references.paperId,references.externalIds,references.title,references.year,"
    "references.citationCount"
)
METADATA_FIELDS = f"{_WORK},venue,journal,authors"
CITATION_FIELDS = _WORK
CITATIONS_LIMIT = 1000  # one page: the most a single request returns


@dataclass
class Work:
    """A paper as Semantic Scholar knows it."""

    paper_id: str
    title: str | None = None
    year: int | None = None
    arxiv: str | None = None
    doi: str | None = None
    citation_count: int | None = None
    venue: str | None = None
    authors: list[str] = field(default_factory=list)
    pages: str | None = None
    references: list[Work] = field(default_factory=list)

    @property
    def identities(self) -> set[str]:
        found = {f"s2:{self.paper_id}"}
        if self.arxiv:
            found.add(f"arxiv:{self.arxiv}")
        if self.doi:
            found.add(f"doi:{self.doi.lower()}")
        return found

    def metadata(self) -> Metadata:
        return Metadata(
            source=SOURCE,
            title=self.title,
            authors=self.authors,
            year=self.year,
            venue=self.venue,
            pages=self.pages,
            arxiv=self.arxiv,
            doi=self.doi,
        )


def s2_id(entry: Entry) -> str | None:
    """How Semantic Scholar names an entry's paper: `ARXIV:2205.14135` or `DOI:10.…`."""
    if entry.arxiv:
        return f"ARXIV:{entry.arxiv}"
    if entry.doi:
        return f"DOI:{entry.doi}"
    return None


def parse_work(data: Any, depth: int = 0) -> Work | None:
    """One paper object of the Graph API; None for `null` (an id Semantic Scholar does not know).
    A field of the wrong shape (a null, a number for a string) counts as absent."""
    if not isinstance(data, dict) or not _text(data.get("paperId")):
        return None
    ids = data["externalIds"] if isinstance(data.get("externalIds"), dict) else {}
    journal = data["journal"] if isinstance(data.get("journal"), dict) else {}
    arxiv, doi = _text(ids.get("ArXiv")), _text(ids.get("DOI"))
    references = data.get("references") if depth == 0 else None
    return Work(
        paper_id=str(_text(data["paperId"])),
        title=_text(data.get("title")),
        year=_int(data.get("year")),
        arxiv=normalise_arxiv(arxiv) if arxiv else None,
        doi=normalise_doi(doi) if doi else None,
        citation_count=_int(data.get("citationCount")),
        venue=_text(data.get("venue")) or _text(journal.get("name")),
        authors=[
            name
            for a in _items(data.get("authors"))
            if isinstance(a, dict) and (name := _text(a.get("name")))
        ],
        pages=_text(journal.get("pages")),
        references=[
            w for w in (parse_work(r, depth + 1) for r in _items(references)) if w is not None
        ],
    )


def _text(value: Any) -> str | None:
    """A string (or a number written as one); None for nulls, lists, objects and booleans."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_batch(ids: list[str], data: Any) -> dict[str, Work | None]:
    """The batch answer is a list in the order of the ids asked, `null` for unknown ones."""
    if not isinstance(data, list) or len(data) != len(ids):
        raise ValueError("Semantic Scholar's batch answer does not match the ids asked")
    return {ident: parse_work(item) for ident, item in zip(ids, data, strict=True)}


def parse_citations(data: Any) -> list[Work]:
    """`/paper/{id}/citations`: `{"data": [{"citingPaper": {...}}, ...]}`."""
    rows = _items(data.get("data")) if isinstance(data, dict) else []
    works = (parse_work(row.get("citingPaper"), 1) for row in rows if isinstance(row, dict))
    return [w for w in works if w]
