"""The journal: one Markdown file a day (`journal/YYYY/YYYY-MM-DD.md`) with YAML front matter.

The files are the source of truth; they can be committed and published as they are. A second
check-in on the same day merges into the day's file: every block (a bullet with its sub-lines)
already there is kept as it is, including edits the user made by hand, and only blocks not
already present are added. Writes are locked against other bip processes and atomic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BipError, ConcurrentEdit, InvalidFile, Problem
from toolkit.fileio import digest, locked, read_regular, styled, text_style, write_checked

SECTIONS = ("Built", "Read", "Landed", "Published", "New from people you follow", "Notes", "Next")
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
        """Effort points, what a day's shade in `bip streak` stands for (its help says so): 1 per
        30 minutes logged, per commit, per other line (read, landed, note); 2 per run recorded;
        3 per post drafted or published."""
        counts = self.counts()
        commits = 0
        for block in self.sections.get("Built", []):
            head = REPO_LINE.match(block[0])
            commits += int(head["n"]) if head else 0
        runs = posts = 0
        for block in self.sections.get("Published", []):
            runs += block[0].startswith("- run ")
            posts += block[0].startswith(("- drafted: ", "- published: "))
        minutes = self.meta.get("minutes")
        halves = minutes // 30 if isinstance(minutes, int) and not isinstance(minutes, bool) else 0
        other = counts["read"] + counts["landed"] + counts["notes"]
        return max(0, halves) + commits + 2 * runs + 3 * posts + other


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
    problems = _check_meta(meta, shown)
    if problems:
        raise InvalidFile(problems)
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


def _check_meta(meta: Any, shown: str) -> list[Problem]:
    """The keys bip itself updates must hold what bip can update without changing their meaning:
    `tags` a word or a list of words, `minutes` a whole number. Anything else is refused where
    it stands (never rewritten: `tags: attention` must not become a list of letters)."""
    problems = []

    def where(key: str) -> tuple[int, int]:
        line, col = meta.lc.value(key)
        return line + 2, col + 1  # the front matter starts on the file's line 2

    tags = meta.get("tags")
    if tags is not None and not _is_word(tags):
        ok = isinstance(tags, list) and all(_is_word(t) for t in tags)
        if not ok:
            problems.append(
                Problem(
                    shown,
                    *where("tags"),
                    f"`tags` must be a word or a list of words, not {_kind(tags)}",
                    "write e.g. `tags: [attention, kernels]`",
                )
            )
    minutes = meta.get("minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)):
        problems.append(
            Problem(
                shown,
                *where("minutes"),
                f"`minutes` must be a whole number of minutes, not {minutes!r}",
                "e.g. `minutes: 90` for an hour and a half",
            )
        )
    return problems


def _is_word(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list holding lists or mappings"
    return f"{value!r}"


def tag_list(tags: Any) -> list[str]:
    """A day's tags as a list: `tags: attention` is the one tag `attention`."""
    if tags is None:
        return []
    if isinstance(tags, list):
        return [str(t) for t in tags]
    return [str(tags)]


def render_day(day: Day) -> str:
    meta = {"date": day.day, **{k: v for k, v in day.meta.items() if k not in ("date", "counts")}}
    meta["counts"] = day.counts()
    front = plain_front_matter(meta) or yamledit.render_block(meta)
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


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_NOT_PLAIN = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


def plain_front_matter(meta: dict[str, Any]) -> list[str] | None:
    """The front matter a check-in writes (a date, minutes, word tags, counts) as the YAML
    emitter writes it, without loading it; None for anything else (a value from a file edited
    by hand), which the emitter then writes. tests/test_journal_days.py holds the two equal."""
    lines = []
    for key, value in meta.items():
        if key == "date" and type(value) is date:
            lines.append(f"date: {value.isoformat()}")
        elif key == "minutes" and type(value) is int:
            lines.append(f"minutes: {value}")
        elif key == "tags" and type(value) is list and _plain_words(value):
            lines.append(f"tags: [{', '.join(value)}]")
        elif (
            key == "counts"
            and type(value) is dict
            and all(k in COUNTED.values() and type(v) is int for k, v in value.items())
        ):
            lines.append(f"counts: {{{', '.join(f'{k}: {v}' for k, v in value.items())}}}")
        else:
            return None
    return lines


def _plain_words(values: list[Any]) -> bool:
    """Words the emitter leaves unquoted, and few enough to stay on one line."""
    return len(values) <= 32 and all(
        type(v) is str and _WORD.fullmatch(v) is not None and v.lower() not in _NOT_PLAIN
        for v in values
    )


