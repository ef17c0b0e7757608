"""Planned edits of the reading list: add, status changes, notes, fields, removal, pinned keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.readinglist import links
from toolkit.readinglist.document import Plan
from toolkit.readinglist.model import ENTRY_FIELDS, KINDS, STATUSES, Entry, ReadingList
from toolkit.text import ID_PATTERN, did_you_mean, slug_id, unique_id


@dataclass
class Change:
    """What an edit did, for printing and --json."""

    id: str
    changes: list[str]


def _with_note(entry: Entry, note: str | None) -> str | None:
    if not note:
        return None
    if not entry.notes:
        return note
    # Keep the block's own trailing newline, so `notes: |` does not turn into `notes: |-`.
    tail = "\n" if entry.notes.endswith("\n") else ""
    return f"{entry.notes.rstrip()}\n{note}{tail}"


def plan_status(entry_id: str, status: str, today: date, note: str | None = None) -> Plan[Change]:
    """start -> reading (+started), done -> done (+finished), drop -> dropped."""
    if status not in STATUSES:
        raise BadInput(f"unknown status {status!r}", hint=did_you_mean(status, STATUSES))

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], Change]:
        index = rl.entry_index(entry_id)
        entry = rl.entries[index]
        sets: dict[str, Any] = {}
        if entry.status != status:
            sets["status"] = status
        if status in ("reading", "done") and entry.started is None:
            sets["started"] = today
        if status == "done" and (entry.finished is None or entry.status != "done"):
            sets["finished"] = today
        notes = _with_note(entry, note)
        if notes is not None:
            sets["notes"] = notes
        edits: list[yamledit.Edit] = [
            yamledit.SetItemKey("entries", index, k, v) for k, v in sets.items()
        ]
        shown = [
            f"status {entry.status} -> {status}"
            if k == "status"
            else ("note added" if k == "notes" else f"{k} {v}")
            for k, v in sets.items()
        ]
        return edits, Change(entry.id, shown or [f"already {status}"])

    return plan


def plan_note(entry_id: str, note: str) -> Plan[Change]:
    if not note.strip():
        raise BadInput(
            "the note is empty", hint='e.g. bip read note nanogpt "loss 3.28 at 5k steps"'
        )

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], Change]:
        index = rl.entry_index(entry_id)
        notes = _with_note(rl.entries[index], note)
        return [yamledit.SetItemKey("entries", index, "notes", notes)], Change(
            entry_id, ["note added"]
        )

    return plan


def plan_set(entry_id: str, key: str, value: Any) -> Plan[Change]:
    """Set one field (e.g. pin a cite_key); the result is validated before anything is written."""
    if key not in ENTRY_FIELDS or key == "id":
        raise BadInput(f"cannot set {key!r}", hint=did_you_mean(key, ENTRY_FIELDS))

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], Change]:
        index = rl.entry_index(entry_id)
        return [yamledit.SetItemKey("entries", index, key, value)], Change(
            entry_id, [f"{key} {value}"]
        )

    return plan


def plan_remove(entry_id: str) -> Plan[Entry]:
    """Remove an entry; the result is the entry as it was, for saying what went."""

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], Entry]:
        index = rl.entry_index(entry_id)
        return [yamledit.RemoveItem("entries", index)], rl.entries[index]

    return plan


@dataclass
class Added:
    id: str
    kind: str
    title: str
    link: str


def parse_add(reference: str, kind: str | None = None, entry_id: str | None = None) -> links.Source:
    """What `read add` was given, checked without the reading list or the network."""
    source = links.classify(reference)
    login = links.github_profile(reference) if kind is None else None
    if login is not None:
        raise BadInput(
            f"{reference} is the GitHub profile of {login}: someone to follow, not something to read",
            hint=f"follow them: bip figures add {login.lower()} --github {login}; or add one of "
            f"their repositories: bip read add https://github.com/{login}/REPO "
            "(--kind post keeps the profile page as an entry)",
        )
    if kind is not None and kind not in KINDS:
        raise BadInput(f"unknown kind {kind!r}", hint=did_you_mean(kind, KINDS) or ", ".join(KINDS))
    if entry_id is not None and not ID_PATTERN.match(entry_id):
        raise BadInput(
            f"{entry_id!r} is not a valid id",
            hint=f"lowercase ASCII letters, digits, '.', '_', '-'; e.g. {slug_id(entry_id)!r}",
        )
    return source


def plan_add(
    reference: str,
    today: date,
    entry_id: str | None = None,
    figures: list[str] | None = None,
    tags: list[str] | None = None,
    kind: str | None = None,
    title: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Plan[Added]:
    """Add a URL, arXiv id or DOI as a new `todo` entry with a readable unique id; `fields` are
    what a paper's metadata says (authors, year, ...)."""
    source = parse_add(reference, kind, entry_id)

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], Added]:
        check_add(rl, reference, source, entry_id, figures)
        taken = {e.id for e in rl.entries}
        if entry_id is not None:
            new_id = entry_id
        else:
            base = slug_id(source.id_hint) or source.kind
            if source.named_by_title and title:
                base = slug_id(title.replace("'", "").replace("\u2019", "")) or base
            if source.repo and base in taken:
                base = slug_id(source.repo.replace("/", "-"))
            new_id = unique_id(base, taken)
        item: dict[str, Any] = {
            "id": new_id,
            "kind": kind or source.kind,
            "title": title or source.title,
        }
        for key, value in (fields or {}).items():
            item.setdefault(key, value)
        for key in ("repo", "arxiv", "doi"):
            if getattr(source, key):
                item[key] = getattr(source, key)
        item["url"] = source.url
        if figures:
            item["figures"] = list(figures)
        if tags:
            item["tags"] = list(tags)
        item["status"] = "todo"
        item["added"] = today
        added = Added(new_id, item["kind"], item["title"], source.url)
        return [yamledit.AppendItem("entries", item)], added

    return plan


