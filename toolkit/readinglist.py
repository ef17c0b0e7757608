"""The reading list: schema, validation with positions, the model, and edits that keep comments."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from toolkit import links, yamlio
from toolkit.errors import BadInput, ConcurrentEdit, InvalidFile, Problem
from toolkit.fileio import atomic_write_text, digest, locked
from toolkit.names import ID_PATTERN, did_you_mean, slug_id, unique_id

SCHEMA_VERSION = 1
KINDS = ("repo", "course", "paper", "video", "book", "post")
STATUSES = ("todo", "reading", "done", "dropped")
TOP_KEYS = ("version", "figures", "entries")

# field -> checker name; the checkers live in _Validator.
FIGURE_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "text",
    "native_name": "text",
    "github": "login",
    "homepage": "url",
    "channels": "channels",
    "affiliations": "texts",
    "tags": "texts",
    "notes": "text",
}
ENTRY_FIELDS: dict[str, str] = {
    "id": "id",
    "kind": "kind",
    "title": "text",
    "url": "url",
    "repo": "repo",
    "arxiv": "arxiv",
    "primary_class": "primary_class",
    "doi": "doi",
    "authors": "texts",
    "year": "year",
    "figures": "figrefs",
    "tags": "texts",
    "status": "status",
    "added": "date",
    "started": "date",
    "finished": "date",
    "notes": "text",
    "cite_key": "cite_key",
    "commit": "commit",
    "release": "text",
    "goal": "goal",
}
GOAL_FIELDS = {"merged_prs": "count", "commits": "count", "by": "date"}
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "repo": ("repo",),
    "paper": ("arxiv", "doi", "url"),  # at least one of these
    "course": ("url",),
    "video": ("url",),
    "post": ("url",),
    "book": (),
}
CITE_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]*$")


@dataclass(frozen=True)
class Goal:
    merged_prs: int | None = None
    commits: int | None = None
    by: date | None = None


@dataclass(frozen=True)
class Figure:
    id: str
    name: str
    native_name: str | None = None
    github: str | None = None
    homepage: str | None = None
    channels: dict[str, str] = field(default_factory=dict)
    affiliations: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    title: str
    url: str | None = None
    repo: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    primary_class: str | None = None
    figures: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = "todo"
    added: date | None = None
    started: date | None = None
    finished: date | None = None
    notes: str | None = None
    cite_key: str | None = None
    commit: str | None = None
    release: str | None = None
    goal: Goal | None = None
    line: int = 0

    @property
    def link(self) -> str | None:
        if self.url:
            return self.url
        if self.repo:
            return f"https://github.com/{self.repo}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return None


@dataclass(frozen=True)
class ReadingList:
    path: str
    figures: list[Figure]
    entries: list[Entry]
    version: int = SCHEMA_VERSION

    def entry_index(self, entry_id: str) -> int:
        for i, entry in enumerate(self.entries):
            if entry.id == entry_id:
                return i
        raise BadInput(
            f"no entry {entry_id!r} in {self.path}",
            hint=did_you_mean(entry_id, (e.id for e in self.entries)) or "see `bip read list`",
        )

    def entry(self, entry_id: str) -> Entry:
        return self.entries[self.entry_index(entry_id)]

    def figure(self, figure_id: str) -> Figure:
        for fig in self.figures:
            if fig.id == figure_id:
                return fig
        raise BadInput(
            f"no figure {figure_id!r} in {self.path}",
            hint=did_you_mean(figure_id, (f.id for f in self.figures)) or "see `bip figures list`",
        )

    def entries_of(self, figure_id: str) -> list[Entry]:
        return [e for e in self.entries if figure_id in e.figures]


# --- validation -------------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
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


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, pos: tuple[int, int], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0] + 1, pos[1] + 1, message, hint))

    @staticmethod
    def key_pos(node: Any, key: str) -> tuple[int, int]:
        try:
            return tuple(node.lc.key(key))
        except (AttributeError, KeyError, TypeError):
            return _Validator.node_pos(node)

    @staticmethod
    def value_pos(node: Any, key: str) -> tuple[int, int]:
        try:
            return tuple(node.lc.value(key))
        except (AttributeError, KeyError, TypeError):
            return _Validator.key_pos(node, key)

    @staticmethod
    def item_pos(node: Any, index: int) -> tuple[int, int]:
        try:
            return tuple(node.lc.item(index))
        except (AttributeError, KeyError, TypeError, IndexError):
            return _Validator.node_pos(node)

    @staticmethod
    def node_pos(node: Any) -> tuple[int, int]:
        lc = getattr(node, "lc", None)
        if lc is not None and lc.line is not None:
            return lc.line, lc.col
        return -1, -1

    def validate(self, doc: Any) -> None:
        if doc is None:
            self.add((-1, -1), "the file is empty", "start from `bip init` or add `version: 1`")
            return
        if not isinstance(doc, dict):
            self.add(
                self.node_pos(doc),
                "the top level must be a mapping with `version`, `figures` and `entries`",
            )
            return
        for key in doc:
            if key not in TOP_KEYS:
                self.unknown(doc, key, TOP_KEYS, "top-level key")
        version = doc.get("version")
        if "version" not in doc:
            self.add((0, -1), "missing `version: 1` at the top", "add the line `version: 1`")
        elif version != SCHEMA_VERSION or isinstance(version, bool):
            self.add(
                self.value_pos(doc, "version"),
                f"unsupported schema version {version!r}",
                f"this bip reads version {SCHEMA_VERSION}",
            )
        figure_ids = self.section(doc, "figures", FIGURE_FIELDS, set())
        self.section(doc, "entries", ENTRY_FIELDS, figure_ids)

    def section(
        self, doc: Any, name: str, fields: dict[str, str], figure_ids: set[str]
    ) -> set[str]:
        items = doc.get(name)
        if items is None:
            return set()
        if not isinstance(items, list):
            self.add(self.value_pos(doc, name), f"`{name}` must be a list of mappings")
            return set()
        seen: dict[str, int] = {}
        cite_keys: dict[str, int] = {}
        for i, item in enumerate(items):
            pos = self.item_pos(items, i)
            if not isinstance(item, dict):
                self.add(pos, f"each item of `{name}` must be a mapping (`- id: ...`)")
                continue
            for key in item:
                if key not in fields:
                    self.unknown(item, key, fields, "key")
                else:
                    getattr(self, "check_" + fields[key])(item, key, figure_ids)
            item_id = item.get("id")
            if "id" not in item:
                self.add(pos, f"this item of `{name}` has no `id`", "add `id: a-short-name`")
            elif isinstance(item_id, str) and ID_PATTERN.match(item_id):
                if item_id in seen:
                    self.add(
                        self.value_pos(item, "id"),
                        f"duplicate id {item_id!r}",
                        f"first used on line {seen[item_id]}; ids must be unique",
                    )
                else:
                    seen[item_id] = self.value_pos(item, "id")[0] + 1
            if name == "figures":
                self.require(item, pos, ("name",))
            else:
                self.entry_rules(item, pos, cite_keys)
        return set(seen)

    def entry_rules(self, item: Any, pos: tuple[int, int], cite_keys: dict[str, int]) -> None:
        self.require(item, pos, ("kind", "title"))
        kind = item.get("kind")
        needs = REQUIRED_BY_KIND.get(kind, ()) if isinstance(kind, str) else ()
        if needs and not any(item.get(k) for k in needs):
            which = " or ".join(f"`{k}`" for k in needs)
            self.add(pos, f"a {kind} entry needs {which}")
        if "goal" in item and kind != "repo":
            self.add(self.key_pos(item, "goal"), "`goal` is only for repo entries")
        started, finished = _as_date(item.get("started")), _as_date(item.get("finished"))
        if started and finished and finished < started:
            self.add(
                self.value_pos(item, "finished"),
                f"finished {finished} is before started {started}",
                "fix one of the two dates",
            )
        key = item.get("cite_key")
        if isinstance(key, str):
            if key in cite_keys:
                self.add(
                    self.value_pos(item, "cite_key"),
                    f"duplicate cite_key {key!r}",
                    f"first used on line {cite_keys[key]}",
                )
            cite_keys[key] = self.value_pos(item, "cite_key")[0] + 1

    def require(self, item: Any, pos: tuple[int, int], keys: tuple[str, ...]) -> None:
        label = f" {item['id']!r}" if isinstance(item.get("id"), str) else ""
        for key in keys:
            if key not in item:
                self.add(pos, f"item{label} is missing `{key}`")

    def unknown(self, node: Any, key: Any, allowed: Any, what: str) -> None:
        hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(allowed)
        self.add(self.key_pos(node, key), f"unknown {what} {str(key)!r}", hint)

    # -- one checker per kind of value --
    def bad(self, node: Any, key: str, message: str, hint: str | None = None) -> None:
        self.add(self.value_pos(node, key), f"`{key}`: {message}", hint)

    def check_id(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            suggestion = slug_id(str(value)) if value is not None else ""
            self.bad(
                node,
                key,
                f"{value!r} is not a valid id",
                "use lowercase ASCII letters, digits, '.', '_' and '-'"
                + (f", e.g. {suggestion!r}" if suggestion else ""),
            )

    def check_text(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.bad(
                node,
                key,
                f"must be non-empty text, not {_describe(value)}",
                "put quotes around it if it looks like a number or date",
            )

    def check_texts(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, list):
            self.bad(
                node,
                key,
                f"must be a list of text, not {_describe(value)}",
                f"e.g. {key}: [first, second]",
            )
            return
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.add(
                    self.item_pos(value, i),
                    f"`{key}` item {i + 1} must be text, not {_describe(item)}",
                    "quote it, or remove the brackets",
                )

    def check_url(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.is_url(value):
            self.bad(node, key, f"{value!r} is not an http(s) URL", "e.g. https://example.org/page")

    def check_login(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.LOGIN_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not a GitHub login", "just the login, e.g. karpathy")

    def check_repo(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.REPO_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not owner/name", "e.g. karpathy/nanoGPT")

    def check_arxiv(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.is_arxiv_id(value):
            self.bad(
                node,
                key,
                f"{value!r} is not an arXiv id",
                "e.g. '2205.14135' (quote it so YAML keeps it as text)",
            )

    def check_primary_class(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not re.match(r"^[a-z-]+(\.[A-Za-z-]+)?$", value):
            self.bad(node, key, f"{value!r} is not an arXiv category", "e.g. cs.LG or cs.CL")

    def check_doi(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.DOI_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not a DOI", "e.g. 10.1145/3600006.3613165")

    def check_commit(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not links.COMMIT_PATTERN.match(value):
            self.bad(
                node, key, f"{value!r} is not a commit hash", "7 to 40 lowercase hex digits, quoted"
            )

    def check_year(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            self.bad(node, key, f"{value!r} is not a year", "e.g. year: 2022")

    def check_count(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.bad(node, key, f"{value!r} is not a positive whole number")

    def check_date(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, datetime) or _as_date(value) is None:
            self.bad(node, key, f"{value!r} is not a date", "use YYYY-MM-DD, e.g. 2026-11-23")

    def check_kind(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if value not in KINDS:
            self.bad(
                node,
                key,
                f"unknown kind {value!r}",
                did_you_mean(str(value), KINDS) or "one of: " + ", ".join(KINDS),
            )

    def check_status(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if value not in STATUSES:
            self.bad(
                node,
                key,
                f"unknown status {value!r}",
                did_you_mean(str(value), STATUSES) or "one of: " + ", ".join(STATUSES),
            )

    def check_cite_key(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not CITE_KEY_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not a citation key", "letters, digits, _:.- only")

    def check_figrefs(self, node: Any, key: str, figure_ids: set[str]) -> None:
        value = node[key]
        if not isinstance(value, list):
            self.bad(node, key, f"must be a list of figure ids, not {_describe(value)}")
            return
        for i, ref in enumerate(value):
            if ref not in figure_ids:
                self.add(
                    self.item_pos(value, i),
                    f"unknown figure {ref!r}",
                    did_you_mean(str(ref), figure_ids) or "add it under `figures` first",
                )

    def check_channels(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, dict):
            self.bad(
                node, key, "must map a channel to its URL", "e.g. channels: {x: https://x.com/...}"
            )
            return
        for name in value:
            if not isinstance(value[name], str) or not links.is_url(value[name]):
                self.bad(value, name, f"{value[name]!r} is not an http(s) URL")

    def check_goal(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, dict):
            self.bad(node, key, "must be a mapping", "e.g. goal: {merged_prs: 3, by: 2027-03-31}")
            return
        for sub in value:
            if sub not in GOAL_FIELDS:
                self.unknown(value, sub, GOAL_FIELDS, "goal key")
            else:
                getattr(self, "check_" + GOAL_FIELDS[sub])(value, sub, set())
        if not any(k in value for k in ("merged_prs", "commits")):
            self.add(self.value_pos(node, key), "a goal needs `merged_prs` or `commits`")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def validate(doc: Any, path: str) -> list[Problem]:
    """Every problem in a parsed reading list, in file order."""
    validator = _Validator(path)
    validator.validate(doc)
    return sorted(validator.problems, key=lambda p: (p.line, p.column))


# --- model ------------------------------------------------------------------------------------


def _opt(value: Any) -> Any:
    return None if value is None else yamlio.to_plain(value)


def build(doc: Any, path: str) -> ReadingList:
    """The model of a validated document."""
    figures = [
        Figure(
            id=str(f["id"]),
            name=str(f["name"]),
            native_name=_opt(f.get("native_name")),
            github=_opt(f.get("github")),
            homepage=_opt(f.get("homepage")),
            channels=yamlio.to_plain(f.get("channels") or {}),
            affiliations=yamlio.to_plain(f.get("affiliations") or []),
            tags=yamlio.to_plain(f.get("tags") or []),
            notes=_opt(f.get("notes")),
            line=f.lc.line + 1,
        )
        for f in doc.get("figures") or []
    ]
    entries = []
    for e in doc.get("entries") or []:
        goal = e.get("goal")
        entries.append(
            Entry(
                id=str(e["id"]),
                kind=str(e["kind"]),
                title=str(e["title"]),
                url=_opt(e.get("url")),
                repo=_opt(e.get("repo")),
                arxiv=_opt(e.get("arxiv")),
                primary_class=_opt(e.get("primary_class")),
                doi=_opt(e.get("doi")),
                authors=yamlio.to_plain(e.get("authors") or []),
                year=e.get("year"),
                figures=yamlio.to_plain(e.get("figures") or []),
                tags=yamlio.to_plain(e.get("tags") or []),
                status=str(e.get("status", "todo")),
                added=_as_date(e.get("added")),
                started=_as_date(e.get("started")),
                finished=_as_date(e.get("finished")),
                notes=_opt(e.get("notes")),
                cite_key=_opt(e.get("cite_key")),
                commit=_opt(e.get("commit")),
                release=_opt(e.get("release")),
                goal=Goal(goal.get("merged_prs"), goal.get("commits"), _as_date(goal.get("by")))
                if goal
                else None,
                line=e.lc.line + 1,
            )
        )
    return ReadingList(path, figures, entries, int(doc.get("version", SCHEMA_VERSION)))


@dataclass
class Loaded:
    """A reading list as read from disk: its exact text, parsed document and model."""

    path: Path
    text: str
    digest: str
    doc: Any
    model: ReadingList


def parse_text(text: str, path: str) -> Any:
    return yamlio.parse(text, path)


def load_reading_list(path: Path) -> Loaded:
    """Read, parse and validate; InvalidFile lists every problem with file:line:column."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(
            f"{shown} does not exist", hint="create a workspace with `bip init`"
        ) from None
    except IsADirectoryError:
        raise BadInput(f"{shown} is a folder, not a reading list") from None
    text = yamlio.decode(data, shown)
    doc = parse_text(text, shown)
    problems = validate(doc, shown)
    if problems:
        raise InvalidFile(problems)
    return Loaded(path, text, digest(data), doc, build(doc, shown))


