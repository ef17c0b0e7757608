"""bip's own YAML emitter (toolkit/yamledit/emit.py) against real YAML parsers: what it writes
reads back as exactly the data, in YAML 1.2 (bip's parser and ruamel's pure-Python one) and in
YAML 1.1 (PyYAML's libyaml loader, as Jekyll-like readers see it); an import's many new entries
are spliced without touching the user's bytes and read back by `bip read list`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.stores import both_ways, cache_agrees_with_a_parse, plan_of
from toolkit import readinglist as rl
from toolkit import yamledit
from toolkit.cli import run
from toolkit.yamledit.blocks import render_blocks
from toolkit.yamledit.emit import render_mapping

# Text a YAML writer gets wrong: indicators first, `: ` and ` #` inside, words and numbers
# that YAML 1.1 or 1.2 reads as something else, line breaks of every kind, quotes, escapes.
HOSTILE = st.sampled_from(
    [
        "null",
        "Null",
        "~",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "true",
        "False",
        "1e3",
        "1_000",
        "0x1F",
        "0o17",
        "1:20",
        ".inf",
        ".NaN",
        "+1",
        "-1",
        "1.0",
        "2001.00001",
        "2001-01-01",
        "2001-12-14t21:59:43.10-05:00",
        "-",
        "- a",
        "-a",
        "? x",
        "?",
        ": y",
        "a: b",
        "a:",
        "a:b",
        "a #b",
        "a#b",
        "#c",
        "&a",
        "*a",
        "!x",
        "!!str",
        "|",
        "> f",
        "'q'",
        '"d"',
        "%YAML",
        "@x",
        "`x",
        "=",
        "<<",
        "a,b",
        "[x]",
        "{y: 1}",
        " lead",
        "trail ",
        "a\nb",
        "a\n",
        "a\n\n",
        "\nb",
        " a\nb",
        "a \nb",
        "a\n  b",
        "tab\tx",
        "é ü 李沐 🙂",
        "\x85",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\x7f",
        "\x00",
        "\x1b",
        "back\\slash",
        "a'b",
        'a"b',
        "---",
        "...",
        "--- a",
        "3D Gaussian Splatting",
        'It\'s: a "test" # really',
    ]  # fmt: skip
)
TEXT = st.one_of(
    HOSTILE,
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=24),
    st.lists(HOSTILE, min_size=2, max_size=4).map("".join),
)
SCALAR = st.one_of(TEXT, st.integers(), st.booleans(), st.dates(), st.none())
VALUE = st.one_of(
    SCALAR,
    st.lists(SCALAR, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), SCALAR, max_size=3),
)
KEYS = st.one_of(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True), HOSTILE)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def as_list_item(lines: list[str]) -> str:
    """The lines as the first item of a block list, another item after it (as a splice puts
    them: a literal block must end where the item does)."""
    body = "".join(
        ("  - " if n == 0 else "    ") + line + "\n" if line else "\n"
        for n, line in enumerate(lines)
    )
    return "entries:\n" + body + "\n  - id: next\n"


@FAST
@given(st.dictionaries(KEYS, VALUE, min_size=1, max_size=6))
def test_what_the_emitter_writes_reads_back_as_the_data_in_yaml_1_1_and_1_2(mapping):
    text = as_list_item(render_mapping(mapping))  # never Unsupported for these shapes
    expected = {"entries": [mapping, {"id": "next"}]}
    assert yamledit.to_plain(yamledit.parse(text, "t.yaml")) == expected, text
    assert YAML(typ="safe", pure=True).load(text) == expected, text
    assert yaml.load(text, Loader=yaml.CSafeLoader) == expected, text


def test_the_emitter_writes_as_ruamel_does_where_both_are_plain_or_quoted():
    lines = render_mapping(
        {
            "id": "vaswani2017",
            "title": "Attention: Is It All You Need?",
            "authors": ["Ashish Vaswani", "Shazeer, Noam", "DeepSeek-AI"],
            "year": 2017,
            "arxiv": "1706.03762",
            "doi": "10.5555/3295222",
            "pages": "5998–6008",
            "tags": [],
            "goal": {"merged_prs": 1, "by": date(2027, 6, 30)},
            "added": date(2026, 12, 6),
            "notes": "line one\n  indented\n\nlast",
        }
    )
    assert lines == [
        "id: vaswani2017",
        "title: 'Attention: Is It All You Need?'",
        "authors: [Ashish Vaswani, 'Shazeer, Noam', DeepSeek-AI]",
        "year: 2017",
        "arxiv: '1706.03762'",
        "doi: 10.5555/3295222",
        "pages: 5998–6008",
        "tags: []",
        "goal: {merged_prs: 1, by: 2027-06-30}",
        "added: 2026-12-06",
        "notes: |-",
        "  line one",
        "    indented",
        "",
        "  last",
    ]


def test_values_outside_its_shapes_go_to_ruamel():
    nested = {"id": "x", "kind": "book", "title": "t", "extra": {"deep": [1, [2]]}}
    [block] = render_blocks([nested])
    assert yamledit.to_plain(yamledit.parse(as_list_item(block), "t"))["entries"][0] == nested


USER_LIST = """\
# my reading list: bip must leave these lines alone
version: 1
entries:
  - id: first   # a comment after a value
    kind: book
    title: "C# tips # not a comment"
    status: todo
    # a comment between items

  - id: second
    kind: book
    title: 'it''s # fine'
    status: done
