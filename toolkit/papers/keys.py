"""Citation keys pinned from garbage metadata (`arxivarxiva`, `doidoia`), and how to repin them.

Before bip read papers' metadata, an entry added by its identifier had the title `arXiv:ID` and
no authors, and a draft that cited it pinned a key made of those (`arxiv` + `arxiv` + a suffix).
`bip read validate` warns about such keys; `bip cite --rekey ID` repins one when the user says so
(published posts may still use the old key, which is why it is never done silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from toolkit import citations, yamledit
from toolkit.errors import BadInput
from toolkit.readinglist import Plan, ReadingList
from toolkit.readinglist.model import Entry

_IDENT_WORDS = r"(?:arxiv|doi|openreview|https?|www|url)"
GARBAGE_KEY = re.compile(rf"^{_IDENT_WORDS}(?:\d{{4}})?(?:{_IDENT_WORDS}|10|\d{{4}})?[a-z]?$")


def is_garbage_key(key: str) -> bool:
    """A key made from an identifier rather than from authors, year and title."""
    return bool(GARBAGE_KEY.match(key.lower()))


def fresh_key(model: ReadingList, entry_id: str) -> str:
    """The key bip would give the entry now from its metadata, unique among the other keys."""
    index = model.entry_index(entry_id)
    entries = list(model.entries)
    entries[index] = replace(entries[index], cite_key=None)
    return citations.cite_keys(replace(model, entries=entries))[entry_id]


@dataclass
class BadKey:
    entry: Entry
    key: str
    suggestion: str | None  # None until the entry has authors and a year


def garbage_keys(model: ReadingList) -> list[BadKey]:
    found = []
    for entry in model.entries:
        if entry.cite_key and is_garbage_key(entry.cite_key):
            fresh = fresh_key(model, entry.id)
            usable = entry.authors and entry.year and not is_garbage_key(fresh)
            found.append(BadKey(entry, entry.cite_key, fresh if usable else None))
    return found


@dataclass
class Rekeyed:
    id: str
    old: str | None
    new: str


def plan_rekey(entry_id: str) -> Plan[Rekeyed]:
    """Repin an entry's citation key from its current metadata."""

    def plan(model: ReadingList) -> tuple[list[yamledit.Edit], Rekeyed]:
        index = model.entry_index(entry_id)
        entry = model.entries[index]
        new = fresh_key(model, entry_id)
        if is_garbage_key(new) or not (entry.authors and entry.year):
            raise BadInput(
                f"{entry_id!r} has no authors or year to make a key from (it would be {new!r})",
                hint="run `bip read sync` to fetch its metadata, or write authors and year by hand",
            )
        if new == entry.cite_key:
            return [], Rekeyed(entry_id, entry.cite_key, new)
        edit = yamledit.SetItemKey("entries", index, "cite_key", new)
        return [edit], Rekeyed(entry_id, entry.cite_key, new)

    return plan