def duplicate_of(rl: ReadingList, reference: str) -> Entry | None:
    """The entry that already holds what `reference` points at, however either is written."""
    wanted = links.identity(reference)
    if wanted is None:
        return None
    return _holders(rl).get(wanted)


_HOLDERS: dict[int, tuple[ReadingList, dict[str, Entry]]] = {}


def _holders(rl: ReadingList) -> dict[str, Entry]:
    """Identity -> the first entry holding it, built once per list (`read add` asks up to four
    times, and a list holds thousands of entries)."""
    kept = _HOLDERS.get(id(rl))
    if kept is None or kept[0] is not rl:
        index: dict[str, Entry] = {}
        for entry in rl.entries:
            for key in links.entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi):
                index.setdefault(key, entry)
        if len(_HOLDERS) >= 4:
            _HOLDERS.clear()
        kept = _HOLDERS[id(rl)] = (rl, index)
    return kept[1]


def check_add(
    rl: ReadingList,
    reference: str,
    source: links.Source | None = None,
    entry_id: str | None = None,
    figures: list[str] | None = None,
) -> None:
    """Everything `read add` can refuse without the network: figures, duplicates, a taken id."""
    source = source or links.classify(reference)
    for fig in figures or []:
        rl.figure(fig)
    existing = duplicate_of(rl, source.url) or duplicate_of(rl, reference)
    if existing is not None:
        raise BadInput(
            f"{reference} is already in the list as {existing.id!r}",
            hint=f"see `bip read show {existing.id}`",
        )
    if entry_id is not None and entry_id in {e.id for e in rl.entries}:
        raise BadInput(f"id {entry_id!r} is already used", hint="choose another --id")


def plan_pin_keys(keys: dict[str, str]) -> Plan[list[str]]:
    """Pin the citation keys a draft used (entries that have none yet), so they never change;
    never a key of an entry whose metadata is not known yet (cited by its id until then)."""
    from toolkit.references.keys import provisional

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], list[str]]:
        edits: list[yamledit.Edit] = []
        pinned = []
        for entry_id, key in keys.items():
            index = rl.entry_index(entry_id)
            if rl.entries[index].cite_key is None and not provisional(rl.entries[index]):
                edits.append(yamledit.SetItemKey("entries", index, "cite_key", key))
                pinned.append(entry_id)
        return edits, pinned

    return plan
