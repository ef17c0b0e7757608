"""An edit of one entry parses and validates only that entry's new lines (issue 13), and gives
exactly what parsing the whole new text gives: the same bytes, the same model, the same
positions in the cache, the same messages when the change is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.listgen import generate
from tests.stores import both_ways, cache_agrees_with_a_parse, plan_of
from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.fileio import digest
from toolkit.readinglist import cache
from toolkit.yamledit.parse import DELETE

TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85\u2028\u2029"
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s)
# multi-line notes, with trailing newlines too: `|+` keeps the blank lines after it
NOTES = st.tuples(st.lists(TEXT, min_size=1, max_size=3), st.sampled_from(["", "\n", "\n\n"])).map(
    lambda t: "\n".join(t[0]) + t[1]
)


def test_a_status_change_parses_only_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(300))
    rl.load_reading_list(path)  # warm
    size = path.stat().st_size
    watch = rl.StoreWatch()
    store = rl.ReadingListStore(path, watch=watch)
    store.edit(rl.plan_status("entry-150", "reading", date(2026, 11, 23)))
    store.edit(rl.plan_note("entry-150", "line one\nline two"))
    store.edit(rl.plan_set("entry-7", "tags", ["a", "b"]))
    new = {"id": "new-one", "kind": "book", "title": "New"}
    store.edit(plan_of([yamledit.AppendItem("entries", new)]))
    assert watch.edits == [rl.ONE_ENTRY] * 4
    assert watch.parsed and max(watch.parsed) < 1000 < size  # one entry's lines, never the file
    after = rl.load_reading_list(path).model
    assert after.entry("entry-150").status == "reading"
    assert after.entries[-1].id == "new-one"
    cache_agrees_with_a_parse(path)


def test_without_the_cached_document_the_whole_text_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(30))
    rl.load_reading_list(path)
    cache.cache_file(path, "doc").unlink()
    watch = rl.StoreWatch()
    rl.ReadingListStore(path, watch=watch).edit(rl.plan_note("entry-3", "hello"))
    assert watch.edits == [rl.WHOLE_TEXT] and max(watch.parsed) > 1000
    cache_agrees_with_a_parse(path)


LAYOUT = """\
# my list
version: 1
figures:
{dash}- id: ada
{pad}name: Ada
entries:
{dash}- id: one
{pad}kind: book
{pad}title: One
{pad}notes: |+
{pad}  kept blank lines after me

