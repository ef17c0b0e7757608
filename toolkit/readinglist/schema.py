"""The reading list's schema: every problem of a document, with file:line:column (the model of
a valid one is built by builder.py)."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any

from toolkit.errors import Problem
from toolkit.readinglist.builder import as_date
from toolkit.readinglist.model import (
    BIBLIOGRAPHIC,
    CITE_KEY_PATTERN,
    ENTRY_FIELDS,
    FIGURE_FIELDS,
    GOAL_FIELDS,
    KINDS,
    REQUIRED_BY_KIND,
    SCHEMA_VERSION,
    STATUSES,
    TOP_KEYS,
)
from toolkit.text import ID_PATTERN, did_you_mean, slug_id


@functools.cache
def _links() -> Any:
    """toolkit.readinglist.links, imported on the first check that needs it (6 ms: a read from
    the cache validates nothing) and not again at every check."""
    from toolkit.readinglist import links

    return links


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, pos: tuple[int, int], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, pos[0] + 1, pos[1] + 1, message, hint))

    # Data without positions (an entry a command is about to write) is common: it is told by
    # its missing `lc`, not by an exception (which costs more than the check).
    @staticmethod
    def key_pos(node: Any, key: str) -> tuple[int, int]:
        lc = getattr(node, "lc", None)
        if lc is None:
            return -1, -1
        try:
            return tuple(lc.key(key))
        except (AttributeError, KeyError, TypeError):
            return _Validator.node_pos(node)

    @staticmethod
    def value_pos(node: Any, key: str) -> tuple[int, int]:
        lc = getattr(node, "lc", None)
        if lc is None:
            return -1, -1
        try:
            return tuple(lc.value(key))
        except (AttributeError, KeyError, TypeError):
            return _Validator.key_pos(node, key)

    @staticmethod
    def item_pos(node: Any, index: int) -> tuple[int, int]:
        lc = getattr(node, "lc", None)
        if lc is None:
            return -1, -1
        try:
            return tuple(lc.item(index))
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
        seen: dict[str, Any] = {}
        cite_keys: dict[str, Any] = {}
        for i in range(len(items)):
            self.item(name, items, i, fields, figure_ids, seen, cite_keys)
        return set(seen)

    def item(
        self,
        name: str,
        items: Any,
        i: int,
        fields: dict[str, str],
        figure_ids: set[str],
        seen: dict[str, Any],
        cite_keys: dict[str, Any],
    ) -> None:
        """Check `items[i]` of section `name`; `seen` and `cite_keys` hold the ids and citation
        keys of the items before it (the first item of each), for the duplicate checks."""
        item = items[i]
        pos = self.item_pos(items, i)
        if not isinstance(item, dict):
            self.add(pos, f"each item of `{name}` must be a mapping (`- id: ...`)")
            return
        checks = _CHECKS
        for key in item:
            kind = fields.get(key)
            if kind is None:
                self.unknown(item, key, fields, "key")
            else:
                checks[kind](self, item, key, figure_ids)
        item_id = item.get("id")
        if "id" not in item:
            self.add(pos, f"this item of `{name}` has no `id`", "add `id: a-short-name`")
        elif isinstance(item_id, str) and ID_PATTERN.match(item_id):
            if item_id in seen:
                self.add(
                    self.value_pos(item, "id"),
                    f"duplicate id {item_id!r}",
                    f"first used on line {self.value_pos(seen[item_id], 'id')[0] + 1}; "
                    "ids must be unique",
                )
            else:
                seen[item_id] = item
        if name == "figures":
            self.require(item, pos, ("name",))
        else:
            self.entry_rules(item, pos, cite_keys)

    def entry_rules(self, item: Any, pos: tuple[int, int], cite_keys: dict[str, Any]) -> None:
        self.require(item, pos, ("kind", "title"))
        kind = item.get("kind")
        needs = REQUIRED_BY_KIND.get(kind, ()) if isinstance(kind, str) else ()
        if needs and not _any_set(item, needs) and not _known_by_data(item, kind):
            which = " or ".join(f"`{k}`" for k in needs)
            more = (
                " (or a `year`, for a paper known by its title and year)" if kind == "paper" else ""
            )
            self.add(pos, f"a {kind} entry needs {which}{more}")
        if "goal" in item and kind != "repo":
            self.add(self.key_pos(item, "goal"), "`goal` is only for repo entries")
        started, finished = as_date(item.get("started")), as_date(item.get("finished"))
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
                    f"first used on line {self.value_pos(cite_keys[key], 'cite_key')[0] + 1}",
                )
            else:
                cite_keys[key] = item

    def require(self, item: Any, pos: tuple[int, int], keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in item:
                label = f" {item['id']!r}" if isinstance(item.get("id"), str) else ""
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
        if not isinstance(value, str) or not _links().is_url(value):
            self.bad(node, key, f"{value!r} is not an http(s) URL", "e.g. https://example.org/page")

    def check_login(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not _links().LOGIN_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not a GitHub login", "just the login, e.g. karpathy")

    def check_repo(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not _links().REPO_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not owner/name", "e.g. karpathy/nanoGPT")

    def check_arxiv(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not _links().is_arxiv_id(value):
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
        if not isinstance(value, str) or not _links().DOI_PATTERN.match(value):
            self.bad(node, key, f"{value!r} is not a DOI", "e.g. 10.1145/3600006.3613165")

    def check_commit(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not _links().COMMIT_PATTERN.match(value):
            self.bad(
                node, key, f"{value!r} is not a commit hash", "7 to 40 lowercase hex digits, quoted"
            )

    def check_year(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 2100:
            self.bad(node, key, f"{value!r} is not a year", "e.g. year: 2022")

    def check_count(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.bad(node, key, f"{value!r} is not a positive whole number")

    def check_date(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if isinstance(value, datetime) or as_date(value) is None:
            self.bad(node, key, f"{value!r} is not a date", "use YYYY-MM-DD, e.g. 2026-11-23")

    def check_kind(self, node: Any, key: str, _: set[str]) -> None:
        self.choice(node, key, "kind", KINDS)

    def check_status(self, node: Any, key: str, _: set[str]) -> None:
        self.choice(node, key, "status", STATUSES)

    def choice(self, node: Any, key: str, what: str, allowed: tuple[str, ...]) -> None:
        value = node[key]
        if value not in allowed:
            self.bad(
                node,
                key,
                f"unknown {what} {value!r}",
                did_you_mean(str(value), allowed) or "one of: " + ", ".join(allowed),
            )

    def check_cite_key(self, node: Any, key: str, _: set[str]) -> None:
        value = node[key]
        if not isinstance(value, str) or not CITE_KEY_PATTERN.match(value):
            hint = "a letter, then letters, digits, _:./- only"
            self.bad(node, key, f"{value!r} is not a citation key", hint)

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
            if not isinstance(value[name], str) or not _links().is_url(value[name]):
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
                _CHECKS[GOAL_FIELDS[sub]](self, value, sub, set())
        if not any(k in value for k in ("merged_prs", "commits")):
            self.add(self.value_pos(node, key), "a goal needs `merged_prs` or `commits`")


# checker name (model.ENTRY_FIELDS' values) -> _Validator.check_<name>
_CHECKS: dict[str, Any] = {
    name.removeprefix("check_"): check
    for name, check in vars(_Validator).items()
    if name.startswith("check_")
}


def _any_set(item: Any, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if item.get(key):
            return True
    return False


def _known_by_data(item: Any, kind: Any) -> bool:
    """A paper known by its bibliographic data alone (its title and year)."""
    if kind != "paper":
        return False
    for key in BIBLIOGRAPHIC:
        if not item.get(key):
            return False
    return True


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


def validate_entry(item: Any, items: Any, i: int, path: str, figure_ids: set[str]) -> list[Problem]:
    """The problems of entry `items[i]` on its own: every check but those across entries
    (duplicate ids and citation keys), which the caller makes."""
    validator = _Validator(path)
    validator.item("entries", items, i, ENTRY_FIELDS, figure_ids, {}, {})
    return validator.problems
