"""`bip read import`: records from a reference file become entries, duplicates are merged.

A record is the same work as an entry when they share an arXiv id (any form), a DOI, a repo or a
URL, or the file's citation key is the entry's pinned key, or title and year are the same. A
duplicate is merged: fields the entry lacks are filled, nothing the user wrote is replaced. So
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.papers.bibimport import Parsed, Record, Skipped
from toolkit.papers.records import PAPER_FIELDS, missing
from toolkit.readinglist import Plan, ReadingList, links, validate
from toolkit.readinglist.model import STATUSES, Entry
from toolkit.text import did_you_mean, slug_id, unique_id

# Where imported fields go in a new entry, after id/kind/title: the paper fields first, in the
# order metadata sources fill them, then what an import adds.
ORDER = (
    *PAPER_FIELDS,
    "repo",
    "url",
    "release",
    "cite_key",
    "figures",
    "tags",
    "status",
    "added",
    "abstract",
)
FILLABLE = ORDER[:12]


@dataclass
class NewEntry:
    id: str
    kind: str
    title: str
    line: int
    key: str | None


@dataclass
class Merged:
    id: str
    fields: list[str]
    line: int


@dataclass
class ImportReport:
    path: str
    format: str
    added: list[NewEntry] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _title_key(title: Any, year: Any) -> str | None:
    words = re.sub(r"[^\w]+", "", str(title or "").lower())
    return f"{words}:{year}" if words and year else None


@dataclass
class _Known:
    """An entry (existing, or new in this import) as matching sees it."""

    identities: set[str]
    key: str | None
    title_key: str | None
    index: int | None = None  # index among existing entries
    item: dict[str, Any] | None = None  # a new entry's fields


def _known_entry(entry: Entry, index: int) -> _Known:
    return _Known(
        links.entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi),
        entry.cite_key,
        _title_key(entry.title, entry.year),
        index=index,
    )


def _record_identities(fields: dict[str, Any]) -> set[str]:
    return links.entry_identities(
        fields.get("url"), fields.get("repo"), fields.get("arxiv"), fields.get("doi")
    )


def plan_import(
    parsed: Parsed,
    today: date,
    figures: list[str] | None = None,
    tags: list[str] | None = None,
    status: str = "todo",
    abstracts: bool = False,
) -> Plan[ImportReport]:
    if status not in STATUSES:
        raise BadInput(
            f"unknown status {status!r}",
            hint=did_you_mean(status, STATUSES) or "one of: " + ", ".join(STATUSES),
        )

    def plan(model: ReadingList) -> tuple[list[yamledit.Edit], ImportReport]:
        for fig in figures or []:
            model.figure(fig)
        report = ImportReport(parsed.path, parsed.format, skipped=list(parsed.skipped))
        known = [_known_entry(e, i) for i, e in enumerate(model.entries)]
        taken_ids = {e.id for e in model.entries}
        taken_keys = {e.cite_key for e in model.entries if e.cite_key}
        fills: dict[int, dict[str, Any]] = {}
        new_items: list[dict[str, Any]] = []
        figure_docs = [{"id": f.id, "name": f.name} for f in model.figures]
        for record in parsed.records:
            match = _match(known, record)
            if match is None:
                item = _new_item(record, today, figures, tags, status, abstracts, taken_ids)
                if item.get("cite_key") in taken_keys:
                    del item["cite_key"]
                problems = validate(
                    {"version": 1, "figures": figure_docs, "entries": [item]}, parsed.path
                )
                if problems:
                    report.skipped.append(Skipped(record.line, problems[0].message))
                    continue
                taken_ids.add(item["id"])
                if item.get("cite_key"):
                    taken_keys.add(item["cite_key"])
                new_items.append(item)
                known.append(
                    _Known(
                        _record_identities(item),
                        item.get("cite_key"),
                        _title_key(item["title"], item.get("year")),
                        item=item,
                    )
                )
                report.added.append(
                    NewEntry(item["id"], item["kind"], item["title"], record.line, record.key)
                )
            elif match.item is not None:  # a second record of a work new in this import
                for name, value in record.fields.items():
                    if name in FILLABLE and name not in match.item:
                        match.item[name] = value
                match.identities |= _record_identities(record.fields)
            else:
                assert match.index is not None
                entry = model.entries[match.index]
                pending = fills.get(match.index, {})
                fill = _fill(entry, record, figures, tags, abstracts, taken_keys)
                fill = {**fill, **pending}  # an earlier record of the same work wins
                if fill != pending:
                    fills[match.index] = fill
                    if fill.get("cite_key"):
                        taken_keys.add(fill["cite_key"])
                    match.identities |= _record_identities(fill)
                    _merge_report(
                        report, entry.id, [k for k in fill if k not in pending], record.line
                    )
                elif entry.id not in report.unchanged and match.index not in fills:
                    report.unchanged.append(entry.id)
        edits: list[yamledit.Edit] = []
        for index, fill in sorted(fills.items()):
            edits += [yamledit.SetItemKey("entries", index, k, v) for k, v in fill.items()]
        for item in new_items:
            ordered = {"id": item["id"], "kind": item["kind"]}
            ordered.update((k, item[k]) for k in ORDER if k in item)
            edits.append(yamledit.AppendItem("entries", ordered))
        return edits, report

    return plan


def _merge_report(report: ImportReport, entry_id: str, names: list[str], line: int) -> None:
    for merged in report.merged:
        if merged.id == entry_id:
            merged.fields = list(dict.fromkeys(merged.fields + names))
            return
    report.merged.append(Merged(entry_id, names, line))


def _match(known: list[_Known], record: Record) -> _Known | None:
    if record.key:
        for k in known:
            if k.key == record.key:
                return k
    identities = _record_identities(record.fields)
    if identities:
        for k in known:
            if k.identities & identities:
                return k
    title_key = _title_key(record.fields.get("title"), record.fields.get("year"))
    if title_key:
        for k in known:
            if k.title_key == title_key:
                return k
    return None


def _fill(
    entry: Entry,
    record: Record,
    figures: list[str] | None,
    tags: list[str] | None,
    abstracts: bool,
    taken_keys: set[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.fields.items():
        if name not in FILLABLE or not hasattr(entry, name):
            continue
        if name == "repo" and entry.kind != "repo":
            continue
        if name == "url" and (entry.url or entry.link):
            continue
        if missing(entry, name) and getattr(entry, name) != value:
            out[name] = value
    if record.key and entry.cite_key is None and record.key not in taken_keys:
        out["cite_key"] = record.key
    if abstracts and record.abstract and not entry.abstract:
        out["abstract"] = record.abstract
    for name, wanted in (("figures", figures), ("tags", tags)):
        have = list(getattr(entry, name))
        more = [v for v in wanted or [] if v not in have]
        if more:
            out[name] = have + more
    return out


def _new_item(
    record: Record,
    today: date,
    figures: list[str] | None,
    tags: list[str] | None,
    status: str,
    abstracts: bool,
    taken_ids: set[str],
) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": record.kind, **record.fields}
    if record.key:
        item["cite_key"] = record.key
    if figures:
        item["figures"] = list(dict.fromkeys(figures))
    if tags:
        item["tags"] = list(dict.fromkeys(tags))
    item["status"] = status
    item["added"] = today
    if abstracts and record.abstract:
        item["abstract"] = record.abstract
    item["id"] = unique_id(_id_hint(record), taken_ids)
    return item


def _id_hint(record: Record) -> str:
    if record.key and slug_id(record.key):
        return slug_id(record.key)
    fields = record.fields
    if fields.get("repo"):
        return slug_id(str(fields["repo"]).split("/")[1]) or "repo"
    if fields.get("arxiv"):
        return slug_id("arxiv-" + str(fields["arxiv"]).replace("/", "-"))
    words = slug_id(str(fields.get("title", "")))
    return words[:40].rstrip("-._") or record.kind
