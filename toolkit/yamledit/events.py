"""The fast path of `parse`: position-carrying data straight from libyaml's C event stream.

It follows ruamel's own YAML 1.2 rules for plain scalars; anything rare (anchored collections,
merge keys, several documents) or broken raises _Fallback or YAMLError, and `parse` then lets
the pure-Python composer decide, so every message stays the composer's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from toolkit.errors import InvalidFile
from toolkit.yamledit.parse import (
    _BLOCK,
    _FLOW,
    _MERGE_TAG,
    _STR_TAG,
    MAX_DEPTH,
    PosMap,
    PosSeq,
    _compose,
    _duplicate,
    _LineCol,
    _located,
    _not_a_date,
    _too_deep_error,
)


class _Fallback(Exception):
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


def _resolvers() -> dict[str, list[tuple[str, Any]]]:
    """ruamel's YAML 1.2 implicit resolvers by first character (what its C loader applies),
    as compiled patterns' `match`."""
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            compiled = regexp.lazy_self() if hasattr(regexp, "lazy_self") else regexp
            for ch in first:
                table.setdefault(ch, []).append((tag, compiled.match))
    return table


def _resolve(resolvers: dict[str, list[tuple[str, Any]]], value: str) -> str:
    for tag, match in resolvers.get(value[:1], ()):
        if match(value):
            return tag
    return _STR_TAG


def _fast_build(text: str, path: str) -> Any:
    """Position-carrying data straight from libyaml's event stream (ruamel.yaml.clib).

    The same data, positions and messages as composing nodes and building from them, at a
    fraction of the cost: scalars are resolved with ruamel's own YAML 1.2 rules (a table by
    first character), plain ints and dates are made directly, everything rarer goes through
    ruamel's constructor. Errors of our own (duplicate keys, bad dates) are kept until the
    whole stream has parsed, so a later syntax error wins as it did; a stream the parser or
    composer rejects raises YAMLError or _Fallback, and the pure-Python path then decides."""
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

    resolvers = _resolvers()
    resolved: dict[str, str] = {}  # plain scalar -> its tag: keys and values repeat a lot
    plain_int = re.compile(r"[1-9][0-9]{0,17}|0").fullmatch
    plain_date = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
    constructor: Any = None
    errors: list[InvalidFile] = []
    collection: Any = None
    anchors: dict[str, Any] = {}

    parser = CParser(text)
    get = parser.get_event
    documents = 0
    root: Any = None
    # The stack holds [container, pending key or _NO_KEY, the key's mark, key usable]: a
    # mapping alternates key and value, a sequence appends.
    stack: list[list[Any]] = []
    try:
        while True:
            event = get()
            cls = event.__class__
            if cls is ScalarEvent:
                mark = event.start_mark
                value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    if event.implicit[0]:
                        tag = resolved.get(value)
                        if tag is None:
                            tag = resolved[value] = _resolve(resolvers, value)
                    else:
                        tag = _STR_TAG
                if tag == _STR_TAG:
                    data: Any = value
                elif value in _PLAIN_SCALARS and tag in (
                    "tag:yaml.org,2002:null",
                    "tag:yaml.org,2002:bool",
                ):
                    data = _PLAIN_SCALARS[value]
                elif tag == "tag:yaml.org,2002:int" and plain_int(value):
                    data = int(value)
                elif tag == "tag:yaml.org,2002:timestamp" and plain_date(value):
                    try:
                        data = date(int(value[:4]), int(value[5:7]), int(value[8:10]))
                    except ValueError as exc:
                        errors.append(_not_a_date(path, mark, value, exc))
                        data = None
                elif tag == _MERGE_TAG:
                    data = _MERGE
                else:
                    if constructor is None:
                        constructor = _compose("")[1]
                    node = ScalarNode(tag, value, mark, event.end_mark, event.style)
                    try:
                        data = constructor.construct_object(node, deep=True)
                    except ValueError as exc:
                        errors.append(_not_a_date(path, mark, value, exc))
                        data = None
                collection = None
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                collection = PosMap() if cls is MappingStartEvent else PosSeq()
                collection.lc = _LineCol(mark.line, mark.column)
                collection.fa = _FLOW if event.flow_style else _BLOCK
                if event.anchor is not None:
                    raise _Fallback("anchored collection")
                data = collection
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                done = stack.pop()
                if stack and stack[-1][1] is done[0]:  # a mapping or list used as a key
                    errors.append(_located(path, stack[-1][2], "a key must be plain text"))
                    stack[-1][3] = False
                continue
            elif cls is AliasEvent:
                if event.anchor not in anchors:
                    raise _Fallback("undefined alias")
                data, mark = anchors[event.anchor]  # positions are the anchored node's
                collection = None
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Fallback("a second document")
                continue
            elif cls is StreamEndEvent:
                break
            else:
                continue
            if cls is ScalarEvent and event.anchor is not None:
                if event.anchor in anchors:
                    raise _Fallback("duplicate anchor")
                anchors[event.anchor] = (data, mark)
            # place `data` (which starts at `mark`) in its parent
            if not stack:
                if data is _MERGE:
                    raise _Fallback("a merge tag as a value")
                root = data
            else:
                frame = stack[-1]
                parent = frame[0]
                if parent.__class__ is PosSeq:
                    if data is _MERGE:
                        raise _Fallback("a merge tag as a value")
                    parent.append(data)
                    parent.lc._items.append((mark.line, mark.column))
                elif frame[1] is _NO_KEY:
                    frame[1], frame[2], frame[3] = data, mark, True
                    if data is _MERGE:
                        errors.append(
                            _located(path, mark, "merge keys (<<) are not supported here")
                        )
                        frame[3] = False
                    elif collection is None and data in parent:
                        errors.append(_duplicate(path, mark, data, parent.lc._keys[data][0]))
                        frame[3] = False
                else:
                    if data is _MERGE:
                        raise _Fallback("a merge tag as a value")
                    key, where, ok = frame[1], frame[2], frame[3]
                    frame[1] = _NO_KEY
                    if ok:
                        parent[key] = data
                        parent.lc._keys[key] = (where.line, where.column)
                        parent.lc._values[key] = (mark.line, mark.column)
            if collection is not None:
                if len(stack) > MAX_DEPTH:  # block nesting escapes the text pre-check
                    raise _too_deep_error(path, mark)
                stack.append([collection, _NO_KEY, None, True])
    finally:
        parser.dispose()
    if errors:
        raise errors[0]
    return root


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY: Any = _Marker("NO_KEY")
_MERGE: Any = _Marker("MERGE")
