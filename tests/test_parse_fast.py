"""The fast parser (libyaml events -> position-carrying data) gives exactly what composing nodes
and building from them gives: the same data, positions, flow styles and messages."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_properties import reading_lists, user_layouts
from toolkit.errors import InvalidFile

parse_mod = importlib.import_module("toolkit.yamledit.parse")
events_mod = importlib.import_module("toolkit.yamledit.events")

# YAML people write, and YAML that trips parsers: every one must come out the same both ways.
CASES = [
    "",
    "---\n",
    "# only a comment\n",
    "just a scalar\n",
    "[1, 2]\n",
    "a: 1\n---\nb: 2\n",
    "a: *x\n",
    "a: &x 1\nb: &x 2\n",
    "a: &x 1\nb: *x\n",
    "&x a: 1\nb: *x\n",
    "a: &x [1, 2]\nb: *x\n",
    "a: &x\n  b: 1\nc: *x\n",
    "<<: {a: 1}\n",
    "a: <<\n",
    "'<<': 1\n",
    "? [a]\n: 1\n",
    "? {a: 1}\n: 2\n",
    "a: 1\na: 2\n",
    "a: 1\na: 2024-13-01\n",
    "a: 2024-13-01\nb: [\n",
    "{a: 1, a: 2}\n",
    "a: !foo x\n",
    'a: !!int "12"\n',
    "a: !!str 12\n",
    "a: ! 12\n",
    "a: !!bool yes\n",
    'a: !!null ""\n',
    "a: !!timestamp 2024-02-30\n",
    "a: 0o17\nb: 0x1F\nc: 1_000\nd: +5\ne: -3\nf: 007\ng: 0\nh: 00\n",
    "a: 12345678901234567890123\n",
    "a: 1.5\nb: .inf\nc: -.INF\nd: 1e3\ne: .nan\n",
    "a: yes\nb: No\nc: on\nd: ~\ne: Null\nf: TRUE\ng:\nh: null\n",
    "a: 2024-01-02T03:04:05Z\nb: 2024-1-2\nc: 2024-01-02 03:04:05.5 +01:00\n",
    "a: 2024-02-30\n",
    "x: [2024-02-31]\n",
    "- 2024-99-99\n- [\n",
    "a: {x: https://a.b}\n",
    "- a\n- b: 1\n  c: [1, {d: 2}]\n",
    "a:\n- 1\n- 2\nb: 3\n",
    "a: |\n  x\n  y\nb: >\n  z\n",
    "a: \"x\\ty\"\nb: 'it''s'\n",
    "a: 1\r\nb: 2\r\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a: *\n",
    "a:\n\tb: 1\n",
]


def shape(node: Any) -> Any:
    if isinstance(node, dict):
        lc = node.lc
        return (
            "map",
            lc.line,
            lc.col,
            node.fa.flow_style(),
            [(k, lc.key(k), lc.value(k), shape(v)) for k, v in node.items()],
        )
    if isinstance(node, list):
        lc = node.lc
        return (
            "seq",
            lc.line,
            lc.col,
            node.fa.flow_style(),
            [(lc.item(i), shape(v)) for i, v in enumerate(node)],
        )
    return (type(node).__name__, node)


def outcome(build: Any, text: str) -> Any:
    try:
        return "ok", shape(build(text))
    except InvalidFile as exc:
        return "error", [p.render() for p in exc.problems]


def composed(text: str) -> Any:
    """The reference, bip's parser before it read events: ruamel composes a node tree (libyaml,
    else the pure-Python scanner when libyaml rejects the text), then bip builds from it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        try:
            loader = YAML(typ="safe", pure=False)
            node, constructor = loader.compose(text), loader.constructor
        except YAMLError:
            node, constructor = parse_mod.compose(text)
        return None if node is None else parse_mod.build_nodes(node, constructor, "f.yaml")
    except MarkedYAMLError as exc:  # the same wording parse() gives
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise InvalidFile(
            [
                parse_mod.Problem(
                    "f.yaml", mark.line + 1, mark.column + 1, f"YAML syntax error: {what}"
                )
            ]
        ) from exc


def fast(text: str) -> Any:
    return parse_mod.parse(text, "f.yaml")


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("text", CASES)
def test_fast_parse_matches_composing_nodes(text):
    assert outcome(fast, text) == outcome(composed, text)


def test_fast_parse_takes_the_fast_path_for_ordinary_lists():
    text = "version: 1\nentries:\n  - id: a\n    added: 2024-01-02\n    year: 2020\n"
    assert events_mod.fast_build(text, "f.yaml") == parse_mod.parse(text, "f.yaml")


@settings(max_examples=60, deadline=None)
@given(st.one_of(reading_lists(), user_layouts()))
def test_fast_parse_matches_composing_nodes_on_generated_lists(generated):
    text = generated[0]
    assert outcome(fast, text) == outcome(composed, text)


DEEP = "[" * 120 + "]" * 120


@pytest.mark.parametrize(
    "head",
    [
        "a: [1]\n",  # the fast path finds it
        "a: &x [1]\n",  # an anchored list: the composer's path, after the depth check
        "a: 1\na: 2\n",  # a duplicate key before it: the nesting is what is reported
        "a: 2024-13-01\n",  # so with a date that is none
    ],
)
def test_deep_nesting_is_refused_at_the_same_place_on_every_path(head):
    with pytest.raises(InvalidFile) as caught:
        parse_mod.parse(f"{head}b: {DEEP}\n", "f.yaml")
    line = head.count("\n") + 1
    # the root mapping is one level: the 100th bracket opens the 101st
    assert [p.render() for p in caught.value.problems] == [
        f"f.yaml:{line}:103: lists and mappings nest more than 100 levels deep here"
        " (flatten the structure; bip's files need a few levels at most)"
    ]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \n\r\t\x1c\u3000[]{},&*%:#ab-", max_size=16))
def test_has_marks_finds_what_its_pattern_finds(text: str):
    import re

    from toolkit.yamledit.parse import has_marks

    pattern = re.compile(r"(?:^|[\s\[{,])[&*][^\s\[\]{},]|^%", re.M)
    assert has_marks(text) == (pattern.search(text) is not None)