def _ordered(sections: dict[str, Any]) -> list[str]:
    known = [s for s in SECTIONS if s in sections]
    extra = [s for s in sections if s not in SECTIONS]  # sections the user added by hand
    return known + extra


def merge(existing: Day, incoming: Day) -> Day:
    """Keep everything already in the day, add what is new: blocks by exact text, tags as a
    union, minutes summed. Built merges per repo (one line with all the day's commits), Read
    per entry (one line naming all of the day's events), Landed per repo (the newest numbers).
    Lines in bip's own shapes are updated; lines you edited are kept as they are."""
    merged = Day(
        existing.day,
        dict(existing.meta),
        list(existing.preamble),
        {k: [list(b) for b in v] for k, v in existing.sections.items()},
    )
    for name, blocks in incoming.sections.items():
        target = merged.sections.setdefault(name, [])
        special = {"Built": _merge_built, "Read": _merge_read, "Landed": _merge_landed}.get(name)
        if special is not None:
            special(target, blocks)
            continue
        have = {"\n".join(b).strip() for b in target}
        for block in blocks:
            if "\n".join(block).strip() not in have:
                target.append(list(block))
                have.add("\n".join(block).strip())
    # Tags and minutes change only if the check-in brings some: otherwise they stay as written.
    old_tags = existing.meta.get("tags")
    old_list = (
        list(old_tags) if isinstance(old_tags, list) else [] if old_tags is None else [old_tags]
    )
    known = {str(t) for t in old_list}
    new_tags = [t for t in tag_list(incoming.meta.get("tags")) if t not in known]
    if new_tags:
        merged.meta["tags"] = old_list + new_tags
    if incoming.meta.get("minutes"):
        merged.meta["minutes"] = int(existing.meta.get("minutes") or 0) + int(
            incoming.meta["minutes"]
        )
    return merged


# -- the shapes of bip's own lines, so a later check-in the same day can update them --------

REPO_LINE = re.compile(
    r"^- \*\*(?P<name>.+?)\*\*: (?P<n>\d+) commits?, \+(?P<ins>\d+)/-(?P<dels>\d+)"
    r"(?: \(branches: (?P<branches>[^)]*)\))?$"
)
REPO_NAME = re.compile(r"^- \*\*(?P<name>.+?)\*\*:")
COMMIT_LINE = re.compile(r"^\s+- `(?P<sha>[0-9a-f]{7,40})`.*\(\+(?P<ins>\d+)/-(?P<dels>\d+)\)$")
COMMIT_SHA = re.compile(r"^\s+- `(?P<sha>[0-9a-f]{7,40})`")
EVENTS = ("added", "started", "finished", "dropped", "noted")
READ_LINE = re.compile(
    r"^- (?P<verbs>(?:added|started|finished|dropped|noted|worked on|reading)"
    r"(?: and (?:added|started|finished|dropped|noted))*): (?P<title>.*) \(`(?P<id>[^`\s]+)`\)$"
)
LANDED_LINE = re.compile(r"^- (?P<repo>[^\s:]+/[^\s:]+): \d+ merged PRs?, \d+ commits?.*$")
LANDED_NOTE = re.compile(r"^- _[^_]*: last snapshot from [^_]*_$")


def read_block(verbs: list[str] | set[str], title: str, entry_id: str) -> str:
    """One Read line for an entry: every event of the day (`started and finished`), else what
    you did with it."""
    events = [v for v in EVENTS if v in verbs]
    verb = " and ".join(events) if events else ("worked on" if "worked on" in verbs else "reading")
    return f"- {verb}: {title} (`{entry_id}`)"


def read_line(line: str) -> tuple[set[str], str, str] | None:
    """(verbs, title, entry id) of a Read line in bip's shape, else None."""
    match = READ_LINE.match(line.rstrip())
    if not match:
        return None
    return set(match["verbs"].split(" and ")), match["title"], match["id"]


def _merge_read(target: list[list[str]], blocks: list[list[str]]) -> None:
    for block in blocks:
        parsed = read_line(block[0])
        if parsed is None:
            _add_new(target, block)
            continue
        verbs, _, entry_id = parsed
        mark = f"(`{entry_id}`)"
        at = next((i for i, b in enumerate(target) if mark in b[0]), None)
        if at is None:
            target.append(list(block))
            continue
        have = read_line(target[at][0]) if len(target[at]) == 1 else None
        if have is not None:
            target[at] = [read_block(have[0] | verbs, have[1], entry_id)]
        elif any(v in EVENTS and v not in target[at][0] for v in verbs):
            target.append(list(block))  # a line you edited stays; a new event is still told


