"""An edit of one entry parses and validates only that entry's new lines (issue 13), and gives
exactly what parsing the whole new text gives: the same bytes, the same model, the same
positions in the cache, the same messages when the change is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.listgen import generate
from tests.test_cache import _same_positions
from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.errors import BipError, InvalidFile
from toolkit.fileio import digest
from toolkit.readinglist import cache, document
from toolkit.yamledit import splice
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


def _plan(edits: list[yamledit.Edit]) -> Any:
    return lambda model: (edits, None)


def _cache_agrees_with_a_parse(path: Path) -> None:
    data = path.read_bytes()
    shown = str(path)
    fresh = rl.parse_text(yamledit.decode(data, shown), shown)
    model = cache.load_model(path, len(data), digest(data), shown)
    assert model == rl.build(fresh, shown)
    doc = cache.load_doc(path, len(data), digest(data), shown)
    assert doc is not None
    _same_positions(doc, fresh)


@contextmanager
def _whole_parses_counted() -> Iterator[list[int]]:
    """The sizes of the texts parsed while the block runs."""
    sizes: list[int] = []
    real = splice.parse

    def counting(text: str, path: str) -> Any:
        sizes.append(len(text))
        return real(text, path)

    with (
        mock.patch.object(splice, "parse", counting),
        mock.patch.object(document, "parse_text", counting),
    ):
        yield sizes


def test_a_status_change_parses_only_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(300))
    rl.load_reading_list(path)  # warm
    size = path.stat().st_size
    with _whole_parses_counted() as sizes:
        rl.edit_reading_list(path, rl.plan_status("entry-150", "reading", date(2026, 11, 23)))
        rl.edit_reading_list(path, rl.plan_note("entry-150", "line one\nline two"))
        rl.edit_reading_list(path, rl.plan_set("entry-7", "tags", ["a", "b"]))
    new = {"id": "new-one", "kind": "book", "title": "New"}
    rl.edit_reading_list(path, _plan([yamledit.AppendItem("entries", new)]))
    assert sizes and max(sizes) < 1000 < size  # one entry's lines each time, never the file
    after = rl.load_reading_list(path).model
    assert after.entry("entry-150").status == "reading"
    assert after.entries[-1].id == "new-one"
    _cache_agrees_with_a_parse(path)


def test_without_the_cached_document_the_whole_text_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.yaml"
    path.write_text(generate(30))
    rl.load_reading_list(path)
    cache.cache_file(path, "doc").unlink()
    with _whole_parses_counted() as sizes:
        rl.edit_reading_list(path, rl.plan_note("entry-3", "hello"))
    assert max(sizes) > 1000
    _cache_agrees_with_a_parse(path)


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
            if _both_ways(tmp_path, text, [edit]):
                taken.append((index, key))
    # The entry whose `|+` notes keep blank lines cannot grow a key in place (either way), and
    # an entry without its title is refused with the whole text's message; the rest is local.
    assert taken == [(0, "notes")] + [(1, key) for key, _ in edits_by_entry[1]] + [
        (2, "started"),
        (2, "figures"),
    ]
    new = {"id": "four", "kind": "book", "title": "Four", "notes": "a\nb", "tags": ["x"]}
    assert _both_ways(tmp_path, text, [yamledit.AppendItem("entries", new)])
    _both_ways(tmp_path, text, [yamledit.AppendItem("entries", {**new, "id": "two"})])
    _both_ways(tmp_path, text, [yamledit.AppendItem("entries", {**new, "figures": ["bob"]})])


REAL_ONE_ENTRY = document._edit_one_entry


def _both_ways(tmp_path: Path, text: str, edits: list[yamledit.Edit]) -> bool:
    """Apply `edits` with the one-entry path and with the whole-text path: same outcome.
    Whether the one-entry path took the edit."""
    outcomes = []
    for name, allowed in (("one", True), ("whole", False)):
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "reading_list.yaml"
        path.write_bytes(text.encode())
        rl.load_reading_list(path)
        used: list[bool] = []

        def one_entry(
            loaded: Any, edits: Any, allowed: bool = allowed, used: list[bool] = used
        ) -> Any:
            result = REAL_ONE_ENTRY(loaded, edits) if allowed else None
            used.append(result is not None)
            return result

        with mock.patch.object(document, "_edit_one_entry", one_entry):
            try:
                rl.edit_reading_list(path, _plan(edits))
                outcome: Any = path.read_bytes()
                _cache_agrees_with_a_parse(path)
            except InvalidFile as refused:
                outcome = [p.render().replace(str(path), "LIST") for p in refused.problems]
                assert path.read_bytes() == text.encode()
            except BipError as refused:  # a value bip cannot write in this place, either way
                outcome = str(refused).replace(str(path), "LIST")
                assert path.read_bytes() == text.encode()
        outcomes.append((outcome, used))
    assert outcomes[0][0] == outcomes[1][0]
    return outcomes[0][1] == [True]


def test_a_duplicate_id_or_cite_key_is_refused_with_the_same_message(tmp_path: Path) -> None:
    text = generate(20)
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 5, "id", "entry-9")])
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 9, "id", "entry-5")])
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 3, "cite_key", "k1")])
    path = tmp_path / "keys" / "reading_list.yaml"
    path.parent.mkdir()
    path.write_text(text)
    rl.edit_reading_list(path, _plan([yamledit.SetItemKey("entries", 3, "cite_key", "k1")]))
    text = path.read_text()
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 12, "cite_key", "k1")])
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 1, "cite_key", "k1")])
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 2, "year", "soon")])
    _both_ways(tmp_path, text, [yamledit.SetItemKey("entries", 2, "figures", ["nobody"])])


def test_anchors_and_directives_send_the_edit_through_the_whole_text(tmp_path: Path) -> None:
    for text in (
        "version: 1\nentries:\n  - id: a\n    kind: book\n    title: &t T\n"
        "  - id: b\n    kind: book\n    title: *t\n",
        "%YAML 1.2\n---\nversion: 1\nentries:\n  - id: a\n    kind: book\n    title: T\n",
    ):
        path = tmp_path / "reading_list.yaml"
        path.write_text(text)
        loaded = rl.load_reading_list(path)
        edits = [yamledit.SetItemKey("entries", 0, "title", "New")]
        assert document._edit_one_entry(loaded, edits) is None
        rl.edit_reading_list(path, _plan(edits))
        assert rl.load_reading_list(path).model.entries[0].title == "New"
        _cache_agrees_with_a_parse(path)


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
    _both_ways(tmp_path_factory.mktemp("one"), generate(12), edits)
    new = {"id": "new", "kind": "book", "title": "t", **{k: v for k, v in changes if v != ""}}
    _both_ways(
        tmp_path_factory.mktemp("add"), generate(index + 1), [yamledit.AppendItem("entries", new)]
    )


def test_the_generated_list_takes_the_one_entry_path(tmp_path: Path) -> None:
    """The property above is not vacuous: on the benchmark's layout, edits are local."""
    text = generate(12)
    for index in range(12):
        edit = yamledit.SetItemKey("entries", index, "notes", "two\nlines")
        assert _both_ways(tmp_path / str(index), text, [edit])


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
    shown = str(path)
    plain, top = cache.load_doc_payload(path, len(data), digest(data), shown)
    top = list(top)
    top[4], top[7] = list(top[4]), list(top[7])
    top[7][-1] = (*top[7][-1][:4], list(top[7][-1][4]))
    damage(top)
    cache.save_doc_payload(path, len(data), digest(data), shown, (plain, tuple(top)))
    rl.edit_reading_list(path, rl.plan_note("entry-3", "still written"))
    assert rl.load_reading_list(path).model.entry("entry-3").notes == "still written"
    _cache_agrees_with_a_parse(path)