# --- edits ------------------------------------------------------------------------------------

T = TypeVar("T")
Plan = Callable[[ReadingList], tuple[list[yamlio.Edit], T]]


def edit_reading_list(path: Path, plan: Plan[T], lock: Path | None = None, attempts: int = 3) -> T:
    """Apply a planned change atomically. The plan sees a freshly validated model; if the file
    changes on disk between this read and the write, the plan is applied again to the new text."""
    for _ in range(attempts):
        loaded = load_reading_list(path)
        edits, result = plan(loaded.model)
        if not edits:
            return result
        new_text, new_doc = yamlio.apply_edits(loaded.text, loaded.doc, edits, str(path))
        problems = validate(new_doc, str(path))
        if problems:
            raise InvalidFile(
                [
                    Problem(
                        p.path,
                        p.line,
                        p.column,
                        f"the change would make the file invalid: {p.message}",
                        p.hint,
                    )
                    for p in problems
                ]
            )
        with locked(lock):
            if digest(path.read_bytes()) == loaded.digest:
                atomic_write_text(path, new_text)
                return result
    raise ConcurrentEdit(
        f"{path} kept changing while bip was writing it; nothing was written",
        hint="close the editor that is saving it, then run the command again",
    )


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

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], Change]:
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
        edits: list[yamlio.Edit] = [
            yamlio.SetItemKey("entries", index, k, v) for k, v in sets.items()
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

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], Change]:
        index = rl.entry_index(entry_id)
        notes = _with_note(rl.entries[index], note)
        return [yamlio.SetItemKey("entries", index, "notes", notes)], Change(
            entry_id, ["note added"]
        )

    return plan