def _merge_built(target: list[list[str]], blocks: list[list[str]]) -> None:
    for block in blocks:
        name = REPO_NAME.match(block[0])
        at = (
            next(
                (
                    i
                    for i, b in enumerate(target)
                    if (m := REPO_NAME.match(b[0])) and m["name"] == name["name"]
                ),
                None,
            )
            if name
            else None
        )
        if at is None:
            _add_new(target, block)
            continue
        have = target[at]
        shas = {m["sha"] for line in have[1:] if (m := COMMIT_SHA.match(line))}
        added = [
            line
            for line in block[1:]
            if (m := COMMIT_SHA.match(line)) is None or m["sha"] not in shas
        ]
        head, new_head = REPO_LINE.match(have[0]), REPO_LINE.match(block[0])
        if head and new_head:
            n, ins, dels = int(head["n"]), int(head["ins"]), int(head["dels"])
            for line in added:
                commit = COMMIT_LINE.match(line)
                if commit:
                    n, ins, dels = n + 1, ins + int(commit["ins"]), dels + int(commit["dels"])
            branches = [b for b in (head["branches"] or "").split(", ") if b]
            branches += [
                b for b in (new_head["branches"] or "").split(", ") if b and b not in branches
            ]
            shown = f" (branches: {', '.join(branches)})" if branches else ""
            word = "commit" if n == 1 else "commits"
            have[0] = f"- **{head['name']}**: {n} {word}, +{ins}/-{dels}{shown}"
        have[1:1] = added  # newest first, as git log lists them


def _merge_landed(target: list[list[str]], blocks: list[list[str]]) -> None:
    fresh = [b for b in blocks if not LANDED_NOTE.match(b[0])]
    if fresh:  # numbers of this check-in replace an older note about where numbers came from
        target[:] = [b for b in target if not (len(b) == 1 and LANDED_NOTE.match(b[0]))]
    for block in blocks:
        line = LANDED_LINE.match(block[0])
        at = next(
            (
                i
                for i, b in enumerate(target)
                if line
                and len(b) == 1
                and (m := LANDED_LINE.match(b[0]))
                and m["repo"] == line["repo"]
            ),
            None,
        )
        if at is None:
            _add_new(target, block)
        else:
            target[at] = list(block)


def _add_new(target: list[list[str]], block: list[str]) -> None:
    if "\n".join(block).strip() not in {"\n".join(b).strip() for b in target}:
        target.append(list(block))


def load_day(journal_dir: Path, day: date) -> Day | None:
    loaded = _read_day(day_path(journal_dir, day), day)
    return loaded[0] if loaded else None


def _read_day(path: Path, day: date) -> tuple[Day, bytes] | None:
    if not path.exists() and not path.is_symlink():
        return None
    data = read_regular(path)
    return parse_day(yamledit.decode(data, str(path)), path, day), data


def write_day(journal_dir: Path, incoming: Day, lock: Path | None) -> tuple[Path, Day]:
    """Merge `incoming` into the day's file (creating it if needed), under a lock, atomically.
    The file keeps its BOM and line endings; a symlink stays a symlink; a save by an editor
    while bip writes is kept, and the check-in merged into it."""
    path = day_path(journal_dir, incoming.day)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BipError(f"cannot create {path.parent}: {exc.strerror}") from None
    with locked(lock, str(path)):
        for _ in range(3):
            loaded = _read_day(path, incoming.day)
            existing, data = loaded if loaded else (None, b"")
            result = merge(existing, incoming) if existing else incoming
            text = render_day(result)
            parse_day(text, path, incoming.day)  # validate what is about to be written
            bom, crlf = text_style(data)
            if write_checked(path, styled(text, bom, crlf), digest(data) if loaded else None):
                return path, result
    raise ConcurrentEdit(
        f"{path} kept changing while bip was writing it; nothing was written",
        hint="close the editor that is saving it, then run the command again",
    )


def journal_files(journal_dir: Path) -> dict[date, Path]:
    found: dict[date, Path] = {}
    for path in journal_dir.glob("*/*.md"):
        try:
            found[date.fromisoformat(path.stem)] = path
        except ValueError:
            continue  # not a day file
    return found
