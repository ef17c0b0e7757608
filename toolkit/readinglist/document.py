"""The reading list on disk, behind one door: `ReadingListStore` loads (validated, cached)
and edits (atomic, minimal-diff, one entry's lines when it can).

Behind it, and nowhere else: the position-carrying parser (yamledit), the parse cache in
`.bip/cache/` (cache.py), and the one-entry edit path. What a caller may want to observe (what
was parsed, what the cache answered, which edit path was taken) a `StoreWatch` passed in
records; what a caller may want to vary (the parser, the cache's key, the one-entry path) is a
constructor argument. `load_reading_list` and `edit_reading_list` are the store's two doors
with its defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from toolkit import yamledit
from toolkit.errors import BadInput, ConcurrentEdit, InvalidFile, Problem
from toolkit.fileio import digest, file_style, locked, read_regular, styled, write_checked
from toolkit.readinglist import cache
from toolkit.readinglist.builder import build, build_entry
from toolkit.readinglist.model import Entry, Figure, ReadingList
from toolkit.readinglist.schema import validate, validate_entry

ONE_ENTRY = "one entry"
WHOLE_TEXT = "whole text"
Parser = Callable[[str, str], Any]


@dataclass
class StoreWatch:
    """What a store did, for whoever passes one in (tests, benchmarks): the length of every
    text it parsed (whole files, edited texts, an entry's lines), the cache's answers, and the
    path each written edit took (ONE_ENTRY or WHOLE_TEXT)."""

    parsed: list[int] = field(default_factory=list)
    model_hits: int = 0
    doc_hits: int = 0
    edits: list[str] = field(default_factory=list)


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
    store: ReadingListStore | None = None

    @cached_property
    def doc_payload(self) -> Any:
        """The cached positions of exactly these bytes, still encoded, or None (read once: a
        one-entry edit that gives up and the whole-text edit after it share it)."""
        return self._store.cache.load_doc_payload(self.size, self.digest)

    @property
    def _store(self) -> ReadingListStore:
        return self.store or ReadingListStore(self.path)

    @property
    def doc(self) -> Any:
        if self.parsed is None:
            with yamledit.gc_paused():
                payload = self.doc_payload
                self.parsed = None if payload is None else cache.doc_of(payload)
            if self.parsed is None or not _agrees(self.parsed, self.model):
                self.parsed = self._store.parse(self.text)
            elif self._store.watch is not None:
                self._store.watch.doc_hits += 1
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


T = TypeVar("T")
Plan = Callable[[ReadingList], tuple[list["yamledit.Edit"], T]]
Remember = Callable[[int, str], None]  # fill the cache for the bytes written (size, digest)


class ReadingListStore:
    """One reading list file: `load()` reads, parses and validates it (answered from the parse
    cache when its bytes are the ones cached), `edit(plan)` applies a planned change atomically.

    `lock`: a file every bip writer of this list takes for the whole read-plan-write cycle.
    `watch`: a StoreWatch that records what the store did. `parser`: how text becomes
    positioned data (yamledit.parse). `one_entry`: False sends every edit through the
    whole-text path (the reference the one-entry path is held to). `salt`: part of every
    cache key (a store with another salt never reads what this one wrote, as a different bip
    would not)."""

    def __init__(
        self,
        path: Path,
        *,
        lock: Path | None = None,
        watch: StoreWatch | None = None,
        parser: Parser = yamledit.parse,
        one_entry: bool = True,
        salt: Any = None,
    ) -> None:
        self.path = path
        self.lock = lock
        self.watch = watch
        self.parser = parser
        self.one_entry = one_entry
        self.cache = cache.ParseCache(path, salt)

    def parse(self, text: str, path: str | None = None) -> Any:
        if self.watch is not None:
            self.watch.parsed.append(len(text))
        return self.parser(text, str(self.path) if path is None else path)

    def load(self) -> Loaded:
        """Read, parse and validate; InvalidFile lists every problem with file:line:column."""
        path, shown = self.path, str(self.path)
        if not path.exists() and not path.is_symlink():
            raise BadInput(f"{shown} does not exist", hint="create a workspace with `bip init`")
        data = read_regular(path)  # a folder, a FIFO, an unreadable file: a clear error
        text = yamledit.decode(data, shown)
        sha = digest(data)
        with yamledit.gc_paused():
            cached = self.cache.load_model(len(data), sha)
            if cached is not None:
                if self.watch is not None:
                    self.watch.model_hits += 1
                return Loaded(path, text, sha, None, cached, len(data), self)
            doc = self.parse(text)
            problems = validate(doc, shown)
            if problems:
                raise InvalidFile(problems)
            model = build(doc, shown)
        self.cache.save_model(len(data), sha, model)
        self.cache.save_doc(len(data), sha, doc, text)
        return Loaded(path, text, sha, doc, model, len(data), self)

    def edit(self, plan: Plan[T], attempts: int = 3) -> T:
        """Apply a planned change atomically. Under the lock for the whole read-plan-write
        cycle, so bip writers queue; if another program saves the file meanwhile, its save is
        kept and the plan is applied again to the new text. The file keeps its BOM and line
        endings, and a symlink stays a symlink."""
        path = self.path
        with locked(self.lock, str(path)), yamledit.gc_paused():
            for _ in range(attempts):
                loaded = self.load()
                edits, result = plan(loaded.model)
                if not edits:
                    return result
                done = self._edit_one_entry(loaded, edits) if self.one_entry else None
                new_text, remember = done or self._edit_whole(loaded, edits)
                if self.watch is not None:
                    self.watch.edits.append(WHOLE_TEXT if done is None else ONE_ENTRY)
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

    def _edit_whole(self, loaded: Loaded, edits: list[yamledit.Edit]) -> tuple[str, Remember]:
        """Splice, then parse and validate the whole new text (any edit, any layout)."""
        shown = str(loaded.path)
        new_text, new_doc = yamledit.apply_edits(loaded.text, loaded.doc, edits, shown, self.parse)
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
            self.cache.save_model(size, sha, model)
            self.cache.save_doc(size, sha, new_doc, new_text)

        return new_text, remember

    def _edit_one_entry(
        self, loaded: Loaded, edits: list[yamledit.Edit]
    ) -> tuple[str, Remember] | None:
        """The same edit when it changes keys of one entry, or appends one, and the cache
        holds the document: only the new lines are parsed and validated, and checked against
        the other entries (ids, citation keys). None when the edit is of another kind, or
        anything is unusual (an entry would be invalid, say): the whole text is then parsed,
        and any message is the one that gives."""
        head = edits[0]
        if not isinstance(head, (yamledit.SetItemKey, yamledit.AppendItem)):
            return None
        if head.section != "entries" or not loaded.model.entries:
            return None
        model, shown = loaded.model, str(loaded.path)
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
        done = yamledit.splice_item(loaded.text, seq, edits, shown, follows, self.parse)
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
            self.cache.save_model(size, sha, edited)
            if new_payload is not None:
                self.cache.save_doc_payload(size, sha, new_payload)

        return done.text, remember


def load_reading_list(path: Path) -> Loaded:
    """Read, parse and validate (ReadingListStore(path).load())."""
    return ReadingListStore(path).load()


def edit_reading_list(path: Path, plan: Plan[T], lock: Path | None = None, attempts: int = 3) -> T:
    """Apply a planned change atomically (ReadingListStore(path, lock=lock).edit(plan))."""
    return ReadingListStore(path, lock=lock).edit(plan, attempts)


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
