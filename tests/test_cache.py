"""The parse cache in .bip/: a warm read gives the same model without parsing, and any change to
the file's bytes (or a broken cache) is a miss, never an error or a stale answer."""

from __future__ import annotations

import difflib
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from bench.listgen import generate
from tests.stores import same_positions
from toolkit import readinglist as rl
from toolkit.errors import InvalidFile
from toolkit.readinglist import cache


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(40))
    return path


def test_a_warm_read_gives_the_same_model_without_parsing(listing: Path):
    watch = rl.StoreWatch()
    cold = rl.ReadingListStore(listing, watch=watch).load()
    assert cold.parsed is not None and cache.cache_file(listing).exists()
    assert watch.parsed == [len(listing.read_text())] and watch.model_hits == 0
    warm = rl.ReadingListStore(listing, watch=watch).load()
    assert warm.parsed is None and watch.model_hits == 1  # answered from the cache
    assert watch.parsed == [len(listing.read_text())]  # nothing parsed the second time
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


def test_a_warm_edit_takes_the_positioned_document_from_the_cache(listing: Path):
    fresh = rl.parse_text(listing.read_text(), str(listing))
    rl.load_reading_list(listing)
    assert cache.cache_file(listing, "doc").exists()
    watch = rl.StoreWatch()
    store = rl.ReadingListStore(listing, watch=watch)
    same_positions(store.load().doc, fresh)
    store.edit(rl.plan_note("entry-7", "one more line"))
    assert watch.model_hits == 2 and watch.doc_hits == 1 and watch.edits == [rl.ONE_ENTRY]
    assert (
        watch.parsed and max(watch.parsed) < len(listing.read_text()) / 10
    )  # the entry's lines, never the file
    # the edit cached what it wrote: the next read and edit parse nothing, and agree with a parse
    fresh = rl.parse_text(listing.read_text(), str(listing))
    watch = rl.StoreWatch()
    warm = rl.ReadingListStore(listing, watch=watch).load()
    assert warm.parsed is None
    assert warm.model == rl.build(fresh, str(listing))
    same_positions(warm.doc, fresh)
    assert (watch.model_hits, watch.doc_hits, watch.parsed) == (1, 1, [])


@pytest.mark.parametrize("breakage", ["truncated", "other content", "other code", "garbage"])
def test_a_stale_or_broken_document_cache_is_a_miss(listing: Path, tmp_path: Path, breakage: str):
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
    else:  # written by a different bip: a store whose cache key differs
        rl.ReadingListStore(listing, salt="another bip").load()
    watch = rl.StoreWatch()
    loaded = rl.ReadingListStore(listing, watch=watch).load()
    same_positions(loaded.doc, rl.parse_text(listing.read_text(), str(listing)))
    assert watch.doc_hits == 0 and watch.parsed == [len(listing.read_text())]
    before = listing.read_text()
    rl.edit_reading_list(listing, rl.plan_status("entry-6", "done", date(2026, 11, 23)))
    _only_the_status_lines_changed(before, listing.read_text())


def test_the_cache_files_are_private_to_their_owner(listing: Path):
    """They hold the user's list (titles, notes): 0600 in 0700 folders, like the state store,
    whatever the umask, and tightened when an older bip left them open."""
    old = os.umask(0o022)
    try:
        rl.load_reading_list(listing)
        rl.edit_reading_list(listing, rl.plan_note("entry-3", "private"))
        files = [cache.cache_file(listing), cache.cache_file(listing, "doc")]
        folders = [files[0].parent, files[0].parent.parent]
        assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
        assert [stat.S_IMODE(f.stat().st_mode) for f in folders] == [0o700, 0o700]
        for path in [*files, *folders]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        listing.write_text(listing.read_text() + "\n")  # a miss: the cache is written again
        rl.load_reading_list(listing)
        assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
        assert [stat.S_IMODE(f.stat().st_mode) for f in folders] == [0o700, 0o700]
    finally:
        os.umask(old)
