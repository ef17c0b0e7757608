"""Completing papers in the reading list from what the sources said (`bip read sync`)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit import yamledit
from toolkit.papers.records import Metadata, completion
from toolkit.readinglist import Plan, ReadingList


@dataclass
class Completed:
    id: str
    fields: list[str]
    source: str


def plan_complete(
    metas: dict[str, Metadata], overwrite: frozenset[str] = frozenset()
) -> Plan[list[Completed]]:
    """Fill what each entry lacks (and the fields named in `overwrite`); recomputed on the file as
    it is when written, so a field the user wrote meanwhile is kept."""

    def plan(model: ReadingList) -> tuple[list[yamledit.Edit], list[Completed]]:
        edits: list[yamledit.Edit] = []
        done = []
        for index, entry in enumerate(model.entries):
            meta = metas.get(entry.id)
            if meta is None:
                continue
            fill = completion(entry, meta, overwrite)
            if fill:
                edits += [yamledit.SetItemKey("entries", index, k, v) for k, v in fill.items()]
                done.append(Completed(entry.id, list(fill), meta.source))
        return edits, done

    return plan
