"""A cache of the validated model and its positioned document, in `.bip/`, keyed by the
reading list's exact bytes.

Parsing and validating a 5,000-entry list costs most of a command; the model it yields depends
only on the file's bytes (and on bip's code). A warm read costs a SHA-256 of the file and one
`marshal.loads`. The key is the file's size and content digest plus a fingerprint of the modules
that parse, validate and build (so an upgraded or edited bip never reads an old model). Only
valid lists are cached; any problem reading or writing the cache is a miss, never an error.
marshal holds plain data only (it never runs code), and `.bip/` is bip's own folder.

An edit needs the document with positions too (where each entry and key stands); it is kept in
a second file under the same key, so a warm edit parses nothing but the text it wrote, and a
read never pays for loading positions it does not use.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.readinglist.model import Entry, Figure, Goal, ReadingList
from toolkit.yamledit.parse import BLOCK, FLOW, LineCol, PosMap, PosSeq, has_marks

FORMAT = 3
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_FIGURE_FIELDS = tuple(f.name for f in fields(Figure))
_DATES = ("added", "started", "finished")
_BROKEN = (ValueError, TypeError, IndexError, KeyError, AttributeError)


def cache_file(reading_list: Path, what: str = "model") -> Path:
    return reading_list.parent / ".bip" / "cache" / f"{reading_list.name}.{what}"


def _code_fingerprint() -> tuple[Any, ...]:
    import toolkit

    stamps: list[Any] = [FORMAT, toolkit.__version__]
    base = os.path.dirname(str(toolkit.__file__))  # the files' stats, without importing them
    for name in _CODE:
        try:
            st = os.stat(os.path.join(base, *name.split(".")[1:]) + ".py")
            stamps += [st.st_size, st.st_mtime_ns]
        except OSError:
            stamps.append(None)
    return tuple(stamps)


_CODE = (
    "toolkit.readinglist.model",
    "toolkit.readinglist.schema",
    "toolkit.readinglist.builder",
    "toolkit.readinglist.links",
    "toolkit.readinglist.cache",
    "toolkit.yamledit.parse",
)


def _encode(model: ReadingList) -> Any:
    figures = [tuple(getattr(f, name) for name in _FIGURE_FIELDS) for f in model.figures]
    entries = []
    for entry in model.entries:
        row = [getattr(entry, name) for name in _ENTRY_FIELDS]
        for name in _DATES:
            i = _ENTRY_FIELDS.index(name)
            row[i] = row[i].toordinal() if row[i] is not None else None
        goal = entry.goal
        if goal is not None:
            row[_ENTRY_FIELDS.index("goal")] = (
                goal.merged_prs,
                goal.commits,
                goal.by.toordinal() if goal.by else None,
            )
        entries.append(tuple(row))
    return (model.path, model.version, figures, entries)


def _decode(payload: Any) -> ReadingList:
    path, version, figures, entries = payload
    new = object.__new__
    date_at = [_ENTRY_FIELDS.index(name) for name in _DATES]
    goal_at = _ENTRY_FIELDS.index("goal")
    ordinal = date.fromordinal
    built_figures = []
    for row in figures:
        figure = new(Figure)
        figure.__dict__.update(zip(_FIGURE_FIELDS, row, strict=True))
        built_figures.append(figure)
    built_entries = []
    for row in entries:
        values = list(row)
        for i in date_at:
            if values[i] is not None:
                values[i] = ordinal(values[i])
        goal = values[goal_at]
        if goal is not None:
            values[goal_at] = Goal(goal[0], goal[1], ordinal(goal[2]) if goal[2] else None)
        entry = new(Entry)  # frozen dataclasses: fill the fields the way __init__ would
        entry.__dict__.update(zip(_ENTRY_FIELDS, values, strict=True))
        built_entries.append(entry)
    return ReadingList(path, built_figures, built_entries, version)


# --- the positioned document ------------------------------------------------------------------
# A mapping is (0, line, col, flow, keys, key positions, value positions, values), a list is
# (1, line, col, flow, item positions, values), a date is (2, ordinal): YAML scalars are never
# tuples. A block list of mappings directly under the top level (a section: `entries`,
# `figures`) is (3, line, col, item positions, items), each item encoded with the lines it had
# when it was encoded: it is decoded moved by the difference between its position now and the
# line it was encoded at. An edit that adds or removes lines in one item so moves the items
# after it by changing their positions only, and keeps their encodings as they are. A document
# holding any other kind of value (a timestamp, a set) is not cached. The payload is (plain,
# top): `plain` says the text has no anchors, aliases or directives (so one item can be
# re-parsed on its own).

_SCALARS = (str, int, bool, float, type(None))
_PLAIN = {str, int, bool, float, type(None)}  # encoded as they are


class _Uncacheable(Exception):
    pass


def _encode_doc(node: Any) -> Any:
    kind = type(node)
    if kind is PosMap:
        lc = node.lc
        keys = list(node)
        at_key, at_value = lc.keys_at, lc.values_at
        return (
            0,
            lc.line,
            lc.col,
            node.fa.flow_style(),
            [k if type(k) is str else _encode_doc(k) for k in keys],
            [at_key[k] for k in keys],
            [at_value[k] for k in keys],
            [_encode_doc(v) if type(v) not in _PLAIN else v for v in node.values()],
        )
    if kind is PosSeq:
        lc = node.lc
        return (
            1,
            lc.line,
            lc.col,
            node.fa.flow_style(),
            list(lc.items_at),
            [_encode_doc(v) for v in node],
        )
    if kind is date:
        return (2, node.toordinal())
    if kind in _SCALARS:
        return node
    raise _Uncacheable(kind.__name__)


def _encode_top(doc: Any) -> Any:
    if type(doc) is not PosMap:
        raise _Uncacheable(type(doc).__name__)
    lc = doc.lc
    keys = list(doc)
    return (
        0,
        lc.line,
        lc.col,
        doc.fa.flow_style(),
        [_encode_doc(k) for k in keys],
        [lc.key(k) for k in keys],
        [lc.value(k) for k in keys],
        [_section(doc[k]) for k in keys],
    )


def _section(value: Any) -> Any:
    if type(value) is not PosSeq or value.fa.flow_style():
        return _encode_doc(value)
    if not all(type(item) is PosMap for item in value):
        return _encode_doc(value)
    return (
        3,
        value.lc.line,
        value.lc.col,
        list(value.lc.items_at),
        [_encode_doc(v) for v in value],
    )


def _decode_doc(row: Any, base: int = 0) -> Any:
    if row.__class__ is not tuple:
        return row
    tag = row[0]
    if tag == 2:
        return date.fromordinal(row[1])
    decode = _decode_doc
    if tag == 3:
        items = row[3]
        seq = PosSeq([decode(v, at[0] - v[1]) for v, at in zip(row[4], items, strict=True)])
        seq.lc = lc = LineCol(row[1], row[2])
        lc.items_at = items
        seq.fa = BLOCK
        return seq
    if tag == 1:
        seq = PosSeq([decode(v, base) for v in row[5]])
        seq.lc = lc = LineCol(row[1] + base, row[2])
        lc.items_at = [(line + base, col) for line, col in row[4]] if base else row[4]
        seq.fa = FLOW if row[3] else BLOCK
        return seq
    keys = [decode(k, base) for k in row[4]]
    mapping = PosMap(zip(keys, [decode(v, base) for v in row[7]], strict=True))
    mapping.lc = lc = LineCol(row[1] + base, row[2])
    if base:
        lc.keys_at = {k: (line + base, col) for k, (line, col) in zip(keys, row[5], strict=True)}
        lc.values_at = {k: (line + base, col) for k, (line, col) in zip(keys, row[6], strict=True)}
    else:
        lc.keys_at = dict(zip(keys, row[5], strict=True))
        lc.values_at = dict(zip(keys, row[6], strict=True))
    mapping.fa = FLOW if row[3] else BLOCK
    return mapping


def doc_of(payload: Any) -> Any:
    """The positioned document a payload from `load_doc_payload` holds, or None."""
    try:
        doc = _decode_doc(payload[1])
    except _BROKEN:
        return None
    return doc if isinstance(doc, PosMap) else None


class ParseCache:
    """The cached model and positioned document of one reading list, under its workspace's
    `.bip/cache/`. Everything in a key must match: the file's size, SHA-256 and shown path, the
    fingerprint of the code, and `salt` (a store may set one: a different salt never reads what
    another wrote). The files are the owner's only (0600 in a 0700 folder): they hold the list."""

    def __init__(self, reading_list: Path, salt: Any = None) -> None:
        self.reading_list = reading_list
        self.salt = salt

    def _key(self, size: int, digest: str) -> Any:
        return (_code_fingerprint(), self.salt, size, digest, str(self.reading_list))

    def load_model(self, size: int, digest: str) -> ReadingList | None:
        """The cached model of exactly these bytes, or None."""
        try:
            key, payload = marshal.loads(cache_file(self.reading_list).read_bytes())
            if key != self._key(size, digest):
                return None
            return _decode(payload)
        except (OSError, EOFError, *_BROKEN):
            return None

    def save_model(self, size: int, digest: str, model: ReadingList) -> None:
        """Remember the model of these bytes (best effort: a read-only folder stays cold)."""
        key = self._key(size, digest)
        _write(cache_file(self.reading_list), lambda: _dumps((key, _encode(model))))

    def load_doc_payload(self, size: int, digest: str) -> Any:
        """The cached (plain, encoded document) of exactly these bytes, or None."""
        try:
            key, payload = marshal.loads(cache_file(self.reading_list, "doc").read_bytes())
            if key != self._key(size, digest):
                return None
            plain, top = payload
            if plain not in (True, False) or top.__class__ is not tuple or top[0] != 0:
                return None
            return payload
        except (OSError, EOFError, *_BROKEN):
            return None

    def save_doc(self, size: int, digest: str, doc: Any, text: str) -> None:
        """Remember the positioned document of these bytes (best effort, like the model)."""
        try:
            payload = (not has_marks(text), _encode_top(doc))
        except _Uncacheable:
            return
        self.save_doc_payload(size, digest, payload)

    def save_doc_payload(self, size: int, digest: str, payload: Any) -> None:
        key = self._key(size, digest)
        _write(cache_file(self.reading_list, "doc"), lambda: _dumps((key, payload)))