"""


@st.composite
def new_entries(draw):
    count = draw(st.integers(2, 6))
    titles = st.one_of(HOSTILE, TEXT).filter(lambda t: t.strip() != "")
    items = []
    for n in range(count):
        item = {"id": f"new-{n}", "kind": "book", "title": draw(titles), "status": "todo"}
        if draw(st.booleans()):
            item["authors"] = draw(st.lists(titles.filter(bool), min_size=1, max_size=3))
        if draw(st.booleans()):
            item["notes"] = draw(titles)
        item["added"] = date(2026, 12, 6)
        items.append(item)
    return items


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(new_entries())
def test_an_import_appends_hostile_entries_keeping_the_users_bytes(tmp_path_factory, items):
    """Many appends (the one-entry path, where only the new lines are parsed back, unless a
    line looks like an anchor or alias to it) agree byte for byte with the whole-text path,
    keep every byte the user wrote, and read back as the data bip meant."""
    tmp = tmp_path_factory.mktemp("import")
    edits = [yamledit.AppendItem("entries", item) for item in items]
    both_ways(tmp, USER_LIST, edits)
    written = (tmp / "one" / "reading_list.yaml").read_text(encoding="utf-8")
    assert written.startswith(USER_LIST)  # the user's lines, comments and quoting untouched
    entries = yamledit.to_plain(yamledit.parse(written, "t"))["entries"]
    assert entries[2:] == items
    assert yaml.load(written, Loader=yaml.CSafeLoader)["entries"][2:] == items


def test_bip_read_list_reads_an_import_written_by_the_emitter(tmp_path: Path, capsys):
    path = tmp_path / "reading_list.yaml"
    path.write_text(USER_LIST, encoding="utf-8")
    items = [
        {"id": f"n{n}", "kind": "book", "title": title, "status": "todo"}
        for n, title in enumerate(["null", "- dash", "a: b # c", "yes", "1e3", "李沐: 🙂"])
    ]
    watch = rl.StoreWatch()
    store = rl.ReadingListStore(path, watch=watch)
    store.edit(plan_of([yamledit.AppendItem("entries", i) for i in items]))
    assert watch.edits == [rl.ONE_ENTRY]  # only the new lines were parsed back
    last_item = USER_LIST.index("  - id: second")  # parsed from the list's last item on
    assert watch.parsed[-1] == len(path.read_text(encoding="utf-8")) - last_item
    cache_agrees_with_a_parse(path)
    assert run(["-w", str(tmp_path), "read", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    rows = listed if isinstance(listed, list) else listed["entries"]
    assert [(r["id"], r["title"]) for r in rows][2:] == [(i["id"], i["title"]) for i in items]
