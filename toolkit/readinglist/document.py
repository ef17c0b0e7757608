"""The reading list on disk: load and validate, and the atomic, minimal-diff edit engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from toolkit import yamledit
from toolkit.errors import BadInput, ConcurrentEdit, InvalidFile, Problem
from toolkit.fileio import digest, file_style, locked, read_regular, styled, write_checked
from toolkit.readinglist import cache
from toolkit.readinglist.model import Entry, Figure, ReadingList
from toolkit.readinglist.schema import build, build_entry, validate, validate_entry


@dataclass
class Loaded:
    """A reading list as read from disk: its exact text, model and (when first asked for: a
    cached model needs no parse) document with positions, from the cache or parsed."""

    path: Path
    text: str
    digest: str
    parsed: Any
    model: ReadingList
    size: int = 0

    @cached_property
    def doc_payload(self) -> Any:
        """The cached positions of exactly these bytes, still encoded, or None (read once: a
        one-entry edit that gives up and the whole-text edit after it share it)."""
        return cache.load_doc_payload(self.path, self.size, self.digest, str(self.path))

    @property
    def doc(self) -> Any:
        if self.parsed is None:
            with yamledit.gc_paused():
                payload = self.doc_payload
                self.parsed = None if payload is None else cache.doc_of(payload)
            if self.parsed is None or not _agrees(self.parsed, self.model):
                self.parsed = parse_text(self.text, str(self.path))
        return self.parsed


def _agrees(doc: Any, model: ReadingList) -> bool:
    """Whether a cached document holds the model's entries and figures, in order and on their
    lines (a cache file of the right key but the wrong shape is a miss, never a wrong edit)."""
    try:
        sections: list[tuple[str, Sequence[Entry | Figure]]] = [
            ("entries", model.entries),
            ("figures", model.figures),
        ]
        for name, things in sections:
            seq: Any = doc.get(name) or []
            if len(seq) != len(things):
                return False
            for k, thing in enumerate(things):
                if seq[k].get("id") != thing.id or seq.lc.item(k)[0] != thing.line - 1:
                    return False
    except (AttributeError, TypeError, IndexError, KeyError):
        return False
    return True


def parse_text(text: str, path: str) -> Any:
    return yamledit.parse(text, path)


def load_reading_list(path: Path) -> Loaded:
    """Read, parse and validate; InvalidFile lists every problem with file:line:column."""
    shown = str(path)
    if not path.exists() and not path.is_symlink():
        raise BadInput(f"{shown} does not exist", hint="create a workspace with `bip init`")
    data = read_regular(path)  # a folder, a FIFO, an unreadable file: a clear error
    text = yamledit.decode(data, shown)
    sha = digest(data)
    with yamledit.gc_paused():
        cached = cache.load_model(path, len(data), sha, shown)
        if cached is not None:
            return Loaded(path, text, sha, None, cached, len(data))
        doc = parse_text(text, shown)
        problems = validate(doc, shown)
        if problems:
            raise InvalidFile(problems)
        model = build(doc, shown)
    cache.save_model(path, len(data), sha, model)
    cache.save_doc(path, len(data), sha, shown, doc, text)
    return Loaded(path, text, sha, doc, model, len(data))


# --- edits ------------------------------------------------------------------------------------

T = TypeVar("T")
Plan = Callable[[ReadingList], tuple[list["yamledit.Edit"], T]]


def edit_reading_list(path: Path, plan: Plan[T], lock: Path | None = None, attempts: int = 3) -> T:
    """Apply a planned change atomically. Under `lock` for the whole read-plan-write cycle, so
    bip writers queue; if another program saves the file meanwhile, its save is kept and the
    plan is applied again to the new text. The file keeps its BOM and line endings, and a
    symlink stays a symlink."""
    with locked(lock, str(path)), yamledit.gc_paused():
        for _ in range(attempts):
            loaded = load_reading_list(path)
            edits, result = plan(loaded.model)
            if not edits:
                return result
            new_text, remember = _edit_one_entry(loaded, edits) or _edit_whole(loaded, edits)
            bom, crlf = file_style(path, loaded.text)
            data = styled(new_text, bom, crlf)
            if write_checked(path, data, loaded.digest):
                if _reads_back(data, new_text, path):
                    remember(len(data), digest(data))
                return result
    raise ConcurrentEdit(
        f"{path} kept changing while bip was writing it; nothing was written",
        hint="close the editor that is saving it, then run the command again",
    )


Remember = Callable[[int, str], None]  # fill the cache for the bytes written (size, digest)


def _edit_whole(loaded: Loaded, edits: list[yamledit.Edit]) -> tuple[str, Remember]:
    """Splice, then parse and validate the whole new text (any edit, any layout)."""
    path, shown = loaded.path, str(loaded.path)
    new_text, new_doc = yamledit.apply_edits(loaded.text, loaded.doc, edits, shown)
    problems = validate(new_doc, shown)
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

    def remember(size: int, sha: str) -> None:
        with yamledit.gc_paused():
            model = build(new_doc, shown)
        cache.save_model(path, size, sha, model)
        cache.save_doc(path, size, sha, shown, new_doc, new_text)

    return new_text, remember


def _edit_one_entry(loaded: Loaded, edits: list[yamledit.Edit]) -> tuple[str, Remember] | None:
    """The same edit when it changes keys of one entry, or appends one, and the cache holds the
    document: only the new lines are parsed and validated, and checked against the other
    entries (ids, citation keys). None when the edit is of another kind, or anything is unusual
    (an entry would be invalid, say): the whole text is then parsed, and any message is the one
    that gives."""
    head = edits[0]
    if not isinstance(head, (yamledit.SetItemKey, yamledit.AppendItem)):
        return None
    if head.section != "entries" or not loaded.model.entries:
        return None
    model, path, shown = loaded.model, loaded.path, str(loaded.path)
    index = head.index if isinstance(head, yamledit.SetItemKey) else len(model.entries) - 1
    payload = loaded.doc_payload
    seq = None if payload is None else cache.section_view(payload, "entries", index)
    if seq is None or len(seq) != len(model.entries):
        return None
    if seq[index].get("id") != model.entries[index].id:
        return None
    if seq.lc.item(index)[0] != model.entries[index].line - 1:
        return None
    follows = cache.section_follows(payload, "entries")
    done = yamledit.splice_item(loaded.text, seq, edits, shown, follows)
    if done is None or done.index != index:
        return None
    figure_ids = {f.id for f in model.figures}
    if any(validate_entry(item, [item], 0, shown, figure_ids) for item in done.items):
        return None
    new = [_at_line(build_entry(item), done.first + item.lc.line + 1) for item in done.items]
    others = model.entries[:index] + model.entries[index + 1 :]
    ids = [e.id for e in others] + [e.id for e in new]
    keys = [e.cite_key for e in others + new if e.cite_key is not None]
    if len(set(ids)) != len(ids) or len(set(keys)) != len(keys):
        return None
    delta = done.delta
    edited = ReadingList(
        model.path,
        [f if f.line - 1 <= done.first else _at_line(f, f.line + delta) for f in model.figures],
        model.entries[:index]
        + new
        + [_at_line(e, e.line + delta) for e in model.entries[index + 1 :]],
        model.version,
    )
    new_payload = cache.with_items(payload, "entries", index, done.first, delta, done.items)

    def remember(size: int, sha: str) -> None:
        cache.save_model(path, size, sha, edited)
        if new_payload is not None:
            cache.save_doc_payload(path, size, sha, shown, new_payload)

    return done.text, remember


M = TypeVar("M", Entry, Figure)


def _at_line(thing: M, line: int) -> M:
    """A copy of a frozen entry or figure that stands on another line."""
    if thing.line == line:
        return thing
    moved: M = object.__new__(type(thing))
    moved.__dict__.update(thing.__dict__, line=line)
    return moved


def _reads_back(data: bytes, text: str, path: Path) -> bool:
    """Whether the bytes written read back as exactly `text` (only then is it cached)."""
    try:
        return yamledit.decode(data, str(path)) == text
    except InvalidFile:
        return False


def lock_path_for(reading_list: Path) -> Path:
    return reading_list.parent / ".bip" / "reading_list.lock"
