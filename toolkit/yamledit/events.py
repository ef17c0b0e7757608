"""The fast path of `parse`: position-carrying data straight from libyaml's C event stream.

It follows ruamel's own YAML 1.2 rules for plain scalars; anything rare (anchored collections,
merge keys, several documents) or broken raises Fallback or YAMLError, and `parse` then lets
the pure-Python composer decide, so every message stays the composer's.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from toolkit.errors import InvalidFile
from toolkit.yamledit.parse import (
    BLOCK,
    FLOW,
    MAX_DEPTH,
    MERGE_TAG,
    STR_TAG,
    LineCol,
    PosMap,
    PosSeq,
    compose,
    duplicate_key,
    located,
    may_nest_deeply,
    not_a_date,
    too_deep_error,
)


class Fallback(Exception):
    """The event stream holds something the fast builder leaves to the composer (its errors
    and messages)."""


_PLAIN_SCALARS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


@functools.cache
def resolvers(version: tuple[int, int] = (1, 2)) -> dict[str, list[tuple[str, Any]]]:
    """ruamel's implicit resolvers of a YAML version by first character (what its C loader
    applies to 1.2, bip's files), as compiled patterns' `match`."""
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if version in versions:
            compiled = regexp.lazy_self() if hasattr(regexp, "lazy_self") else regexp
            for ch in first:
                table.setdefault(ch, []).append((tag, compiled.match))
    return table


def resolve(table: dict[str, list[tuple[str, Any]]], value: str) -> str:
    """The tag a plain scalar gets from a `resolvers` table."""
    for tag, match in table.get(value[:1], ()):
        if match(value):
            return tag
    return STR_TAG


class _Pending:
    """What the scalar table holds for a value that is not simply its data."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_UNSEEN: Any = _Pending("UNSEEN")  # not in the table yet
_CONSTRUCT: Any = _Pending("CONSTRUCT")  # ruamel's constructor makes it (floats, 0x1F, ...)
_BAD_DATE: Any = _Pending("BAD_DATE")  # looks like a date, is none: an error at each use