def plan_set(entry_id: str, key: str, value: Any) -> Plan[Change]:
    """Set one field (e.g. pin a cite_key); the result is validated before anything is written."""
    if key not in ENTRY_FIELDS or key == "id":
        raise BadInput(f"cannot set {key!r}", hint=did_you_mean(key, ENTRY_FIELDS))

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], Change]:
        index = rl.entry_index(entry_id)
        return [yamlio.SetItemKey("entries", index, key, value)], Change(
            entry_id, [f"{key} {value}"]
        )

    return plan


def plan_remove(entry_id: str) -> Plan[Entry]:
    """Remove an entry; the result is the entry as it was, for saying what went."""

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], Entry]:
        index = rl.entry_index(entry_id)
        return [yamlio.RemoveItem("entries", index)], rl.entries[index]

    return plan


@dataclass
class Added:
    id: str
    kind: str
    title: str
    link: str


def plan_add(
    reference: str,
    today: date,
    entry_id: str | None = None,
    figures: list[str] | None = None,
    tags: list[str] | None = None,
    kind: str | None = None,
    title: str | None = None,
) -> Plan[Added]:
    """Add a URL, arXiv id or DOI as a new `todo` entry with a readable unique id."""
    source = links.classify(reference)
    if kind is not None and kind not in KINDS:
        raise BadInput(f"unknown kind {kind!r}", hint=did_you_mean(kind, KINDS) or ", ".join(KINDS))
    if entry_id is not None and not ID_PATTERN.match(entry_id):
        raise BadInput(
            f"{entry_id!r} is not a valid id",
            hint=f"lowercase ASCII letters, digits, '.', '_', '-'; e.g. {slug_id(entry_id)!r}",
        )

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], Added]:
        for fig in figures or []:
            rl.figure(fig)
        for existing in rl.entries:
            same = (
                (source.repo and existing.repo and existing.repo.lower() == source.repo.lower())
                or (source.arxiv and existing.arxiv == source.arxiv)
                or (source.doi and existing.doi and existing.doi.lower() == source.doi.lower())
                or (source.kind not in ("repo", "paper") and existing.url == source.url)
            )
            if same:
                raise BadInput(
                    f"{reference} is already in the list as {existing.id!r}",
                    hint=f"see `bip read show {existing.id}`",
                )
        taken = {e.id for e in rl.entries}
        if entry_id is not None:
            if entry_id in taken:
                raise BadInput(f"id {entry_id!r} is already used", hint="choose another --id")
            new_id = entry_id
        else:
            base = slug_id(source.id_hint) or source.kind
            if source.repo and base in taken:
                base = slug_id(source.repo.replace("/", "-"))
            new_id = unique_id(base, taken)
        item: dict[str, Any] = {
            "id": new_id,
            "kind": kind or source.kind,
            "title": title or source.title,
        }
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
        return [yamlio.AppendItem("entries", item)], added

    return plan


