"""Crossref's REST API: metadata of a DOI (`/works/{doi}`), with Crossref's etiquette (a `mailto`
in the User-Agent when the user configured an email)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from toolkit import __version__
from toolkit.papers.bibimport import person_name
from toolkit.papers.records import Metadata, clean_text

DEFAULT_URL = "https://api.crossref.org"
SOURCE = "Crossref"


def user_agent(email: str | None) -> str:
    """Crossref's polite pool: say who you are and how to reach you."""
    agent = f"bip/{__version__} (https://pypi.org/project/build-in-public/"
    return agent + (f"; mailto:{email})" if email else ")")


def work_path(doi: str) -> str:
    return "/works/" + quote(doi, safe="/:;()._-")


def parse_work(data: Any) -> Metadata | None:
    """A Crossref `message` record (the body of /works/{doi}) as Metadata."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        return None
    authors = []
    for person in message.get("author") or []:
        if not isinstance(person, dict):
            continue
        if person.get("family"):
            authors.append(person_name(str(person.get("given", "")), str(person["family"])))
        elif person.get("name"):
            authors.append(str(person["name"]))
    venue = _first(message.get("container-title"))
    event = message.get("event")
    if not venue and isinstance(event, dict):
        venue = event.get("name")
    relation = message.get("relation") or {}
    preprint = None
    for item in relation.get("has-preprint") or []:
        if isinstance(item, dict) and "arxiv" in str(item.get("id", "")).lower():
            preprint = str(item.get("id"))
    return Metadata(
        source=SOURCE,
        title=_strip_tags(_first(message.get("title"))),
        authors=authors,
        year=_year(message),
        venue=_strip_tags(venue),
        pages=message.get("page"),
        publisher=message.get("publisher"),
        doi=message.get("DOI"),
        arxiv=preprint,
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def _strip_tags(text: str | None) -> str | None:
    """Crossref titles may carry JATS markup (`<i>`, `<sub>`): keep the words."""
    return clean_text(re.sub(r"<[^>]+>", "", text)) if text else None


def _year(message: dict[str, Any]) -> int | None:
    for key in ("published", "issued", "published-print", "published-online", "created"):
        parts = (message.get(key) or {}).get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                continue
    return None
