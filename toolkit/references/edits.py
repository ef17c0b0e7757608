"""Completing papers in the reading list from what the sources said (`bip read sync`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit import yamledit
from toolkit.readinglist import Plan, ReadingList, links
from toolkit.references.records import Metadata, completion


@dataclass
class Completed:
    id: str
    fields: list[str]
    source: str
    # identities a source gave that another entry already has: not filled (two entries would
    # then be one paper); (field, value, the other entry's id)
    held: list[tuple[str, str, str]] = field(default_factory=list)


def plan_complete(
    metas: dict[str, Metadata], overwrite: frozenset[str] = frozenset()
) -> Plan[list[Completed]]:
    """Fill what each entry lacks (and the fields named in `overwrite`); recomputed on the file as
    it is when written, so a field the user wrote meanwhile is kept."""

    def plan(model: ReadingList) -> tuple[list[yamledit.Edit], list[Completed]]:
        owner: dict[str, str] = {}
        for entry in model.entries:
            for ident in links.entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi):
                owner.setdefault(ident, entry.id)
        edits: list[yamledit.Edit] = []
        done = []
        for index, entry in enumerate(model.entries):
            meta = metas.get(entry.id)
            if meta is None:
                continue
            fill = completion(entry, meta, overwrite)
            held = []
            for name in ("arxiv", "doi"):
                given = links.identity(str(fill[name])) if name in fill else None
                if not given:
                    continue
                other = owner.setdefault(given, entry.id)
                if other != entry.id:
                    held.append((name, str(fill.pop(name)), other))
                    if name == "arxiv":
                        fill.pop("primary_class", None)  # the category of the other paper
            if fill or held:
                edits += [yamledit.SetItemKey("entries", index, k, v) for k, v in fill.items()]
                done.append(Completed(entry.id, list(fill), meta.source, held))
        return edits, done

    return plan
