"""Semantic Scholar's Graph API: papers by arXiv id or DOI in batches of 500 (`POST /paper/batch`),
with their references, and the papers citing one paper (`/paper/{id}/citations`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.papers.records import Metadata, normalise_arxiv, normalise_doi
from toolkit.readinglist.model import Entry

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


def parse_work(data: Any) -> Work | None:
    """One paper object of the Graph API; None for `null` (an id Semantic Scholar does not know)."""
    if not isinstance(data, dict) or not data.get("paperId"):
        return None
    ids = data.get("externalIds") or {}
    doi = normalise_doi(str(ids.get("DOI") or "")) if ids.get("DOI") else None
    journal: dict[str, Any] = data["journal"] if isinstance(data.get("journal"), dict) else {}
    venue = data.get("venue") or journal.get("name")
    return Work(
        paper_id=str(data["paperId"]),
        title=data.get("title"),
        year=data.get("year") if isinstance(data.get("year"), int) else None,
        arxiv=normalise_arxiv(str(ids.get("ArXiv") or "")) if ids.get("ArXiv") else None,
        doi=doi,
        citation_count=data.get("citationCount")
        if isinstance(data.get("citationCount"), int)
        else None,
        venue=str(venue) if venue else None,
        authors=[
            str(a["name"])
            for a in data.get("authors") or []
            if isinstance(a, dict) and a.get("name")
        ],
        pages=(str(journal.get("pages")).strip() or None) if journal.get("pages") else None,
        references=[w for w in (parse_work(r) for r in data.get("references") or []) if w],
    )


def parse_batch(ids: list[str], data: Any) -> dict[str, Work | None]:
    """The batch answer is a list in the order of the ids asked, `null` for unknown ones."""
    if not isinstance(data, list) or len(data) != len(ids):
        raise ValueError("Semantic Scholar's batch answer does not match the ids asked")
    return {ident: parse_work(item) for ident, item in zip(ids, data, strict=True)}


def parse_citations(data: Any) -> list[Work]:
    """`/paper/{id}/citations`: `{"data": [{"citingPaper": {...}}, ...]}`."""
    rows = data.get("data") if isinstance(data, dict) else None
    works = (parse_work(row.get("citingPaper")) for row in rows or [] if isinstance(row, dict))
    return [w for w in works if w]
