"""Layouts and edits that tried to make the one-entry edit path disagree with the whole-text path
(tests/test_edit_one_entry.py's `_both_ways` is the oracle: same bytes, same messages, a cache
that equals a fresh parse)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stores import (
    both_ways,
    cache_agrees_with_a_parse,
    cache_never_lies,
    edit_one_way,
    plan_of,
)
from tests.test_edit_one_entry import NOTES, TEXT
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
            taken.append(both_ways(tmp_path / f"{i}{key}", text, [S("entries", i, key, value)]))
    taken.append(both_ways(tmp_path / "add", text, [yamledit.AppendItem("entries", NEW)]))
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
    rl.edit_reading_list(path, plan_of([S("entries", 0, "tags", ["z"])]))
    cache_agrees_with_a_parse(path)  # parses the file: it must be YAML still
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


@pytest.mark.parametrize("notes", ["|+\n    kept", "|\n    clipped", ">\n    folded\n    two"])
def test_a_file_without_its_final_newline(tmp_path: Path, notes: str) -> None:
    """Both paths end the file with a newline; after a last `|` value that changes the value
    (`kept` -> `kept\n`). The one-entry path parsed only the edited entry's lines, wrote the
    changed value and cached the old one; the whole text's parse sees it (and dumps instead)."""
    text = HEAD + "- id: a\n  kind: book\n  title: A\n- id: b\n  kind: book\n  title: B\n"
    _every_edit(tmp_path, text + "  notes: " + notes)


# --- several edits one after another, on layouts people write by hand -------------------------

ODD = st.sampled_from(
    [
        "#x",
        "a: b",
        "a #b",
        "123",
        "2026-01-01",
        "true",
        "null",
        " leading",
        "trailing ",
        "- dash",
        "[x",
        "{y",
        "'",
        '"',
        "&anchor",
        "*alias",
        "%x",
        "!tag",
        "? q",
        "...",
        "---",
        "x\n\n",
        "\nlead",
        "  indented\nnot",
        "tab\there",
        "é ü 图",
    ]
)
VALUE = st.one_of(ODD, TEXT, NOTES)


@st.composite
def _layouts(draw: Any) -> str:
    dash = draw(st.sampled_from([0, 2, 4]))
    d, k = " " * dash, " " * (dash + 2)
    between = st.sampled_from(
        ["", "\n", f"{d}# between\n", "# col 0\n", f"{k}  # deep\n", "\n\n# c\n\n"]
    )
    out = []
    count = draw(st.integers(min_value=1, max_value=4))
    for i in range(count):
        lines = []
        if draw(st.booleans()) and i:
            lines.append(f"{d}-\n{k}id: e{i}")  # the dash alone on its line
        else:
            lines.append(f"{d}- id: e{i}")
        lines.append(f"{k}kind: book")
        lines.append(
            draw(
                st.sampled_from(
                    [
                        f"{k}title: T{i}",
                        f"{k}title: 'T{i} # no'",
                        f'{k}title: "T{i}\n{k}  more"',
                        f"{k}title: >\n{k}  folded\n{k}  T{i}",
                        f"{k}title: T{i}   # eol",
                        f'{k}title: "T{i}\nat column 0"',
                        f"{k}title: 'T{i}\n{d} - under the item'",
                    ]
                )
            )
        )
        lines += draw(
            st.lists(
                st.sampled_from(
                    [
                        f"{k}notes: |+\n{k}  kept\n",
                        f"{k}notes: |-\n{k}  stripped",
                        f"{k}notes: |2\n{k}   two more",
                        f"{k}tags: [a, b]",
                        f"{k}tags: [a,\n{d}b]",
                        f"{k}tags:\n{k}- a\n{k}- b",
                        f"{k}tags:\n{k}  - a",
                        f"{k}status: reading",
                        f"{k}cite_key: key{i}",
                    ]
                ),
                max_size=2,
                unique_by=lambda s: s.split(":")[0],
            )
        )
        out.append("\n".join(lines) + "\n" + draw(between))
    entries = "entries:\n" + "".join(out)
    figures = "figures:\n" + f"{d}- id: ada\n{k}name: Ada\n"
    where = draw(st.sampled_from(["before", "after", "none", "flow-after"]))
    text = (
        "version: 1\n"
        + {
            "before": figures + entries,
            "after": entries + figures,
            "none": entries,
            "flow-after": entries + "figures: []\n",
        }[where]
    )
    text += draw(st.sampled_from(["", "# the end\n", "...\n", "...\n# after\n", "\n\n"]))
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text


