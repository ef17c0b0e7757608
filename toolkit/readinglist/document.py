"""The reading list on disk: load and validate, and the atomic, minimal-diff edit engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from toolkit import yamledit
from toolkit.errors import BadInput, ConcurrentEdit, InvalidFile, Problem
from toolkit.fileio import digest, file_style, locked, read_regular, styled, write_checked
from toolkit.readinglist import cache
from toolkit.readinglist.model import ReadingList
from toolkit.readinglist.schema import build, validate


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

    @property
    def doc(self) -> Any:
        if self.parsed is None:
            with yamledit.gc_paused():
                self.parsed = cache.load_doc(self.path, self.size, self.digest, str(self.path))
            if self.parsed is None:
                self.parsed = parse_text(self.text, str(self.path))
        return self.parsed


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
    cache.save_doc(path, len(data), sha, shown, doc)
    return Loaded(path, text, sha, doc, model, len(data))


# --- edits ------------------------------------------------------------------------------------

T = TypeVar("T")
Plan = Callable[[ReadingList], tuple[list[yamledit.Edit], T]]


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
            new_text, new_doc = yamledit.apply_edits(loaded.text, loaded.doc, edits, str(path))
            problems = validate(new_doc, str(path))
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
            bom, crlf = file_style(path, loaded.text)
            data = styled(new_text, bom, crlf)
            if write_checked(path, data, loaded.digest):
                _remember(path, data, new_text, new_doc)
                return result
    raise ConcurrentEdit(
        f"{path} kept changing while bip was writing it; nothing was written",
        hint="close the editor that is saving it, then run the command again",
    )


def _remember(path: Path, data: bytes, text: str, doc: Any) -> None:
    """Fill the cache for the text just written (parsed and validated to check the edit), so
    the next command is warm. Only when the bytes read back as exactly that text."""
    try:
        if yamledit.decode(data, str(path)) != text:
            return
    except InvalidFile:
        return
    with yamledit.gc_paused():
        model = build(doc, str(path))
    cache.save_model(path, len(data), digest(data), model)
    cache.save_doc(path, len(data), digest(data), str(path), doc)


def lock_path_for(reading_list: Path) -> Path:
    return reading_list.parent / ".bip" / "reading_list.lock"
