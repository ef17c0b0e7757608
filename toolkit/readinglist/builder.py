"""The model of a validated reading-list document: figures and entries as frozen dataclasses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from toolkit import yamledit
from toolkit.readinglist.model import SCHEMA_VERSION, Entry, Figure, Goal, ReadingList


def as_date(value: Any) -> date | None:
    if value.__class__ is date:  # what the parser makes of YYYY-MM-DD
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _opt(value: Any) -> Any:
    if value is None or value.__class__ is str:  # most values: to_plain would return them
        return value
    return yamledit.to_plain(value)


def _plain_list(value: Any) -> Any:
    """`to_plain(value or [])`, without a call per item for a list of plain text."""
    if not value:
        return []
    if isinstance(value, list):
        if all(item.__class__ is str for item in value):
            return list(value)
    return yamledit.to_plain(value)


def build(doc: Any, path: str) -> ReadingList:
    """The model of a validated document."""
    figures = [
        Figure(
            id=str(f["id"]),
            name=str(f["name"]),
            native_name=_opt(f.get("native_name")),
            github=_opt(f.get("github")),
            homepage=_opt(f.get("homepage")),
            channels=yamledit.to_plain(f.get("channels") or {}),
            affiliations=yamledit.to_plain(f.get("affiliations") or []),
            tags=yamledit.to_plain(f.get("tags") or []),
            notes=_opt(f.get("notes")),
            line=f.lc.line + 1,
        )
        for f in doc.get("figures") or []
    ]
    entries = [build_entry(e) for e in doc.get("entries") or []]
    return ReadingList(path, figures, entries, int(doc.get("version", SCHEMA_VERSION)))


def build_entry(e: Any) -> Entry:
    """The model of one validated entry."""
    goal = e.get("goal")
    get = e.get
    entry: Entry = _new(Entry)
    # Every field, as Entry(...) would set them (a frozen dataclass's __init__ sets each
    # through object.__setattr__, a third of building a large list); tests/test_validation.py
    # checks that this stays Entry(...) field for field.
    entry.__dict__.update(
        id=str(e["id"]),
        kind=str(e["kind"]),
        title=str(e["title"]),
        url=_opt(get("url")),
        repo=_opt(get("repo")),
        arxiv=_opt(get("arxiv")),
        doi=_opt(get("doi")),
        authors=_plain_list(get("authors")),
        year=get("year"),
        primary_class=_opt(get("primary_class")),
        venue=_opt(get("venue")),
        pages=_opt(get("pages")),
        publisher=_opt(get("publisher")),
        abstract=_opt(get("abstract")),
        figures=_plain_list(get("figures")),
        tags=_plain_list(get("tags")),
        status=str(get("status", "todo")),
        added=as_date(get("added")),
        started=as_date(get("started")),
        finished=as_date(get("finished")),
        notes=_opt(get("notes")),
        cite_key=_opt(get("cite_key")),
        commit=_opt(get("commit")),
        release=_opt(get("release")),
        goal=Goal(goal.get("merged_prs"), goal.get("commits"), as_date(goal.get("by")))
        if goal
        else None,
        line=e.lc.line + 1,
    )
    return entry


_new = object.__new__
