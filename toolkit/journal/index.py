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


def refresh_index(store: Any, journal_dir: Path, rebuild: bool = False) -> IndexReport:
    """Bring the index up to date with the files (re-reading only files that changed)."""
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
            parsed = parse_day(yamledit.decode(read_regular(path), str(path)), path, day)
        except BipError as exc:  # one bad day is reported and skipped, never blocks the rest
            problems.append(exc.message)
            store.drop_journal_rows([day.isoformat()])
            continue
        tags = tag_list(parsed.meta.get("tags"))
        minutes = parsed.meta.get("minutes") or 0
        store.put_journal_row(
            {
                "day": day.isoformat(),
                "path": str(path),
                "mtime_ns": mtime,
                "tags": tags,
                "minutes": int(minutes) if isinstance(minutes, int) else 0,
                "counts": parsed.counts(),
                "activity": parsed.activity,
            }
        )
    summaries = [
        Summary(**{k: v for k, v in r.items() if k != "mtime_ns"})
        for r in store.journal_rows().values()
    ]
    return IndexReport(summaries, problems)


def select(summaries: list[Summary], since: date | None, tag: str | None) -> list[Summary]:
    return [
        s
        for s in summaries
        if (since is None or s.day >= since.isoformat()) and (tag is None or tag in s.tags)
    ]
