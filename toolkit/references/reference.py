"""What a citation says about an entry: a `Reference`, from the reading list and the repo's
CITATION.cff (its `preferred-citation` wins over the software entry, else its title, authors and
version are used), ready for BibTeX, Markdown or text (`toolkit.references.formats`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from toolkit.readinglist import Entry
from toolkit.references.cff import CffFile, read_cff
from toolkit.references.credit import Credit, credit
from toolkit.references.names import Name
from toolkit.references.records import preprint_venue


@dataclass
class Reference:
    """Everything a citation needs, whatever it came from."""

    key: str
    kind: str  # article | inproceedings | misc | software | book | online
    title: str
    authors: list[str] = field(default_factory=list)
    names: dict[str, Name] = field(default_factory=dict)  # display name -> parts, from CFF
    year: int | None = None
    year_accessed: bool = False  # no publication year known: `year` is when it was read
    url: str | None = None
    arxiv: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    journal: str | None = None
    booktitle: str | None = None  # the proceedings or conference of an @inproceedings
    pages: str | None = None
    publisher: str | None = None
    version: str | None = None
    commit: str | None = None
    urldate: str | None = None
    entry_id: str = ""
    # Metadata not known yet (a title like `arXiv:ID`): cited by the entry id, and said so.
    provisional: bool = False


CFF_KINDS = {
    "article": "article",
    "conference-paper": "inproceedings",
    "conference": "inproceedings",
    "proceedings": "inproceedings",
    "book": "book",
    "software": "software",
}


def from_cff(cff: CffFile, key: str, entry: Entry) -> Reference:
    """A Reference from CITATION.cff: `preferred-citation` first (cffconvert cannot), else the
    software itself; what the file leaves out comes from the entry."""
    work = cff.cited
    kind = CFF_KINDS.get(work.type, "misc")
    url = work.url or work.repository or cff.software.repository or entry.link
    venue = work.collection_title or work.conference or work.journal
    journal = work.journal if kind == "article" else None
    booktitle = venue if kind == "inproceedings" else None
    if (kind == "article" and not journal) or (kind == "inproceedings" and not booktitle):
        kind = "misc"  # never an @article with an empty journal: BibTeX warns, styles print gaps
    software = cff.preferred is None
    return Reference(
        key=key,
        kind=kind,
        title=work.title or entry.title,
        authors=[n.display for n in work.authors] or list(entry.authors),
        names={n.display: n for n in work.authors},
        booktitle=booktitle,
        year=work.year or entry.year,
        url=url,
        doi=work.doi,
        journal=journal,
        pages=work.pages if kind in ("article", "inproceedings") else None,
        publisher=work.publisher,
        version=work.version if software else None,
        commit=entry.commit if software else None,
        arxiv=entry.arxiv,
        primary_class=entry.primary_class,
        entry_id=entry.id,
    )


# Venues that are proceedings (a conference or workshop), not journals: by word or by the
# names of the field's conferences.
_PROCEEDINGS = re.compile(
    r"\b(proceedings|conference|symposium|workshop|neural information processing systems|"
    r"neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|"
    r"emnlp|naacl|aaai|ijcai|kdd|sosp|osdi|nsdi|eurosys|asplos|isca|micro|mlsys|sc|ppopp|"
    r"atc|interspeech|icassp|colm)\b",
    re.IGNORECASE,
)


def reference(
    entry: Entry,
    key: str,
    cff_text: str | None = None,
    today: date | None = None,
    credited: Credit | None = None,
    provisional: bool = False,
) -> Reference:
    """The entry as a citation: its CITATION.cff if it is a repo that has one, else the reading
    list's fields, people credited by `credited` (default: the entry's own authors)."""
    cff = read_cff(cff_text) if entry.kind == "repo" and cff_text else None
    credited = credited or credit(entry, None, None)
    if cff is not None:
        ref = from_cff(cff, key, entry)
        if not ref.authors and credited.names:  # an odd file without authors
            ref.authors = credited.authors
            ref.names = {n.display: n for n in credited.names}
        ref.year = ref.year or credited.year
        return ref
    kind = {
        "paper": "misc",  # the list has no journal: an @article without one is an error
        "repo": "software",
        "book": "book",
        "course": "online",
        "video": "online",
        "post": "online",
        "model": "software",  # a trained model is software (biblatex); plain BibTeX: @misc
        "dataset": "online",
    }[entry.kind]
    authors = credited.authors
    if kind == "book" and not authors:
        kind = "misc"  # a @book needs an author or editor
    journal = booktitle = None
    year = credited.year
    venue = entry.venue if entry.venue and not preprint_venue(entry.venue) else None
    if entry.kind == "paper" and venue and authors and year:
        # A published paper: in proceedings (a conference, a workshop) or in a journal. What
        # every style requires of those types (author, title, year, venue) is all there.
        if _PROCEEDINGS.search(venue):
            kind, booktitle = "inproceedings", venue
        else:
            kind, journal = "article", venue
    accessed = entry.finished or entry.started or entry.added or today or date.today()
    urldate = accessed.isoformat() if kind == "online" else None
    year_accessed = False
    if not year and entry.kind in ("course", "video", "post", "book") and entry.link:
        # No publication date known: the year it was read stands in, as MLA does, and
        # `bip cite` says so (biblatex needs a year on every @online and @book).
        year, year_accessed, urldate = accessed.year, True, accessed.isoformat()
        kind = "online"
    return Reference(
        key=key,
        kind=kind,
        title=entry.title,
        authors=authors,
        names={n.display: n for n in credited.names},
        year=year,
        year_accessed=year_accessed,
        url=entry.link,
        arxiv=entry.arxiv,
        primary_class=entry.primary_class,
        doi=entry.doi,
        journal=journal,
        booktitle=booktitle,
        pages=entry.pages if kind in ("article", "inproceedings") else None,
        publisher=entry.publisher,
        version=entry.release,
        commit=entry.commit,
        urldate=urldate,
        entry_id=entry.id,
        provisional=provisional,
    )