def _convert(tag: str, value: str, plain_int: Any, plain_date: Any) -> Any:
    """The data of a scalar with this tag, made directly where it is plain (text, null, bools,
    decimal ints, YYYY-MM-DD dates), else _CONSTRUCT or _BAD_DATE."""
    if tag == STR_TAG:
        return value
    if value in _PLAIN_SCALARS and tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"):
        return _PLAIN_SCALARS[value]
    if tag == "tag:yaml.org,2002:int" and plain_int(value):
        return int(value)
    if tag == "tag:yaml.org,2002:timestamp" and plain_date(value):
        try:
            return date(int(value[:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return _BAD_DATE
    if tag == MERGE_TAG:
        return _MERGE
    return _CONSTRUCT


def fast_build(text: str, path: str) -> Any:
    """Position-carrying data straight from libyaml's event stream (ruamel.yaml.clib).

    The same data, positions and messages as composing nodes and building from them, at a
    fraction of the cost: scalars are resolved with ruamel's own YAML 1.2 rules (a table by
    first character), plain ints and dates are made directly, everything rarer goes through
    ruamel's constructor. Errors of our own (duplicate keys, bad dates) are kept until the
    whole stream has parsed, so a later syntax error wins as it did; a stream the parser or
    composer rejects raises YAMLError or Fallback, and the pure-Python path then decides.

    Nesting past MAX_DEPTH is refused where it starts, as `parse` has always refused it:
    at the first collection MAX_DEPTH + 1 deep when the text may nest deeply on few lines
    (`may_nest_deeply`), else one level further."""
    import re

    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from ruamel.yaml.nodes import ScalarNode

    table = resolvers()
    # plain scalar -> its data (or a _Pending): keys and values repeat a lot
    plain: dict[str, Any] = {}
    plain_int = re.compile(r"[1-9][0-9]{0,17}|0").fullmatch
    plain_date = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
    constructor: Any = None
    errors: list[InvalidFile] = []
    anchors: dict[str, Any] = {}
    deep_on_few_lines: bool | None = None

    def scalar(event: Any, value: str, tag: str | None) -> Any:
        """The data of a scalar the table does not answer yet: a plain one seen for the first
        time (`tag` None), one with a tag, one ruamel's constructor makes, a date that is none
        (an error at each use, kept until the stream has parsed)."""
        nonlocal constructor
        if tag is None:
            data = plain.get(value, _UNSEEN)
            if data is _UNSEEN:
                data = plain[value] = _convert(resolve(table, value), value, plain_int, plain_date)
        else:
            if tag == "!":
                tag = resolve(table, value) if event.implicit[0] else STR_TAG
            data = _convert(tag, value, plain_int, plain_date)
        mark = event.start_mark
        if data is _CONSTRUCT:
            if constructor is None:
                constructor = compose("")[1]
            node = ScalarNode(
                tag or resolve(table, value), value, mark, event.end_mark, event.style
            )
            try:
                return constructor.construct_object(node, deep=True)
            except ValueError as exc:
                errors.append(not_a_date(path, mark, value, exc))
                return None
        if data is _BAD_DATE:
            try:  # for the message date() gives
                date(int(value[:4]), int(value[5:7]), int(value[8:10]))
            except ValueError as exc:
                errors.append(not_a_date(path, mark, value, exc))
            return None
        return data

    parser = CParser(text)
    get = parser.get_event
    documents = 0
    # The collection being filled lives in locals: `parent` (the top is a one-item list that
    # receives the document's root), whether it is a sequence, its position records, and for
    # a mapping the pending key (_NO_KEY between pairs), where it stands and whether it may be
    # used. `stack` keeps the same for every collection around it.
    top: list[Any] = []
    parent: Any = top
    is_seq = True
    items: list[tuple[int, int]] = []
    keys: dict[Any, tuple[int, int]] = {}
    values: dict[Any, tuple[int, int]] = {}
    key: Any = _NO_KEY
    key_mark: Any = None
    key_ok = True
    stack: list[tuple[Any, ...]] = []
    try:
        while True:
            event = get()
            cls = event.__class__
            if cls is ScalarEvent:
                mark = event.start_mark
                value = event.value
                if event.ctag is None:
                    if event.implicit[0]:
                        data = plain.get(value, _UNSEEN)
                        if data is _UNSEEN and value[:1] not in table:
                            data = plain[value] = value  # no resolver starts so: text
                        elif data.__class__ is _Pending:
                            data = scalar(event, value, None)
                    else:  # quoted: text
                        data = value
                else:
                    data = scalar(event, value, str(event.ctag))
                anchor = event.anchor
                if anchor is not None:
                    if anchor in anchors:
                        raise Fallback("duplicate anchor")
                    anchors[anchor] = (data, mark)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                if event.anchor is not None:
                    raise Fallback("anchored collection")
                new: Any = PosMap() if cls is MappingStartEvent else PosSeq()
                new.lc = lc = LineCol(mark.line, mark.column)
                new.fa = FLOW if event.flow_style else BLOCK
                if is_seq:
                    parent.append(new)
                    items.append((mark.line, mark.column))
                elif key is _NO_KEY:  # a mapping or list as a key: refused at its end
                    key, key_mark, key_ok = new, mark, True
                else:
                    if key_ok:
                        parent[key] = new
                        keys[key] = (key_mark.line, key_mark.column)
                        values[key] = (mark.line, mark.column)
                    key = _NO_KEY
                if len(stack) >= MAX_DEPTH:  # block nesting escapes the text pre-check
                    if deep_on_few_lines is None:
                        deep_on_few_lines = may_nest_deeply(text)
                    if deep_on_few_lines or len(stack) > MAX_DEPTH:
                        raise too_deep_error(path, mark)
                stack.append((parent, is_seq, items, keys, values, key, key_mark, key_ok))
                parent, key, key_ok = new, _NO_KEY, True
                is_seq = cls is SequenceStartEvent
                items, keys, values = lc.items_at, lc.keys_at, lc.values_at
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                done = parent
                parent, is_seq, items, keys, values, key, key_mark, key_ok = stack.pop()
                if key is done:  # a mapping or list used as a key
                    errors.append(located(path, key_mark, "a key must be plain text"))
                    key_ok = False
                continue
            elif cls is AliasEvent:
                if event.anchor not in anchors:
                    raise Fallback("undefined alias")
                data, mark = anchors[event.anchor]  # positions are the anchored node's
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise Fallback("a second document")
                continue
            elif cls is StreamEndEvent:
                break
            else:
                continue
            # place the scalar `data` (which starts at `mark`) in its parent
            if is_seq:
                if data is _MERGE:
                    raise Fallback("a merge tag as a value")
                parent.append(data)
                items.append((mark.line, mark.column))
            elif key is _NO_KEY:
                key, key_mark, key_ok = data, mark, True
                if data is _MERGE:
                    errors.append(located(path, mark, "merge keys (<<) are not supported here"))
                    key_ok = False
                elif data in parent:
                    errors.append(duplicate_key(path, mark, data, keys[data][0]))
                    key_ok = False
            else:
                if data is _MERGE:
                    raise Fallback("a merge tag as a value")
                if key_ok:
                    parent[key] = data
                    keys[key] = (key_mark.line, key_mark.column)
                    values[key] = (mark.line, mark.column)
                key = _NO_KEY
    finally:
        parser.dispose()
    if errors:
        raise errors[0]
    return top[0] if top else None


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY: Any = _Marker("NO_KEY")
_MERGE: Any = _Marker("MERGE")