{extra}
# a comment at column 0 between items
{dash}- id: two
{pad}kind: book   # end-of-line comment
{pad}title: 'Two # not a comment'
{pad}tags:
{pad}- x
{pad}- y
{dash}-{gap}id: three
{pad}kind: post
{pad}url: https://example.org/x?a=1&b=2
{pad}title: "Three"
{pad}figures: [ada]
{tail}"""


@pytest.mark.parametrize("dash", [0, 2, 4])
@pytest.mark.parametrize("tail", ["", "\n\n# the end\n", "figures_after"])
def test_layouts_where_lines_reach_past_an_entry(tmp_path: Path, dash: int, tail: str) -> None:
    """Block scalars keeping trailing blank lines, comments between entries, lists at the key's
    column, the last entry before another section: every edit of every entry gives what the
    whole-text path gives, byte for byte, and a cache that agrees with a parse."""
    pad = " " * (dash + 2)
    text = LAYOUT.format(dash=" " * dash, pad=pad, extra="", gap=" ", tail="")
    if tail == "figures_after":  # move figures below the entries
        head, figures = text.split("figures:\n")[0], text.split("figures:\n")[1]
        figs, entries = figures.split("entries:\n")
        text = head + "entries:\n" + entries + "figures:\n" + figs
    else:
        text += tail
    edits_by_entry = {
        0: [("status", "done"), ("notes", "new\n\n"), ("notes", DELETE), ("tags", ["t"])],
        1: [("status", "reading"), ("tags", DELETE), ("notes", "n"), ("title", "Two #2")],
        2: [("started", date(2026, 1, 2)), ("title", DELETE), ("figures", ["ada", "ada"])],
    }
    taken = []
    for index, changes in edits_by_entry.items():
        for key, value in changes:
            edit = yamledit.SetItemKey("entries", index, key, value)
            if both_ways(tmp_path, text, [edit]):
                taken.append((index, key))
    # The entry whose `|+` notes keep blank lines cannot grow a key in place (either way), but
    # its notes can be replaced (bip writes `new\n\n` double-quoted: a `|+` block would take the
    # blank lines after it) or removed; an entry without its title is refused with the whole
    # text's message; the rest is local.
    assert taken == [(0, "notes"), (0, "notes")] + [(1, key) for key, _ in edits_by_entry[1]] + [
        (2, "started"),
        (2, "figures"),
    ]
    new = {"id": "four", "kind": "book", "title": "Four", "notes": "a\nb", "tags": ["x"]}
    assert both_ways(tmp_path, text, [yamledit.AppendItem("entries", new)])
    both_ways(tmp_path, text, [yamledit.AppendItem("entries", {**new, "id": "two"})])
    both_ways(tmp_path, text, [yamledit.AppendItem("entries", {**new, "figures": ["bob"]})])


def test_a_duplicate_id_or_cite_key_is_refused_with_the_same_message(tmp_path: Path) -> None:
    text = generate(20)
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 5, "id", "entry-9")])
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 9, "id", "entry-5")])
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 3, "cite_key", "k1")])
    path = tmp_path / "keys" / "reading_list.yaml"
    path.parent.mkdir()
    path.write_text(text)
    rl.edit_reading_list(path, plan_of([yamledit.SetItemKey("entries", 3, "cite_key", "k1")]))
    text = path.read_text()
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 12, "cite_key", "k1")])
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 1, "cite_key", "k1")])
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 2, "year", "soon")])
    both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 2, "figures", ["nobody"])])


def test_anchors_and_directives_send_the_edit_through_the_whole_text(tmp_path: Path) -> None:
    for text in (
        "version: 1\nentries:\n  - id: a\n    kind: book\n    title: &t T\n"
        "  - id: b\n    kind: book\n    title: *t\n",
        "%YAML 1.2\n---\nversion: 1\nentries:\n  - id: a\n    kind: book\n    title: T\n",
    ):
        path = tmp_path / "reading_list.yaml"
        path.write_text(text)
        rl.load_reading_list(path)
        watch = rl.StoreWatch()
        edits = [yamledit.SetItemKey("entries", 0, "title", "New")]
        rl.ReadingListStore(path, watch=watch).edit(plan_of(edits))
        assert watch.edits == [rl.WHOLE_TEXT]
        assert rl.load_reading_list(path).model.entries[0].title == "New"
        cache_agrees_with_a_parse(path)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.integers(min_value=0, max_value=11),
    st.lists(
        st.tuples(
            st.sampled_from(["status", "notes", "tags", "title", "started", "abstract"]),
            st.one_of(NOTES, st.lists(st.from_regex(r"[a-z]{1,5}", fullmatch=True)), TEXT),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_any_edit_of_one_entry_agrees_with_the_whole_text(
    tmp_path_factory: pytest.TempPathFactory, index: int, changes: list[tuple[str, Any]]
) -> None:
    edits: list[yamledit.Edit] = [
        yamledit.SetItemKey("entries", index, key, DELETE if value == "" else value)
        for key, value in changes
    ]
    both_ways(tmp_path_factory.mktemp("one"), generate(12), edits)
    new = {"id": "new", "kind": "book", "title": "t", **{k: v for k, v in changes if v != ""}}
    both_ways(
        tmp_path_factory.mktemp("add"), generate(index + 1), [yamledit.AppendItem("entries", new)]
    )


def test_the_generated_list_takes_the_one_entry_path(tmp_path: Path) -> None:
    """The property above is not vacuous: on the benchmark's layout, edits are local."""
    text = generate(12)
    for index in range(12):
        edit = yamledit.SetItemKey("entries", index, "notes", "two\nlines")
        assert both_ways(tmp_path / str(index), text, [edit])


@pytest.mark.parametrize(
    "damage",
    [
        lambda top: top[7].__setitem__(-1, (3, 0, 0, [("x", 1)], [None])),  # nonsense positions
        lambda top: top[7].__setitem__(-1, (3, 0, 0, [], [])),  # no items at all
        lambda top: top[4].__setitem__(-1, None),  # the section's name gone
        lambda top: top[7][-1][4].__setitem__(3, ("not", "a", "row")),  # the item mangled
    ],
)
def test_a_cached_document_of_the_right_key_but_wrong_shape_is_a_miss(
    tmp_path: Path, damage: Any
) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(10))
    rl.load_reading_list(path)
    data = path.read_bytes()
    stored = cache.ParseCache(path)
    plain, top = stored.load_doc_payload(len(data), digest(data))
    top = list(top)
    top[4], top[7] = list(top[4]), list(top[7])
    top[7][-1] = (*top[7][-1][:4], list(top[7][-1][4]))
    damage(top)
    stored.save_doc_payload(len(data), digest(data), (plain, tuple(top)))
    rl.edit_reading_list(path, rl.plan_note("entry-3", "still written"))
    assert rl.load_reading_list(path).model.entry("entry-3").notes == "still written"
    cache_agrees_with_a_parse(path)
