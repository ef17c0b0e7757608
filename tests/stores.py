"""What the reading-list store tests share: the oracle comparing the one-entry edit path with
the whole-text path, and checks that the parse cache holds what a fresh parse gives. Both go
through `ReadingListStore` and observe it with an injected `StoreWatch`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.errors import BipError, InvalidFile


def plan_of(edits: list[yamledit.Edit]) -> Any:
    """A plan that makes exactly these edits."""
    return lambda model: (edits, None)


def same_positions(a: object, b: object) -> None:
    """Equal values, and the same positions and styles at every mapping and list."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        assert (a.lc.line, a.lc.col, a.fa.flow_style()) == (b.lc.line, b.lc.col, b.fa.flow_style())  # type: ignore[attr-defined]
        assert [(a.lc.key(k), a.lc.value(k)) for k in a] == [
            (b.lc.key(k), b.lc.value(k)) for k in b
        ]  # type: ignore[attr-defined]
        for k in a:
            same_positions(a[k], b[k])
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        assert (a.lc.line, a.lc.col, a.fa.flow_style()) == (b.lc.line, b.lc.col, b.fa.flow_style())  # type: ignore[attr-defined]
        assert [a.lc.item(i) for i in range(len(a))] == [b.lc.item(i) for i in range(len(b))]  # type: ignore[attr-defined]
        for x, y in zip(a, b, strict=True):
            same_positions(x, y)
    else:
        assert a == b


def cached_read(path: Path) -> tuple[rl.Loaded, rl.StoreWatch, Any]:
    """Load `path` through a watched store and ask for its document: the loaded list, what the
    cache answered, and a fresh parse of the file to compare with."""
    watch = rl.StoreWatch()
    loaded = rl.ReadingListStore(path, watch=watch).load()
    loaded.doc  # noqa: B018 - asked for, so the watch says whether the cache held it
    shown = str(path)
    return loaded, watch, yamledit.parse(yamledit.decode(path.read_bytes(), shown), shown)


def cache_agrees_with_a_parse(path: Path) -> None:
    """The cache holds the model and document of the file's bytes, equal to a fresh parse."""
    loaded, watch, fresh = cached_read(path)
    assert (watch.model_hits, watch.doc_hits, watch.parsed) == (1, 1, [])
    assert loaded.model == rl.build(fresh, str(path))
    same_positions(loaded.doc, fresh)


def cache_never_lies(path: Path) -> None:
    """What the cache holds for the file's bytes is what a parse gives (a miss is allowed: the
    whole-text path does not cache a CRLF file it had to dump, say)."""
    loaded, watch, fresh = cached_read(path)
    if watch.model_hits:
        assert loaded.model == rl.build(fresh, str(path))
    if watch.doc_hits:
        same_positions(loaded.doc, fresh)


def edit_one_way(path: Path, edits: list[yamledit.Edit], one_entry: bool) -> tuple[Any, list[str]]:
    """Edit through a store with or without the one-entry path: the bytes written (or the
    messages of the refusal, the file unchanged) and the path each written edit took."""
    before = path.read_bytes()
    watch = rl.StoreWatch()
    store = rl.ReadingListStore(path, watch=watch, one_entry=one_entry)
    try:
        store.edit(plan_of(edits))
        return path.read_bytes(), watch.edits
    except InvalidFile as refused:
        outcome: Any = [p.render().replace(str(path), "LIST") for p in refused.problems]
    except BipError as refused:  # a value bip cannot write in this place, either way
        outcome = str(refused).replace(str(path), "LIST")
    assert path.read_bytes() == before
    return outcome, watch.edits


def both_ways(tmp_path: Path, text: str, edits: list[yamledit.Edit]) -> bool:
    """Apply `edits` with the one-entry path and with the whole-text path to `text` (its cache
    warm): the same bytes or the same messages, and a cache that agrees with a parse. Whether
    the one-entry path took the edit."""
    outcomes = []
    for name, one_entry in (("one", True), ("whole", False)):
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "reading_list.yaml"
        path.write_bytes(text.encode())
        rl.ReadingListStore(path).load()
        outcome, taken = edit_one_way(path, edits, one_entry)
        if isinstance(outcome, bytes):
            cache_agrees_with_a_parse(path)
        outcomes.append((outcome, taken))
    assert outcomes[0][0] == outcomes[1][0]
    assert outcomes[1][1] in ([], [rl.WHOLE_TEXT])
    return outcomes[0][1] == [rl.ONE_ENTRY]
