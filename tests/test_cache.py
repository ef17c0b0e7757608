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
    diff = difflib.unified_diff(before.splitlines(), listing.read_text().splitlines(), n=0)
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        "-    status: todo",
        "+    status: done",
        "+    started: 2026-11-23",
        "+    finished: 2026-11-23",
    ]
