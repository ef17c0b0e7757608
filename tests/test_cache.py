"""The parse cache in .bip/: a warm read gives the same model without parsing, and any change to
the file's bytes (or a broken cache) is a miss, never an error or a stale answer."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest

from bench.listgen import generate
from toolkit import readinglist as rl
from toolkit.errors import InvalidFile
from toolkit.fileio import digest
from toolkit.readinglist import cache


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(40))
    return path


def test_a_warm_read_gives_the_same_model_without_parsing(listing: Path):
    cold = rl.load_reading_list(listing)
    assert cold.parsed is not None and cache.cache_file(listing).exists()
    warm = rl.load_reading_list(listing)
    assert warm.parsed is None  # answered from the cache: nothing parsed
    assert warm.model == cold.model
    assert warm.model.entry("entry-4").finished == cold.model.entry("entry-4").finished
    assert any(e.goal and e.goal.by for e in warm.model.entries)
    assert warm.doc == cold.doc  # asked for, the document is parsed then


def test_any_change_to_the_bytes_is_a_miss_even_at_the_same_size(listing: Path):
    rl.load_reading_list(listing)
    text = listing.read_text()
    listing.write_text(text.replace("status: todo", "status: done", 1))
    assert len(listing.read_bytes()) == len(text.encode())
    changed = rl.load_reading_list(listing)
    assert changed.parsed is not None
    assert changed.model.entries[0].status == "done"


def test_a_broken_or_unwritable_cache_is_a_miss_not_an_error(listing: Path):
    rl.load_reading_list(listing)
    cache.cache_file(listing).write_bytes(b"\x00garbage")
    assert rl.load_reading_list(listing).parsed is not None
    cache.cache_file(listing).write_bytes(b"")
    assert rl.load_reading_list(listing).model.entries
    cache.cache_file(listing).unlink()
    cache.cache_file(listing).mkdir()  # cannot be written or read as a file
    assert rl.load_reading_list(listing).parsed is not None


def test_an_invalid_list_is_never_cached_and_reports_the_same_every_time(tmp_path: Path):
    path = tmp_path / "reading_list.yaml"
    path.write_text("version: 1\nentries:\n  - id: a\n    kind: book\n    finished: 2026-02-30\n")
    messages = []
    for _ in range(2):
        with pytest.raises(InvalidFile) as caught:
            rl.load_reading_list(path)
        messages.append([p.render() for p in caught.value.problems])
    assert messages[0] == messages[1] and "not a real date" in messages[0][0]
    assert not cache.cache_file(path).exists()


def test_an_edit_after_a_warm_read_and_the_read_after_it(listing: Path):
    rl.load_reading_list(listing)
    before = listing.read_text()
    change = rl.edit_reading_list(listing, rl.plan_status("entry-6", "done", date(2026, 11, 23)))
    assert change.changes
    after = rl.load_reading_list(listing)
    assert after.model.entry("entry-6").status == "done"
    assert after.model.entry("entry-6").finished == date(2026, 11, 23)
    _only_the_status_lines_changed(before, listing.read_text())


def _only_the_status_lines_changed(before: str, after: str) -> None:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        "-    status: todo",
        "+    status: done",
        "+    started: 2026-11-23",
        "+    finished: 2026-11-23",
    ]


def _same_positions(a: object, b: object) -> None:
    """Equal values, and the same positions and styles at every mapping and list."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        assert (a.lc.line, a.lc.col, a.fa.flow_style()) == (b.lc.line, b.lc.col, b.fa.flow_style())  # type: ignore[attr-defined]
        assert [(a.lc.key(k), a.lc.value(k)) for k in a] == [
            (b.lc.key(k), b.lc.value(k)) for k in b
        ]  # type: ignore[attr-defined]
        for k in a:
            _same_positions(a[k], b[k])
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        assert (a.lc.line, a.lc.col, a.fa.flow_style()) == (b.lc.line, b.lc.col, b.fa.flow_style())  # type: ignore[attr-defined]
        assert [a.lc.item(i) for i in range(len(a))] == [b.lc.item(i) for i in range(len(b))]  # type: ignore[attr-defined]
        for x, y in zip(a, b, strict=True):
            _same_positions(x, y)
    else:
        assert a == b


def _no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, path: str) -> None:
        raise AssertionError("parsed although the cache holds the document")

    monkeypatch.setattr("toolkit.readinglist.document.parse_text", refuse)


def test_a_warm_edit_takes_the_positioned_document_from_the_cache(
    listing: Path, monkeypatch: pytest.MonkeyPatch
):
    fresh = rl.parse_text(listing.read_text(), str(listing))
    rl.load_reading_list(listing)
    assert cache.cache_file(listing, "doc").exists()
    with monkeypatch.context() as m:
        _no_parse(m)
        _same_positions(rl.load_reading_list(listing).doc, fresh)
        rl.edit_reading_list(listing, rl.plan_note("entry-7", "one more line"))
    # the edit cached what it wrote: the next read and edit parse nothing, and agree with a parse
    fresh = rl.parse_text(listing.read_text(), str(listing))
    with monkeypatch.context() as m:
        _no_parse(m)
        warm = rl.load_reading_list(listing)
        assert warm.parsed is None
        assert warm.model == rl.build(fresh, str(listing))
        _same_positions(warm.doc, fresh)


@pytest.mark.parametrize("breakage", ["truncated", "other content", "other code", "garbage"])
def test_a_stale_or_broken_document_cache_is_a_miss(
    listing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breakage: str
):
    rl.load_reading_list(listing)
    doc_file = cache.cache_file(listing, "doc")
    if breakage == "truncated":
        doc_file.write_bytes(doc_file.read_bytes()[: doc_file.stat().st_size // 2])
    elif breakage == "garbage":
        doc_file.write_bytes(b"\x00garbage")
    elif breakage == "other content":  # a valid entry for another file, copied in place
        other = tmp_path / "other" / "reading_list.yaml"
        other.parent.mkdir()
        other.write_text(generate(41))
        rl.load_reading_list(other)
        doc_file.write_bytes(cache.cache_file(other, "doc").read_bytes())
    else:  # written by a different bip: its fingerprint differs
        real = cache._code_fingerprint
        monkeypatch.setattr(cache, "_code_fingerprint", lambda: (*real(), "other"))
    data = listing.read_bytes()
    assert cache.load_doc(listing, len(data), digest(data), str(listing)) is None
    loaded = rl.load_reading_list(listing)
    _same_positions(loaded.doc, rl.parse_text(listing.read_text(), str(listing)))
    before = listing.read_text()
    rl.edit_reading_list(listing, rl.plan_status("entry-6", "done", date(2026, 11, 23)))
    _only_the_status_lines_changed(before, listing.read_text())