def _step(folder: Path, edits: list[Any], one_entry: bool) -> Any:
    return edit_one_way(folder / "reading_list.yaml", edits, one_entry)[0]


EDIT = st.tuples(
    st.sampled_from(["set", "set", "del", "append", "hand"]),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(["status", "notes", "title", "tags", "abstract", "cite_key", "started"]),
    VALUE,
)


def _edit(op: str, index: int, key: str, value: Any, count: int, n: int) -> list[Any]:
    if op == "append":
        return [yamledit.AppendItem("entries", {"id": f"n{n}", "kind": "book", "title": value})]
    index %= count
    if op == "del":
        return [S("entries", index, key, DELETE)]
    if key == "status":
        value = ["todo", "reading", "done", value][len(str(value)) % 4]
    if key == "tags":
        value = [value, "x"]
    if key == "started":
        value = date(2026, 1, 1 + len(str(value)) % 28)
    return [S("entries", index, key, value)]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(_layouts(), st.booleans(), st.lists(EDIT, min_size=1, max_size=5))
def test_several_edits_in_a_row_agree_with_the_whole_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, crlf: bool, ops: list[Any]
) -> None:
    base = tmp_path_factory.mktemp("seq")
    data = text.replace("\n", "\r\n").encode() if crlf else text.encode()
    folders = [base / "one", base / "whole"]
    for folder in folders:
        folder.mkdir()
        (folder / "reading_list.yaml").write_bytes(data)
        rl.load_reading_list(folder / "reading_list.yaml")
    for n, (op, index, key, value) in enumerate(ops):
        if op == "hand":  # the user saves the file by hand in between: a cache miss
            for folder in folders:
                path = folder / "reading_list.yaml"
                path.write_bytes(b"# saved by hand\n" + path.read_bytes())
            continue
        count = len(rl.load_reading_list(folders[1] / "reading_list.yaml").model.entries)
        edits = _edit(op, index, key, value, count, n)
        one, whole = _step(folders[0], edits, True), _step(folders[1], edits, False)
        assert one == whole, (op, edits)
        cache_never_lies(folders[0] / "reading_list.yaml")


# --- through the commands ---------------------------------------------------------------------

PASTED = """\
version: 1
entries:
  - id: first
    kind: book
    title: First
    notes: "pasted from a chat,
wrapped at column 0"
  - id: second
    kind: post
    title: Second
    url: https://example.org/second
    tags: [a,
  b]
figures: []
"""


def test_commands_on_a_pasted_note(bip: Any, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`read note` on an entry whose quoted note goes on at column 0: before the fix the note's
    first line was replaced and its second left behind; the file no longer parsed, and the
    next command (`read start second`) failed with a YAML syntax error bip had written."""
    monkeypatch.chdir(ws)
    path = ws / "reading_list.yaml"
    path.write_text(PASTED)
    bip("read", "validate")
    bip("read", "note", "first", "one more")
    bip("read", "start", "second")
    bip("read", "add", "https://example.org/third", "--title", "Third")
    bip("read", "done", "first", "--note", "and done")
    cache_never_lies(path)
    (ws / ".bip" / "cache").rename(ws / ".bip" / "cold")  # the file alone must be right
    bip("read", "validate")
    model = rl.load_reading_list(path).model
    assert (
        model.entry("first").notes == "pasted from a chat, wrapped at column 0\none more\nand done"
    )
    assert model.entry("second").status == "reading"
    assert model.entry("second").tags[:2] == ["a", "b"]
    assert [e.id for e in model.entries][-1] == "third"
