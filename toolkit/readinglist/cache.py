"""A cache of the validated model, in `.bip/`, keyed by the reading list's exact bytes.

Parsing and validating a 5,000-entry list costs most of a command; the model it yields depends
only on the file's bytes (and on bip's code). A warm read costs a SHA-256 of the file and one
`marshal.loads`. The key is the file's size and content digest plus a fingerprint of the modules
that parse, validate and build (so an upgraded or edited bip never reads an old model). Only
valid lists are cached; any problem reading or writing the cache is a miss, never an error.
marshal holds plain data only (it never runs code), and `.bip/` is bip's own folder.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.readinglist.model import Entry, Figure, Goal, ReadingList

FORMAT = 1
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_FIGURE_FIELDS = tuple(f.name for f in fields(Figure))
_DATES = ("added", "started", "finished")


def cache_file(reading_list: Path) -> Path:
    return reading_list.parent / ".bip" / "cache" / f"{reading_list.name}.model"


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
    target = cache_file(reading_list)
    with contextlib.suppress(OSError, ValueError):
        target.parent.mkdir(parents=True, exist_ok=True)
        gitignore = target.parent.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# bip's state and caches: not for version control\n*\n")
        data = marshal.dumps(((_code_fingerprint(), size, digest, model.path), _encode(model)))
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
