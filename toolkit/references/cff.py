"""CITATION.cff, the one reader: `bip read import`, `bip cite` and `bip read sync` all read a
CITATION.cff through `parse_cff`.

A hand-written file may hold anything: a field of the wrong type (a list for a title, a number
for `authors`, `date-released: TBD`) counts as absent, and the rest is read. Only text that is
not YAML, or YAML that is not a mapping with a `title`, is refused (with file and line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import BadInput
from toolkit.references.names import Name, cff_name, plain


@dataclass(frozen=True)
class CffWork:
    """One work a CITATION.cff describes: the software itself, or its `preferred-citation`."""

    type: str  # software | article | conference-paper | book | ... (CFF's `type`)
    title: str | None
    authors: list[Name] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    url: str | None = None  # `url`
    repository: str | None = None  # `repository-code`, else `repository`
    version: str | None = None
    commit: str | None = None
    journal: str | None = None
    collection_title: str | None = None  # the proceedings of a conference-paper
    conference: str | None = None  # `conference: {name: ...}`
    publisher: str | None = None
    pages: str | None = None  # `start`–`end`
    abstract: str | None = None


@dataclass(frozen=True)
class CffFile:
    path: str
    software: CffWork  # the file's top level
    preferred: CffWork | None = None  # `preferred-citation`: what the authors want cited

    @property
    def cited(self) -> CffWork:
        return self.preferred or self.software


def parse_cff(text: str, path: str = "CITATION.cff") -> CffFile:
    """Read a CITATION.cff; BadInput (located) if it is not YAML or has no `title`."""
    from toolkit import yamledit

    data = yamledit.to_plain(yamledit.parse(text, path))
    if not isinstance(data, dict) or not plain(data.get("title")):
        raise BadInput(
            f"{path}: not a CITATION.cff (no `title`)",
            hint="see https://citation-file-format.github.io",
        )
    software = _work(data, None)
    preferred = data.get("preferred-citation")
    return CffFile(path, software, _work(preferred, data) if isinstance(preferred, dict) else None)


def read_cff(text: str, path: str = "CITATION.cff") -> CffFile | None:
    """`parse_cff`, or None when the file is not usable (a citation then falls back to what the
    reading list says)."""
    try:
        return parse_cff(text, path)
    except BadInput:
        return None


def year_of(value: str | None) -> int | None:
    """The year a date starts with (`2023-05-01`, `2023`), or None (`TBD`)."""
    match = re.match(r"^\s*(\d{4})", value or "")
    return int(match.group(1)) if match else None


def _work(work: dict[str, Any], top: dict[str, Any] | None) -> CffWork:
    def text(*names: str, where: dict[str, Any] = work) -> str | None:
        for name in names:
            value = plain(where.get(name))
            if value:
                return value
        return None

    def mapping(name: str) -> dict[str, Any]:
        value = work.get(name)
        return value if isinstance(value, dict) else {}

    identifiers = {
        str(i.get("type")): value
        for i in _list(work.get("identifiers"))
        if isinstance(i, dict) and (value := plain(i.get("value")))
    }
    cff_type = text("type") or "software"
    repository = text("repository-code", "repository")
    if top is not None and cff_type == "software":
        repository = repository or text("repository-code", where=top)
    released = text("date-released", "date-published")
    if released is None and top is not None:
        released = text("date-released", where=top)
    start, end = plain(work.get("start")), plain(work.get("end"))
    return CffWork(
        type=cff_type,
        title=text("title"),
        authors=[n for n in (cff_name(p) for p in _list(work.get("authors"))) if n],
        year=year_of(text("year")) or year_of(released),
        doi=text("doi") or identifiers.get("doi"),
        url=text("url"),
        repository=repository,
        version=text("version"),
        commit=text("commit"),
        journal=text("journal"),
        # `booktitle` is BibTeX's word, which some files use (Transformers' does)
        collection_title=text("collection-title", "proceedings-title", "booktitle"),
        conference=plain(mapping("conference").get("name")),
        publisher=plain(mapping("publisher").get("name")),
        pages=f"{start}–{end}" if start and end else start,
        abstract=text("abstract"),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
