"""Crossref's REST API: metadata of a DOI (`/works/{doi}`), with Crossref's etiquette (a `mailto`
in the User-Agent when the user configured an email)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from toolkit import __version__
from toolkit.references.names import person_name
from toolkit.references.records import Metadata, clean_text

DEFAULT_URL = "https://api.crossref.org"
SOURCE = "Crossref"


def user_agent(email: str | None) -> str:
    """Crossref's polite pool: say who you are and how to reach you."""
    agent = f"bip/{__version__} (https://pypi.org/project/build-in-public/"
    return agent + (f"; mailto:{email})" if email else ")")


def work_path(doi: str) -> str:
    return "/works/" + quote(doi, safe="/:;()._-")


def parse_work(data: Any) -> Metadata | None:
    """A Crossref `message` record (the body of /works/{doi}) as Metadata. A field of the wrong
    shape (a null, a number for a list) counts as absent: Crossref's records are uneven.
    ValueError when the answer is not a work record at all."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise ValueError("Crossref's answer is not a work record (no `message` object)")
    message: dict[str, Any] = data["message"]
    authors = []
    for person in _list(message.get("author")):
        if not isinstance(person, dict):
            continue
        family, name = _text(person.get("family")), _text(person.get("name"))
        if family:
            authors.append(person_name(_text(person.get("given")) or "", family))
        elif name:
            authors.append(name)
    venue = _first(message.get("container-title"))
    event = message.get("event")
    if not venue and isinstance(event, dict):
        venue = _text(event.get("name"))
    relation = message.get("relation")
    preprint = None
    for item in _list(relation.get("has-preprint") if isinstance(relation, dict) else None):
        if isinstance(item, dict) and "arxiv" in str(item.get("id", "")).lower():
            preprint = str(item.get("id"))
    publisher = message.get("publisher")
    return Metadata(
        source=SOURCE,
        title=_strip_tags(_first(message.get("title"))),
        authors=authors,
        year=_year(message),
        venue=_strip_tags(venue),
        pages=_text(message.get("page")),
        publisher=_text(publisher),
        doi=_text(message.get("DOI")),
        arxiv=preprint,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """A string (or a number written as one); None for nulls, lists and objects."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    return _text(value)


def _strip_tags(text: str | None) -> str | None:
    """Crossref titles may carry JATS markup (`<i>`, `<sub>`): keep the words."""
    return clean_text(re.sub(r"<[^>]+>", "", text)) if text else None


def _year(message: dict[str, Any]) -> int | None:
    for key in ("published", "issued", "published-print", "published-online", "created"):
        date = message.get(key)
        parts = date.get("date-parts") if isinstance(date, dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = parts[0][0]
            if isinstance(year, int) and not isinstance(year, bool):
                return year
            if isinstance(year, str) and year.strip().isdigit():
                return int(year)
    return None
