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
from toolkit.yamledit.parse import _BLOCK, _FLOW, PosMap, PosSeq, _LineCol

FORMAT = 1
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_FIGURE_FIELDS = tuple(f.name for f in fields(Figure))
_DATES = ("added", "started", "finished")


def cache_file(reading_list: Path, what: str = "model") -> Path:
    return reading_list.parent / ".bip" / "cache" / f"{reading_list.name}.{what}"


def _code_fingerprint() -> tuple[Any, ...]:
    from importlib import import_module

    from toolkit import __version__

    stamps: list[Any] = [FORMAT, __version__]
    for name in _CODE:
        try:
            st = os.stat(str(import_module(name).__file__))
            stamps += [st.st_size, st.st_mtime_ns]
        except (OSError, ImportError):
            stamps.append(None)
    return tuple(stamps)


_CODE = (
    "toolkit.readinglist.model",
    "toolkit.readinglist.schema",
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


def load_model(reading_list: Path, size: int, digest: str, shown: str) -> ReadingList | None:
    """The cached model of exactly these bytes, or None."""
    try:
        raw = cache_file(reading_list).read_bytes()
        key, payload = marshal.loads(raw)
        if key != (_code_fingerprint(), size, digest, shown):
            return None
        return _decode(payload)
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None


def save_model(reading_list: Path, size: int, digest: str, model: ReadingList) -> None:
    """Remember the model of these bytes (best effort: a read-only folder just stays cold)."""
    key = (_code_fingerprint(), size, digest, model.path)
    _write(cache_file(reading_list), lambda: marshal.dumps((key, _encode(model))))


def _write(target: Path, data: Callable[[], bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        target.parent.mkdir(parents=True, exist_ok=True)
        gitignore = target.parent.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# bip's state and caches: not for version control\n*\n")
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data())
        os.replace(tmp, target)


# --- the positioned document ------------------------------------------------------------------
# A mapping is (0, line, col, flow, keys, key positions, value positions, values), a list is
# (1, line, col, flow, item positions, values), a date is (2, ordinal): YAML scalars are never
# tuples. A document holding any other kind of value (a timestamp, a set) is not cached.

_SCALARS = (str, int, bool, float, type(None))


class _Uncacheable(Exception):
    pass


def _encode_doc(node: Any) -> Any:
    kind = type(node)
    if kind is PosMap:
        lc = node.lc
        keys = list(node)
        return (
            0,
            lc.line,
            lc.col,
            node.fa.flow_style(),
            [_encode_doc(k) for k in keys],
            [lc.key(k) for k in keys],
            [lc.value(k) for k in keys],
            [_encode_doc(node[k]) for k in keys],
        )
    if kind is PosSeq:
        lc = node.lc
        return (
            1,
            lc.line,
            lc.col,
            node.fa.flow_style(),
            list(lc._items),
            [_encode_doc(v) for v in node],
        )
    if kind is date:
        return (2, node.toordinal())
    if kind in _SCALARS:
        return node
    raise _Uncacheable(kind.__name__)


def _decode_doc(row: Any) -> Any:
    if row.__class__ is not tuple:
        return row
    tag = row[0]
    if tag == 2:
        return date.fromordinal(row[1])
    decode = _decode_doc
    if tag == 1:
        seq = PosSeq([decode(v) for v in row[5]])
        seq.lc = lc = _LineCol(row[1], row[2])
        lc._items = row[4]
        seq.fa = _FLOW if row[3] else _BLOCK
        return seq
    keys = [decode(k) for k in row[4]]
    mapping = PosMap(zip(keys, [decode(v) for v in row[7]], strict=True))
    mapping.lc = lc = _LineCol(row[1], row[2])
    lc._keys = dict(zip(keys, row[5], strict=True))
    lc._values = dict(zip(keys, row[6], strict=True))
    mapping.fa = _FLOW if row[3] else _BLOCK
    return mapping


def load_doc(reading_list: Path, size: int, digest: str, shown: str) -> Any:
    """The cached positioned document of exactly these bytes, or None."""
    try:
        key, payload = marshal.loads(cache_file(reading_list, "doc").read_bytes())
        if key != (_code_fingerprint(), size, digest, shown):
            return None
        doc = _decode_doc(payload)
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None
    return doc if isinstance(doc, PosMap) else None


def save_doc(reading_list: Path, size: int, digest: str, shown: str, doc: Any) -> None:
    """Remember the positioned document of these bytes (best effort, like the model)."""
    try:
        payload = _encode_doc(doc)
    except _Uncacheable:
        return
    key = (_code_fingerprint(), size, digest, shown)
    _write(cache_file(reading_list, "doc"), lambda: marshal.dumps((key, payload)))
