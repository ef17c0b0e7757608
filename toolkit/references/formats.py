"""A `Reference` written out: BibTeX (biblatex, or `plain` for classic .bst styles), Markdown
for posts and plain text."""

from __future__ import annotations

import re

from toolkit.references.names import Name, parse_name
from toolkit.references.reference import Reference
from toolkit.text import markdown_escape

BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


# Where each type says who published it, in biblatex's data model (biber warns on a
# `publisher` in @article, @misc, @online or @software; @article names only its journal).
PUBLISHER_FIELD = {
    "book": "publisher",
    "inproceedings": "publisher",
    "misc": "organization",
    "software": "organization",
    "online": "organization",
}


def escape(text: str) -> str:
    return "".join(BIBTEX_SPECIALS.get(ch, ch) for ch in text)


def _author_bibtex(author: str, parts: Name | None) -> str:
    """One name as BibTeX reads it: `First Last`, or `von Last, Jr, First` with a family name
    of several words kept whole in braces (`{Le Scao}, Teven`, `van der Maaten, Laurens`)."""
    if author.lower() == "others":
        return "others"
    parts = parts or parse_name(author)
    if parts.literal:
        return "{" + escape(parts.family) + "}"  # an organisation: one unit, not first/last
    particle, family = parts.particle, parts.family
    if particle and not particle.islower():  # "De Maaten": BibTeX's "von" must be lowercase
        particle, family = "", f"{particle} {family}"
    last = escape(family) if " " not in family else "{" + escape(family) + "}"
    last = f"{escape(particle)} {last}" if particle else last
    last += f", {escape(parts.suffix)}" if parts.suffix else ""
    return f"{last}, {escape(parts.given)}" if parts.given else last


def page_range(pages: str) -> str:
    """`611-626`, `611–626`, `611 — 626` -> `611--626`: BibTeX's range dash, whatever was written."""
    return re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", "--", pages.strip())


def _authors_bibtex(authors: list[str], names: dict[str, Name] | None = None) -> str:
    return " and ".join(_author_bibtex(a, (names or {}).get(a)) for a in authors)


def bibtex(ref: Reference, plain: bool = False) -> str:
    """One BibTeX entry. `plain` is for classic BibTeX styles (plain.bst and its kin): no
    biblatex-only types (@software, @online), and what they ignore on @misc (`eprint`, `url`,
    `urldate`, `version`) also said in `howpublished` and `note`, which they print."""
    kind = ref.kind
    if kind in ("online", "book") and not ref.year:
        kind = "misc"  # biblatex's @online and @book need a date; @misc does not
    fields: list[tuple[str, str]] = [("title", "{" + escape(ref.title) + "}")]
    if ref.authors:
        fields.append(("author", _authors_bibtex(ref.authors, ref.names)))
    elif plain:  # what classic styles sort and label by when there is no author
        fields.append(("key", escape(ref.title)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.journal:
        fields.append(("journal", escape(ref.journal)))
    if ref.booktitle:
        fields.append(("booktitle", escape(ref.booktitle)))
    if ref.pages:
        fields.append(("pages", escape(page_range(ref.pages))))
    if ref.publisher and kind in PUBLISHER_FIELD:  # biblatex's @article has no publisher
        fields.append((PUBLISHER_FIELD[kind], escape(ref.publisher)))
    if ref.arxiv:
        fields += [("eprint", ref.arxiv), ("archivePrefix", "arXiv")]
        if ref.primary_class:
            fields.append(("primaryClass", ref.primary_class))
    if ref.doi:
        fields.append(("doi", ref.doi))
    if ref.version:
        fields.append(("version", escape(ref.version)))
    if ref.url:
        fields.append(("url", ref.url))
    if ref.urldate:
        fields.append(("urldate", ref.urldate))
    notes = []
    if plain and kind in ("software", "online", "book"):
        kind = "misc"  # no biblatex types; a reading-list book has no publisher, plain.bst's must
    if plain and ref.arxiv:
        notes.append(
            f"arXiv:{ref.arxiv}" + (f" [{ref.primary_class}]" if ref.primary_class else "")
        )
    if plain and ref.version:
        notes.append(f"version {ref.version}")
    if ref.commit:
        notes.append(f"commit {ref.commit}")
    if plain and ref.urldate:
        notes.append(f"accessed {ref.urldate}")
    if plain and kind == "misc" and ref.url:
        fields.append(("howpublished", "\\url{" + ref.url + "}"))
    if notes:
        fields.append(("note", escape(", ".join(notes))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{ref.key},\n{body}\n}}\n"


def _authors_text(authors: list[str]) -> str:
    named = [a for a in authors if a.lower() != "others"]
    if not named:
        return ""
    if len(named) > 3 or len(named) < len(authors):
        return f"{named[0]} et al."
    return ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]


def pinned_url(ref: Reference) -> str | None:
    if ref.url and ref.commit and "github.com/" in ref.url:
        return f"{ref.url.rstrip('/')}/tree/{ref.commit}"
    if ref.url and ref.version and "github.com/" in ref.url:
        return f"{ref.url.rstrip('/')}/releases/tag/{ref.version}"
    return ref.url


def _locators(ref: Reference, doi: bool, commit: str) -> list[str]:
    """arXiv id, DOI, and the commit (or else the release) a reference points at."""
    where = [f"arXiv:{ref.arxiv}"] if ref.arxiv else []
    if doi and ref.doi:
        where.append(f"doi:{ref.doi}")
    if ref.commit:
        where.append(commit.format(ref.commit[:7]))
    elif ref.version:
        where.append(f"release {ref.version}")
    return where


def text(ref: Reference) -> str:
    who = _authors_text(ref.authors)
    year = f" ({ref.year})" if ref.year else ""
    where = _locators(ref, doi=True, commit="commit {}")
    lead = f"{who}{year}. " if who else (f"{ref.year}. " if ref.year else "")
    tail = f". {', '.join(where)}" if where else ""
    url = pinned_url(ref)
    return f"{lead}{ref.title}{tail}." + (f" {url}" if url else "") + _pending(ref)


def markdown(ref: Reference) -> str:
    who = markdown_escape(_authors_text(ref.authors))
    url = pinned_url(ref)
    shown = markdown_escape(ref.title)  # `A* Sampling`: a title, not emphasis
    title = f"[*{shown}*]({url})" if url else f"*{shown}*"
    bits = _locators(ref, doi=False, commit="at commit `{}`")
    year = f" ({ref.year})" if ref.year else ""
    lead = f"{who}{year}. " if who else ""
    return f"{lead}{title}" + (f", {', '.join(bits)}" if bits else "") + "." + _pending(ref)


def _pending(ref: Reference) -> str:
    """A reference cited by its entry id says so, until `bip read sync` knows its metadata."""
    return f" (cited as `{ref.key}` until `bip read sync` completes it)" if ref.provisional else ""


def references_markdown(refs: list[Reference]) -> str:
    return "\n".join(f"{n}. {markdown(r)}" for n, r in enumerate(refs, start=1))