def _dumps(value: Any) -> bytes:
    """marshal's format 2: no table of the objects already written (format 3 and 4 keep one,
    to write a repeated object once). Positions are hundreds of thousands of small tuples:
    dumping a 5,000-entry list's document took 41-51 ms with the table, 24 ms without; loading
    takes the same time; the file is 30% larger."""
    return marshal.dumps(value, 2)


def _write(target: Path, data: Callable[[], bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for folder in (target.parent.parent, target.parent):  # .bip/ and .bip/cache/
            folder.mkdir(mode=0o700, exist_ok=True)
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)  # made by an older bip, open to others
        gitignore = target.parent.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# bip's state and caches: not for version control\n*\n")
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_BINARY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data())
        os.chmod(tmp, 0o600)  # one a killed bip left behind may have another mode
        os.replace(tmp, target)


_O_BINARY = getattr(os, "O_BINARY", 0)


# --- one item, edited -------------------------------------------------------------------------


def section_view(payload: Any, section: str, index: int) -> Any:
    """The list `section` of a cached document with its positions, holding only item `index`
    (the others are None: an edit of one item reads no other), or None when the document is
    not plain or the section is not a block list of that length."""
    try:
        plain, top = payload
        if not plain or section not in top[4]:
            return None
        row = top[7][top[4].index(section)]
        if row.__class__ is not tuple or row[0] != 3 or not 0 <= index < len(row[3]):
            return None
        seq = PosSeq([None] * len(row[3]))
        seq[index] = _decode_doc(row[4][index], row[3][index][0] - row[4][index][1])
        seq.lc = lc = LineCol(row[1], row[2])
        lc.items_at = row[3]
        seq.fa = BLOCK
    except _BROKEN:  # a cache that does not hold what it should: a miss, like any other
        return None
    return seq if isinstance(seq[index], PosMap) else None


