"""The journal: one Markdown file a day (`journal/YYYY/YYYY-MM-DD.md`) with YAML front matter.

The files are the source of truth; they can be committed and published as they are. A second
check-in on the same day merges into the day's file: every block (a bullet with its sub-lines)
already there is kept as it is, including edits the user made by hand, and only blocks not
already present are added. Writes are locked against other bip processes and atomic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import InvalidFile, Problem
from toolkit.fileio import atomic_write_text, locked

SECTIONS = ("Built", "Read", "Landed", "New from people you follow", "Notes", "Next")
COUNTED = {"Built": "built", "Read": "read", "Landed": "landed", "Notes": "notes"}


def day_path(journal_dir: Path, day: date) -> Path:
    return journal_dir / f"{day:%Y}" / f"{day.isoformat()}.md"


@dataclass
class Day:
    """One journal file, parsed: front matter, a title line, and sections of blocks."""

    day: date
    meta: dict[str, Any] = field(default_factory=dict)
    preamble: list[str] = field(default_factory=list)  # lines between front matter and sections
    sections: dict[str, list[list[str]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Bullets per section; plain lines (like an italic remark) are not counted."""
        return {
            key: sum(
                b[0].startswith("- ") and not b[0].startswith("- _")
                for b in self.sections.get(name, [])
            )
            for name, key in COUNTED.items()
        }

    @property
    def activity(self) -> int:
        return sum(self.counts().values())


def parse_day(text: str, path: Path, day: date) -> Day:
    """Parse a journal file; a broken front matter is an InvalidFile with its line."""
    shown = str(path)
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise InvalidFile(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "no front matter (the file must start with ---)",
                    "restore the --- block at the top, or move the file away",
                )
            ]
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InvalidFile(
            [Problem(shown, 1, 1, "the front matter is never closed by ---")]
        ) from None
    try:
        meta = yamledit.parse("\n".join(lines[1:end]) + "\n", shown)
    except InvalidFile as exc:
        first = exc.problems[0]  # lines in the front matter start after the opening ---
        raise InvalidFile(
            [
                Problem(
                    shown,
                    first.line + 1,
                    first.column,
                    f"front matter: {first.message}",
                    first.hint,
                )
            ]
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InvalidFile([Problem(shown, 2, 1, "the front matter must be a mapping (key: value)")])
    parsed = Day(day, yamledit.to_plain(meta))
    current: list[list[str]] | None = None
    for line in lines[end + 1 :]:
        if line.startswith("## "):
            current = parsed.sections.setdefault(line[3:].strip(), [])
        elif current is None:
            parsed.preamble.append(line)
        elif line.startswith("- ") or not current:
            if line.strip():
                current.append([line])
        elif line.strip():
            current[-1].append(line)
    return parsed


def render_day(day: Day) -> str:
    meta = {"date": day.day, **{k: v for k, v in day.meta.items() if k not in ("date", "counts")}}
    meta["counts"] = day.counts()
    front = yamledit.render_block(meta)
    out = ["---", *front, "---"]
    preamble = list(day.preamble) or ["", f"# {day.day.isoformat()}"]
    while preamble and not preamble[-1].strip():
        preamble.pop()
    out += preamble
    for name in _ordered(day.sections):
        blocks = day.sections[name]
        if not blocks:
            continue
        out += ["", f"## {name}"]
        for block in blocks:
            out += block
    return "\n".join(out) + "\n"


def _ordered(sections: dict[str, Any]) -> list[str]:
    known = [s for s in SECTIONS if s in sections]
    extra = [s for s in sections if s not in SECTIONS]  # sections the user added by hand
    return known + extra


def merge(existing: Day, incoming: Day) -> Day:
    """Keep everything already in the day, add what is new: blocks by exact text, tags as a
    union, minutes summed."""
    merged = Day(
        existing.day,
        dict(existing.meta),
        list(existing.preamble),
        {k: [list(b) for b in v] for k, v in existing.sections.items()},
    )
    for name, blocks in incoming.sections.items():
        target = merged.sections.setdefault(name, [])
        have = {"\n".join(b).strip() for b in target}
        for block in blocks:
            if "\n".join(block).strip() not in have:
                target.append(list(block))
                have.add("\n".join(block).strip())
    tags = list(existing.meta.get("tags") or [])
    tags += [t for t in incoming.meta.get("tags") or [] if t not in tags]
    if tags:
        merged.meta["tags"] = tags
    minutes = int(existing.meta.get("minutes") or 0) + int(incoming.meta.get("minutes") or 0)
    if minutes:
        merged.meta["minutes"] = minutes
    return merged


def load_day(journal_dir: Path, day: date) -> Day | None:
    path = day_path(journal_dir, day)
    if not path.exists():
        return None
    text = yamledit.decode(path.read_bytes(), str(path))
    return parse_day(text, path, day)


def write_day(journal_dir: Path, incoming: Day, lock: Path | None) -> tuple[Path, Day]:
    """Merge `incoming` into the day's file (creating it if needed), under a lock, atomically."""
    path = day_path(journal_dir, incoming.day)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(lock):
        existing = load_day(journal_dir, incoming.day)
        result = merge(existing, incoming) if existing else incoming
        text = render_day(result)
        parse_day(text, path, incoming.day)  # validate what is about to be written
        atomic_write_text(path, text)
    return path, result


def journal_files(journal_dir: Path) -> dict[date, Path]:
    found: dict[date, Path] = {}
    for path in journal_dir.glob("*/*.md"):
        try:
            found[date.fromisoformat(path.stem)] = path
        except ValueError:
            continue  # not a day file
    return found
