"""`bip read import`: records from a reference file become entries, duplicates are merged.

A record is the same work as an entry when they share an arXiv id (any form), a DOI, a repo or a
URL, or the file's citation key is the entry's pinned key (ignoring case, as BibTeX does), or
title and year are the same, unless the two name different arXiv ids, DOIs or repos. A
duplicate is merged: fields the entry lacks are filled, nothing the user wrote is replaced. So
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.readinglist import Plan, ReadingList, links
from toolkit.readinglist.model import STATUSES, Entry
from toolkit.readinglist.schema import validate_entry
from toolkit.references.importing import Parsed, Record, Skipped, read_references
from toolkit.references.names import family_name
from toolkit.references.records import PAPER_FIELDS, missing
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
class Duplicate:
    """A work the file holds twice (under another key, or the same key again)."""

    line: int
    key: str | None
    of: str | None  # the entry id it is a duplicate of (None: a key used twice)
    reason: str


@dataclass
class ImportReport:
    """What became of every work of the file: the counts add up to `in_file`."""

    path: str
    format: str
    in_file: int = 0
    added: list[NewEntry] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # ids already in the list as they are
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.added),
            "merged": len(self.merged),
            "already present": len(self.unchanged),
            "duplicate in file": len(self.duplicates),
            "skipped": len(self.skipped),
        }


@dataclass
class ImportRequest:
    file: Path
    today: date
    figures: list[str] | None = None
    tags: list[str] | None = None
    status: str = "todo"
    abstracts: bool = False
    dry_run: bool = False


def import_references(reading_list: Path, request: ImportRequest) -> ImportReport:
    """`bip read import`: read the file, match its works against the list, add and merge (or,
    `dry_run`, only say what would be done)."""
    from toolkit.readinglist import edit_reading_list, load_reading_list, lock_path_for

    # Python's collector would walk every record and entry built so far again and again as
    # they pile up (about 6% of a 5,000-entry import): they all live until the command ends.
    with yamledit.gc_paused():
        parsed = read_references(request.file, abstracts=request.abstracts)
        plan = plan_import(
            parsed, request.today, request.figures, request.tags, request.status, request.abstracts
        )
        if request.dry_run:
            _, report = plan(load_reading_list(reading_list).model)
        else:
            report = edit_reading_list(reading_list, plan, lock=lock_path_for(reading_list))
    report.dry_run = request.dry_run
    return report


_NOT_WORD = re.compile(r"[^\w]+")


def _title_words(title: Any) -> str:
    return _NOT_WORD.sub("", str(title or "").lower())


def _title_key(words: str, year: Any) -> str | None:
    """The same title (`_title_words`) in the same year: one work."""
    return f"{words}:{year}" if words and year else None


def _author_title_key(words: str, authors: Any) -> str | None:
    """The same title by the same first author: one work, whatever year each copy gives (a
    preprint's and its proceedings' years differ)."""
    first = authors[0] if isinstance(authors, list) and authors else None
    return f"{words}:{family_name(str(first))}" if words and first and len(words) > 12 else None


@dataclass
class _Known:
    """An entry (existing, or new in this import) as matching sees it."""

    identities: set[str]
    key: str | None
    title_key: str | None
    index: int | None = None  # index among existing entries
    item: dict[str, Any] | None = None  # a new entry's fields
    author_key: str | None = None
    seen: bool = False  # a record of this file matched it already
    repo: bool = False  # a repo: never the same work as a paper of the same title
    book: bool = False  # a book: not the article of its title in another year (Bellman's)


def _known_entry(entry: Entry, index: int) -> _Known:
    return _Known(
        links.entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi),
        entry.cite_key,
        _title_key(words := _title_words(entry.title), entry.year),
        index=index,
        author_key=_author_title_key(words, entry.authors),
        repo=entry.kind == "repo",
        book=entry.kind == "book",
    )


_Keys = tuple[set[str], str | None, str | None]  # identities, title+year, title+first author


def _record_keys(fields: dict[str, Any]) -> _Keys:
    """What a record is matched by, worked out once (a new entry is indexed by the same)."""
    return (
        _record_identities(fields),
        _title_key(words := _title_words(fields.get("title")), fields.get("year")),
        _author_title_key(words, fields.get("authors")),
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
        report = ImportReport(
            parsed.path, parsed.format, parsed.count, skipped=list(parsed.skipped)
        )
        report.duplicates = [Duplicate(d.line, None, None, d.reason) for d in parsed.duplicates]
        index = _Index()
        for n, entry in enumerate(model.entries):
            index.add(_known_entry(entry, n))
        taken_ids = {e.id for e in model.entries}
        taken_keys = {e.cite_key.lower() for e in model.entries if e.cite_key}
        fills: dict[int, dict[str, Any]] = {}
        merged: dict[str, Merged] = {}
        unchanged: dict[str, None] = {}
        new_items: list[dict[str, Any]] = []
        figure_ids = {f.id for f in model.figures}
        for record in parsed.records:
            keys = _record_keys(record.fields)
            match = index.match(record, keys)
            if match is None:
                item = _new_item(record, today, figures, tags, status, abstracts, taken_ids)
                if str(item.get("cite_key", "")).lower() in taken_keys:
                    del item["cite_key"]
                problems = validate_entry(item, [item], 0, parsed.path, figure_ids)
                if problems:
                    report.skipped.append(Skipped(record.line, problems[0].message))
                    continue
                taken_ids.add(item["id"])
                if item.get("cite_key"):
                    taken_keys.add(item["cite_key"].lower())
                new_items.append(item)
                identities, title_key, author_key = keys  # the item's: the record's fields
                index.add(
                    _Known(
                        set(identities),
                        item.get("cite_key"),
                        title_key,
                        item=item,
                        author_key=author_key,
                        seen=True,
                        repo=item["kind"] == "repo",
                        book=item["kind"] == "book",
                    )
                )
                report.added.append(
                    NewEntry(item["id"], item["kind"], item["title"], record.line, record.key)
                )
            elif match.seen:  # a second record of a work of this file: filled in, counted once
                target = match.item["id"] if match.item is not None else None
                if match.item is not None:
                    for name, value in record.fields.items():
                        if name in FILLABLE and name not in match.item:
                            match.item[name] = value
                else:
                    assert match.index is not None
                    target = model.entries[match.index].id
                report.duplicates.append(
                    Duplicate(record.line, record.key, target, f"the same work as {target!r}")
                )
                index.identities(match, keys[0])
            else:
                match.seen = True
                assert match.index is not None
                entry = model.entries[match.index]
                pending = fills.get(match.index, {})
                fill = _fill(entry, record, figures, tags, abstracts, taken_keys)
                for name in ("arxiv", "doi", "url", "repo"):  # never two entries for one work
                    ident = links.identity(str(fill[name])) if name in fill else None
                    held = index.by_identity.get(ident) if ident else None
                    if held is not None and held is not match:
                        del fill[name]
                        if name == "arxiv":
                            fill.pop("primary_class", None)
                fill = {**fill, **pending}  # an earlier record of the same work wins
                if fill != pending:
                    fills[match.index] = fill
                    if fill.get("cite_key"):
                        taken_keys.add(fill["cite_key"].lower())
                    index.identities(match, _record_identities(fill))
                    names = [k for k in fill if k not in pending]
                    if entry.id in merged:
                        merged[entry.id].fields = list(
                            dict.fromkeys(merged[entry.id].fields + names)
                        )
                    else:
                        merged[entry.id] = Merged(entry.id, names, record.line)
                elif match.index not in fills:
                    unchanged[entry.id] = None
        report.merged = list(merged.values())
        report.unchanged = list(unchanged)
        edits: list[yamledit.Edit] = []
        for at, fill in sorted(fills.items()):
            edits += [yamledit.SetItemKey("entries", at, k, v) for k, v in fill.items()]
        for item in new_items:
            ordered = {"id": item["id"], "kind": item["kind"]}
            ordered.update((k, item[k]) for k in ORDER if k in item)
            edits.append(yamledit.AppendItem("entries", ordered))
        return edits, report

    return plan


class _Index:
    """The known works by pinned key, identity and title+year: matching a record is a few dict
    look-ups, not a scan of the list (10,000 records against 10,000 entries)."""

    def __init__(self) -> None:
        self.by_key: dict[str, _Known] = {}
        self.by_identity: dict[str, _Known] = {}
        self.by_title: dict[str, _Known] = {}
        self.by_author_title: dict[str, _Known] = {}
        self.order: dict[int, int] = {}  # id(known) -> when it was indexed: the earliest wins

    def add(self, known: _Known) -> None:
        self.order[id(known)] = len(self.order)
        if known.key:
            self.by_key.setdefault(known.key.lower(), known)  # BibTeX keys ignore case
        self.identities(known, known.identities)
        if known.title_key:
            self.by_title.setdefault(known.title_key, known)
        if known.author_key:
            self.by_author_title.setdefault(known.author_key, known)

    def identities(self, known: _Known, more: set[str]) -> None:
        known.identities |= more
        for ident in more:
            self.by_identity.setdefault(ident, known)

    def match(self, record: Record, keys: _Keys) -> _Known | None:
        identities, title_key, author_key = keys
        same_key = self.by_key.get(record.key.lower()) if record.key else None
        if same_key is not None and not _conflict(same_key.identities, identities):
            return same_key
        found = [self.by_identity[i] for i in identities if i in self.by_identity]
        if found:
            return min(found, key=lambda k: self.order[id(k)])
        repo = record.kind == "repo"
        same_title = self.by_title.get(title_key) if title_key else None
        if same_title is not None and same_title.repo == repo:
            if not _conflict(same_title.identities, identities):
                return same_title
        same_work = self.by_author_title.get(author_key) if author_key else None
        # the same title by the same author in another year: a preprint and its proceedings,
        # never a book and an article (Bellman's Dynamic Programming, 1957, and in Science, 1966)
        if same_work is not None and same_work.book != (record.kind == "book"):
            same_work = None
        if same_work is not None and same_work.repo == repo:
            if not _conflict(same_work.identities, identities):
                return same_work
        return None


def _conflict(ours: set[str], theirs: set[str]) -> bool:
    """Two works that name different arXiv ids, DOIs or repos are different works, whatever
    their titles say (a preprint's arXiv id and its published DOI do not conflict)."""
    for scheme in ("arxiv:", "doi:", "github:"):
        a = {i for i in ours if i.startswith(scheme)}
        b = {i for i in theirs if i.startswith(scheme)}
        if a and b and not a & b:
            return True
    return False


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
    if record.key and entry.cite_key is None and record.key.lower() not in taken_keys:
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
    # DBLP's `DBLP:conf/nips/VaswaniSPUJGKP17`: its last part names the paper
    hint = slug_id(record.key.rsplit("/", 1)[-1]) if record.key else ""
    if hint:
        return hint
    fields = record.fields
    if fields.get("repo"):
        return slug_id(str(fields["repo"]).split("/")[1]) or "repo"
    if fields.get("arxiv"):
        return slug_id("arxiv-" + str(fields["arxiv"]).replace("/", "-"))
    words = slug_id(str(fields.get("title", "")))
    if len(words) > 40:  # whole words: `language-models-are-unsupervised`, not `...-multita`
        words = words[:41].rsplit("-", 1)[0] if "-" in words[:41] else words[:40]
    return words.rstrip("-._") or record.kind
