"""Layouts and edits that tried to make the one-entry edit path disagree with the whole-text path
(tests/test_edit_one_entry.py's `_both_ways` is the oracle: same bytes, same messages, a cache
that equals a fresh parse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_edit_one_entry import _both_ways, _cache_agrees_with_a_parse, _plan
from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.yamledit.parse import DELETE

S = yamledit.SetItemKey
NEW = {"id": "new", "kind": "book", "title": "New"}
HEAD = "version: 1\nentries:\n"
B = "  - id: b\n    kind: book\n    title: B\n"


def _every_edit(tmp_path: Path, text: str, count: int = 2) -> list[bool]:
    """Status, title, notes and a deletion on each entry, and an appended entry: both ways."""
    taken = []
    for i in range(count):
        for key, value in (
            ("status", "done"),
            ("title", "New title"),
            ("notes", "a\nb\n"),
            ("kind", "post"),
            ("url", DELETE),
        ):
            taken.append(_both_ways(tmp_path / f"{i}{key}", text, [S("entries", i, key, value)]))
    taken.append(_both_ways(tmp_path / "add", text, [yamledit.AppendItem("entries", NEW)]))
    return taken


# A quoted scalar or a flow collection may go on at any indent, column 0 too; the entry's own
# lines then parse while the file does not. Before the fix the one-entry path wrote these
# broken files (`tags: [z]` then a dangling `y]`), and cached a model for them, so the next
# commands read the stale model of a file that no longer parses.
UNDER_INDENTED = [
    HEAD + "  - id: a\n    kind: book\n    title: T\n    tags: [x,\ny]\n" + B,
    HEAD + "  - id: a\n    kind: book\n    title: T\n    tags: [x,\ny]\n",
    HEAD + '  - id: a\n    kind: book\n    title: "multi\nline"\n' + B,
    HEAD + "  - id: a\n    kind: book\n    title: 'multi\n  line'\n",
    HEAD + '  - id: a\n    kind: book\n    title: "multi\n  - not an item"\n' + B,
    HEAD + "  - id: a\n    kind: post\n    title: T\n    url: https://e.org/\n    tags: [x,\n  y]\n"
    "figures: []\n",
]


@pytest.mark.parametrize("text", UNDER_INDENTED)
def test_a_value_that_goes_on_below_the_entrys_indent(tmp_path: Path, text: str) -> None:
    _every_edit(tmp_path, text, count=text.count("- id:"))


def test_the_broken_file_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(UNDER_INDENTED[0])
    rl.load_reading_list(path)
    rl.edit_reading_list(path, _plan([S("entries", 0, "tags", ["z"])]))
    _cache_agrees_with_a_parse(path)  # parses the file: it must be YAML still
    assert rl.load_reading_list(path).model.entries[0].tags == ["z"]


# Python's splitlines breaks lines at U+2028, U+2029 and U+0085; the YAML parser counts them
# as breaks inside quoted scalars only (and a NEL in a plain scalar reads as a space): the
# parser's line numbers are not the text's lines, and an edit spliced by them cut a title in
# two.
ODD_BREAKS = [
    HEAD + '  - id: a\n    kind: book\n    title: "x\u2028y"\n' + B,
    HEAD + "  - id: a\n    kind: book\n    title: x\u2028y\n" + B,
    HEAD + '  - id: a\n    kind: book\n    title: "x\x85y"\n' + B,
    HEAD + "  - id: a\n    kind: book\n    title: x\u2029y\n" + B,
]


@pytest.mark.parametrize("text", ODD_BREAKS)
def test_line_breaks_yaml_does_not_always_count(tmp_path: Path, text: str) -> None:
    _every_edit(tmp_path, text)


def test_a_flow_section_after_the_entries_is_moved_in_the_cache(tmp_path: Path) -> None:
    """`figures: []` after the entries: the cached document was dropped (the next edit parsed
    the whole file again); its positions now move with the lines like the rest."""
    text = HEAD + "  - id: a\n    kind: book\n    title: A\n" + B + "figures: []\n"
    taken = _every_edit(tmp_path, text)
    assert taken[:3] == [True] * 3 and taken[5:8] == [True] * 3 and taken[-1]