def section_follows(payload: Any, section: str) -> int | None:
    """The line of the top-level key after `section` in a cached document (where the text
    after the section's last item goes on), or None when the section is the last."""
    try:
        keys, key_at = payload[1][4], payload[1][5]
        at = keys.index(section)
        return int(key_at[at + 1][0]) if at + 1 < len(keys) else None
    except _BROKEN:
        return None


def with_items(payload: Any, section: str, index: int, first: int, delta: int, new: Any) -> Any:
    """The payload of the text in which item `index` of `section` (on line `first`) was
    replaced by the items `new` (parsed from their own lines: positions count from `first`)
    and every line after them moved by `delta`; None when something after them is not kept in
    movable form."""
    try:
        return _with_items(payload, section, index, first, delta, new)
    except _BROKEN:
        return None


def _with_items(payload: Any, section: str, index: int, first: int, delta: int, new: Any) -> Any:
    plain, top = payload
    keys, key_at, value_at, values = top[4], top[5], top[6], list(top[7])

    def move(positions: Any) -> Any:
        return [(line + delta, col) if line > first else (line, col) for line, col in positions]

    for n, (line, _) in enumerate(value_at):
        row = values[n]
        if row.__class__ is tuple and row[0] == 3:
            if keys[n] == section:
                continue
            if row[1] > first:
                values[n] = (3, row[1] + delta, row[2], move(row[3]), row[4])
            elif row[3] and row[3][-1][0] > first:
                return None  # another section around the edited line: not this layout
        elif row.__class__ is tuple and row[0] != 2 and line >= first:
            values[n] = _encode_doc(_decode_doc(row, delta))  # `figures: []` after, say
    at = keys.index(section)
    row = values[at]
    try:
        rows = [_encode_doc(item) for item in new]
    except _Uncacheable:
        return None
    items = list(row[3])
    items[index + 1 :] = [(line + delta, col) for line, col in items[index + 1 :]]
    items[index : index + 1] = [(first + item.lc.line, item.lc.col) for item in new]
    encoded = list(row[4])
    encoded[index : index + 1] = rows
    values[at] = (3, row[1], row[2], items, encoded)
    return (plain, (0, top[1], top[2], top[3], keys, move(key_at), move(value_at), values))
