"""The journal index, `bip log` and `bip streak`: streaks, a terminal heatmap and an SVG calendar.

The index (in the state store) is derived from the journal files and refreshed by comparing
file modification times, so hand edits show up and `--reindex` can always rebuild it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BipError
from toolkit.fileio import read_error, read_regular
from toolkit.journal.days import journal_files, parse_day, tag_list
from toolkit.workspace import Workspace


@dataclass
class Summary:
    day: str
    path: str
    tags: list[str]
    minutes: int
    counts: dict[str, int]
    activity: int


@dataclass
class IndexReport:
    summaries: list[Summary]
    problems: list[str] = field(default_factory=list)  # files that could not be read
    notices: list[str] = field(default_factory=list)  # the state store could not help


def journal_index(ws: Workspace, rebuild: bool = False) -> IndexReport:
    """The journal's days for `bip log` and `bip streak`: from the index in the state store,
    else (an unreadable store, a full disk) from the files themselves, with a notice."""
    import sqlite3

    from toolkit.state import open_store

    notices: list[str] = []
    store = None
    try:
        ws.ensure_state_dir()
        store, problem = open_store(ws.paths.state_db)
        notices += [problem] if problem else []
    except OSError as exc:
        notices.append(f"state store left out ({exc.strerror}): reading every journal file")
    try:
        report = refresh_index(store, ws.paths.journal, rebuild)
    except (sqlite3.Error, BipError) as exc:
        why = exc.message if isinstance(exc, BipError) else str(exc)
        notices.append(f"journal index left out ({why}): reading every journal file")
        report = refresh_index(None, ws.paths.journal)
    report.notices = notices
    return report


def refresh_index(store: Any, journal_dir: Path, rebuild: bool = False) -> IndexReport:
    """Bring the index up to date with the files (re-reading only files that changed). With no
    store (it could not be opened), every file is read: slower, never wrong."""
    if store is None:
        return _read_all(journal_dir)
    if rebuild:
        store.drop_journal_rows()
    rows = store.journal_rows()
    files = journal_files(journal_dir)
    problems = []
    store.drop_journal_rows([d for d in rows if date.fromisoformat(d) not in files])
    for day, path in sorted(files.items()):
        try:
            mtime = path.stat().st_mtime_ns
        except OSError as exc:  # a dangling symlink, a file gone meanwhile
            problems.append(read_error(exc, path).message)
            continue
        row = rows.get(day.isoformat())
        if row and row["mtime_ns"] == mtime and row["path"] == str(path):
            continue
        try:
            summary = _summary(day, path)
        except BipError as exc:  # one bad day is reported and skipped, never blocks the rest
            problems.append(exc.message)
            store.drop_journal_rows([day.isoformat()])
            continue
        store.put_journal_row({**summary.__dict__, "mtime_ns": mtime})
    summaries = [
        Summary(**{k: v for k, v in r.items() if k != "mtime_ns"})
        for r in store.journal_rows().values()
    ]
    return IndexReport(summaries, problems)


def _summary(day: date, path: Path) -> Summary:
    parsed = parse_day(yamledit.decode(read_regular(path), str(path)), path, day)
    minutes = parsed.meta.get("minutes") or 0
    return Summary(
        day.isoformat(),
        str(path),
        tag_list(parsed.meta.get("tags")),
        int(minutes) if isinstance(minutes, int) else 0,
        parsed.counts(),
        parsed.activity,
    )


def _read_all(journal_dir: Path) -> IndexReport:
    report = IndexReport([])
    for day, path in sorted(journal_files(journal_dir).items()):
        try:
            report.summaries.append(_summary(day, path))
        except BipError as exc:
            report.problems.append(exc.message)
        except OSError as exc:
            report.problems.append(read_error(exc, path).message)
    return report


def select(summaries: list[Summary], since: date | None, tag: str | None) -> list[Summary]:
    return [
        s
        for s in summaries
        if (since is None or s.day >= since.isoformat()) and (tag is None or tag in s.tags)
    ]
