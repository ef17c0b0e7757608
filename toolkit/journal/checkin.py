"""The daily check-in, as one function: `check_in(workspace, request) -> CheckinResult`.

Nothing but your own words can block the day. The day's file is written first; then what
depends on it: the reading-list entries you started, the state store (the last check-in's
moment, the journal index). A reading list that does not validate leaves Read saying why (file
and line); an unreadable state store is moved aside and begun again; a full disk or a broken
store costs a warning, never the note. GitHub gets a total time (`GITHUB_SECONDS`), then the
day goes on offline.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.errors import BipError, InvalidFile
from toolkit.journal.days import Day, journal_files, render_day, write_day
from toolkit.journal.gather import Checkin, ReadItem, gather, remember, to_day
from toolkit.readinglist import ReadingList
from toolkit.workspace import Workspace

GITHUB_SECONDS = 3.0  # all of a check-in's GitHub requests together, before it goes on offline


@dataclass
class CheckinRequest:
    notes: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # entry ids worked on; a todo one is started
    minutes: int | None = None
    tags: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Given the day so far as Markdown, returns (notes, next): the editor, when the CLI has one.
    edit: Callable[[str], tuple[list[str], list[str]]] | None = None


@dataclass
class CheckinResult:
    entry: Checkin
    day: Day  # the day as written (merged with what was there), or as it would be
    path: Path | None  # None on a dry run
    streak: int | None  # days in a row, when the journal could be counted
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return render_day(self.day)


def check_in(
    ws: Workspace, request: CheckinRequest, client: Any = None, store: Any = None
) -> CheckinResult:
    """Gather the day, add your words, write the day's page, then update what derives from it.
    `client` is GitHub's (None: offline); `store` the state store (None: the workspace's)."""
    now = ws.now()
    warnings: list[str] = []
    model, missing = _reading_list(ws)
    if missing is not None:
        warnings.append(f"reading list not read, so Read says why: {missing}")
        if request.read:
            warnings.append(f"--read {' '.join(request.read)}: not recorded (no reading list)")
    else:
        assert model is not None
        for entry_id in request.read:
            model.entry(entry_id)  # unknown ids fail before anything is written
    if store is None:
        store = _open_store(ws, warnings)
    try:
        entry = gather(ws, model, store, now, client, worked_on=request.read)
    except sqlite3.Error as exc:  # a store that opened but cannot be read: do without it
        warnings.append(f"state store left out ({exc}): derived data skipped this time")
        store = None
        entry = gather(ws, model, None, now, None, worked_on=request.read)
    entry.read_missing = missing
    to_start = _start(entry, model, request.read, now.date())
    entry.notes, entry.next = list(request.notes), list(request.next)
    entry.minutes, entry.tags = request.minutes, list(request.tags)
    if request.edit is not None:
        entry.notes, entry.next = request.edit(render_day(to_day(entry)))
    warnings = warnings + entry.warnings
    warnings += [f"skipped {s.path}: {s.error}" for s in entry.skipped]
    if request.dry_run:
        return CheckinResult(entry, to_day(entry), None, None, warnings)
    lock = ws.paths.state / "journal.lock" if ws.paths.state.is_dir() else None
    path, merged = write_day(ws.paths.journal, to_day(entry), lock)
    # The day is on disk: from here on, a failure is a warning.
    if to_start:
        model = _start_entries(ws, to_start, now.date(), warnings) or model
    streak = _derive(ws, store, entry, model, warnings)
    return CheckinResult(entry, merged, path, streak, warnings)


def _reading_list(ws: Workspace) -> tuple[ReadingList | None, str | None]:
    """The model, or None and why (the first problem's file:line, and how many more)."""
    from toolkit import readinglist as rl

    try:
        return rl.load_reading_list(ws.paths.reading_list).model, None
    except InvalidFile as exc:
        first = exc.problems[0]
        more = len(exc.problems) - 1
        also = f" (and {more} more: `bip read validate`)" if more else ""
        return None, f"{first.render()}{also}"  # file:line:column, no ":0" for a whole-file problem
    except BipError as exc:  # missing, unreadable, not text
        return None, exc.message


def _open_store(ws: Workspace, warnings: list[str]) -> Any:
    from toolkit.state import open_store

    try:
        ws.ensure_state_dir()
    except OSError as exc:
        warnings.append(f"state store left out ({exc.strerror}): derived data skipped this time")
        return None
    store, problem = open_store(ws.paths.state_db)
    if problem:
        warnings.append(problem)
    return store


def _start(entry: Checkin, model: ReadingList | None, read: list[str], today: date) -> list[str]:
    """The todo entries you worked on start today: said in Read now, written to the list after
    the day is on disk."""
    if model is None:
        return []
    to_start = [i for i in read if model.entry(i).status == "todo"]
    already = {r.id for r in entry.started}
    for entry_id in to_start:
        entry.worked_on = [r for r in entry.worked_on if r.id != entry_id]
        if entry_id not in already:
            found = model.entry(entry_id)
            entry.started.append(ReadItem(found.id, found.title, "reading", today.isoformat()))
    return to_start


def _start_entries(
    ws: Workspace, ids: list[str], today: date, warnings: list[str]
) -> ReadingList | None:
    from toolkit import readinglist as rl

    try:
        for entry_id in ids:
            rl.edit_reading_list(
                ws.paths.reading_list,
                rl.plan_status(entry_id, "reading", today),
                lock=rl.lock_path_for(ws.paths.reading_list),
            )
        return rl.load_reading_list(ws.paths.reading_list).model
    except (BipError, OSError) as exc:
        why = exc.message if isinstance(exc, BipError) else str(exc)
        warnings.append(f"the day is written, but {', '.join(ids)} not marked reading: {why}")
        return None


def _derive(
    ws: Workspace, store: Any, entry: Checkin, model: ReadingList | None, warnings: list[str]
) -> int:
    """Remember the check-in and refresh the journal index; the streak from the files when the
    store cannot help."""
    from toolkit.journal.streak import streaks

    days: set[date] | None = None
    if store is not None:
        from toolkit.journal.index import refresh_index

        try:
            remember(store, entry, model)
            report = refresh_index(store, ws.paths.journal)
            warnings += [f"skipped: {problem}" for problem in report.problems]
            days = {date.fromisoformat(s.day) for s in report.summaries}
        except (sqlite3.Error, BipError) as exc:
            why = exc.message if isinstance(exc, BipError) else str(exc)
            warnings.append(
                f"the day is written, but the state store was not updated ({why}): "
                "the next check-in looks back 24 hours"
            )
    if days is None:
        days = set(journal_files(ws.paths.journal))
    return streaks(days, entry.now.date()).current