# --- queries ----------------------------------------------------------------------------------


def filter_entries(
    rl: ReadingList,
    status: str | None = None,
    figure: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
) -> list[Entry]:
    """Entries matching every given filter; unknown filter values are errors, not empty lists."""
    if status is not None and status not in STATUSES:
        raise BadInput(
            f"unknown status {status!r}",
            hint=did_you_mean(status, STATUSES) or "one of: " + ", ".join(STATUSES),
        )
    if kind is not None and kind not in KINDS:
        raise BadInput(
            f"unknown kind {kind!r}",
            hint=did_you_mean(kind, KINDS) or "one of: " + ", ".join(KINDS),
        )
    if figure is not None:
        rl.figure(figure)
    return [
        e
        for e in rl.entries
        if (status is None or e.status == status)
        and (figure is None or figure in e.figures)
        and (kind is None or e.kind == kind)
        and (tag is None or tag in e.tags)
    ]


def lock_path_for(reading_list: Path) -> Path:
    return reading_list.parent / ".bip" / "reading_list.lock"


def plan_pin_keys(keys: dict[str, str]) -> Plan[list[str]]:
    """Pin the citation keys a draft used (entries that have none yet), so they never change."""

    def plan(rl: ReadingList) -> tuple[list[yamlio.Edit], list[str]]:
        edits: list[yamlio.Edit] = []
        pinned = []
        for entry_id, key in keys.items():
            index = rl.entry_index(entry_id)
            if rl.entries[index].cite_key is None:
                edits.append(yamlio.SetItemKey("entries", index, "cite_key", key))
                pinned.append(entry_id)
        return edits, pinned

    return plan
