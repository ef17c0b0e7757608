"""Parse YAML with positions: decode, compose with libyaml, build position-carrying dicts and lists."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from toolkit.errors import InvalidFile, Problem

MAX_BYTES = 32 * 1024 * 1024  # ~100,000 entries: a reference manager's whole library fits
# Hostile shapes are refused at once, with a location: a list or mapping nested deeper than
# MAX_DEPTH, and aliases (`*name`) that would expand to more than MAX_ALIASED values (a
# "billion laughs" bomb is a few lines that expand to billions).
MAX_DEPTH = 100
MAX_ALIASED = 10_000


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()


def make_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a user's long line
    return yaml


def decode(data: bytes, path: str) -> str:
    """Bytes to text, refusing what is not a YAML text file with a located message."""
    if len(data) > MAX_BYTES:
        raise InvalidFile(
            [
                Problem(
                    path,
                    0,
                    0,
                    f"file is {len(data) / 1e6:.1f} MB; bip reads at most {MAX_BYTES // 2**20} MiB",
                    "is this the right file? split it or archive finished entries",
                )
            ]
        )
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            raise InvalidFile(
                [
                    Problem(
                        path,
                        1,
                        1,
                        f"the file is saved as {name}, not UTF-8",
                        "save it as UTF-8 (your editor's 'Save with encoding' or 'Reopen with')",
                    )
                ]
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _position(data, nul)
        raise InvalidFile(
            [
                Problem(
                    path,
                    line,
                    col,
                    "binary data (NUL byte): not a YAML text file",
                    "if it is text, save it as UTF-8 (UTF-16 files are full of NUL bytes)",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        raise InvalidFile(
            [Problem(path, line, col, "not valid UTF-8 text", "save the file as UTF-8")]
        ) from exc
    return text[1:] if text.startswith("\ufeff") else text


_OTHER_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


class _LineCol:
    """The part of ruamel's `lc` record bip uses: 0-based line/column of a node, its keys,
    values and items."""

    __slots__ = ("line", "col", "_keys", "_values", "_items")

    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col
        self._keys: dict[Any, tuple[int, int]] = {}
        self._values: dict[Any, tuple[int, int]] = {}
        self._items: list[tuple[int, int]] = []

    def key(self, k: Any) -> tuple[int, int]:
        return self._keys[k]

    def value(self, k: Any) -> tuple[int, int]:
        return self._values[k]

    def item(self, i: int) -> tuple[int, int]:
        return self._items[i]


class _Flow:
    __slots__ = ("_flow",)

    def __init__(self, flow: bool) -> None:
        self._flow = flow

    def flow_style(self) -> bool:
        return self._flow


_FLOW = _Flow(True)
_BLOCK = _Flow(False)


class PosMap(dict[Any, Any]):
    """A mapping that knows where each of its keys and values stands in the file."""

    lc: _LineCol
    fa: _Flow


class PosSeq(list[Any]):
    """A sequence that knows where each of its items stands in the file."""

    lc: _LineCol
    fa: _Flow


def _compose(text: str) -> tuple[Any, Any]:
    """The node tree and a constructor for its scalars, from the pure-Python scanner: the
    fallback for YAML 1.2 that libyaml rejects (`{x: https://...}`) and for every error, so
    messages are the ones this scanner gives."""
    from ruamel.yaml import YAML

    pure = YAML(typ="safe", pure=True)
    return pure.compose(text), pure.constructor


def _too_deep(text: str) -> Any:
    """The mark where `text` first nests past MAX_DEPTH, or None. libyaml's event parser is
    iterative, so this is safe where composing is not: the C composer recurses and crashes the
    process on deep nesting, the pure one is quadratic in it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    if not _may_nest_deeply(text):
        return None
    depth = 0
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None  # a syntax error: composing reports it with its place
    return None


def _may_nest_deeply(text: str) -> bool:
    """Whether `text` might nest past MAX_DEPTH on few lines (flow brackets, `- - - x`). Block
    nesting costs a line and its indent per level, which the size cap bounds; a false alarm only
    costs speed (the pure-Python composer, which fails cleanly, decides)."""
    import re

    half = MAX_DEPTH // 2
    if re.search(r"(?:[-?:][ \t]+){" + str(half) + "}", text):
        return True
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > half:
            return True
    return False


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _too_deep_error(path: str, mark: Any) -> InvalidFile:
    return _located(
        path,
        mark,
        f"lists and mappings nest more than {MAX_DEPTH} levels deep here",
        "flatten the structure; bip's files need a few levels at most",
    )


def _located(path: str, mark: Any, message: str, hint: str | None = None) -> InvalidFile:
    return InvalidFile([Problem(path, mark.line + 1, mark.column + 1, message, hint)])


def _not_a_date(path: str, mark: Any, value: str, exc: ValueError) -> InvalidFile:
    return _located(
        path,
        mark,
        f"{value!r} is not a real date ({exc})",
        "use YYYY-MM-DD with a valid month and day",
    )


class _Budget:
    """What building one document has spent: the nodes built so far (to tell an alias's second
    use from its definition) and the values built through aliases."""

    __slots__ = ("seen", "aliased")

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.aliased = 0


def _build(
    node: Any,
    constructor: Any,
    path: str,
    budget: _Budget | None = None,
    depth: int = 0,
    use: Any = None,
    in_alias: bool = False,
) -> Any:
    """Build a positioned value from `node`; `use` is the mark where the node is used (an
    alias's place, not its anchor's)."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    budget = budget if budget is not None else _Budget()
    mark = node.start_mark
    if id(node) in budget.seen:
        in_alias = True  # the same node again: an alias expanded
    else:
        budget.seen.add(id(node))
    if in_alias:
        budget.aliased += 1
        if budget.aliased > MAX_ALIASED:
            raise _located(
                path,
                use or mark,
                f"aliases (*name) here expand to more than {MAX_ALIASED:,} values",
                "write the values out, or use fewer aliases",
            )
    if depth > MAX_DEPTH and isinstance(node, (MappingNode, SequenceNode)):
        raise _too_deep_error(path, mark)
    if isinstance(node, MappingNode):
        mapping = PosMap()
        mapping.lc = _LineCol(mark.line, mark.column)
        mapping.fa = _FLOW if node.flow_style else _BLOCK
        for key_node, value_node in node.value:
            where = key_node.start_mark
            if key_node.tag == _MERGE_TAG:
                raise _located(path, where, "merge keys (<<) are not supported here")
            key = _build(key_node, constructor, path, budget, depth + 1, where, in_alias)
            if isinstance(key, (dict, list)):
                raise _located(path, where, "a key must be plain text")
            if key in mapping:
                raise _duplicate(path, where, key, mapping.lc.key(key)[0])
            mapping[key] = _build(value_node, constructor, path, budget, depth + 1, where, in_alias)
            mapping.lc._keys[key] = (where.line, where.column)
            mapping.lc._values[key] = (value_node.start_mark.line, value_node.start_mark.column)
        return mapping
    if isinstance(node, SequenceNode):
        seq = PosSeq(
            _build(child, constructor, path, budget, depth + 1, use or mark, in_alias)
            for child in node.value
        )
        seq.lc = _LineCol(mark.line, mark.column)
        seq.lc._items = [(c.start_mark.line, c.start_mark.column) for c in node.value]
        seq.fa = _FLOW if node.flow_style else _BLOCK
        return seq
    if node.tag == _STR_TAG:
        return node.value
    try:
        return constructor.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. 2026-13-45 looks like a date but is none
        raise _not_a_date(path, mark, node.value, exc) from exc


def _duplicate(path: str, where: Any, key: Any, first_line: int) -> InvalidFile:
    return _located(
        path,
        where,
        f"YAML syntax error: duplicate key {key!r}",
        f"first on line {first_line + 1}; keep one of them",
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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building a large document makes ~100,000 containers and no reference cycles; the cyclic
    garbage collector would walk the growing heap again and again meanwhile (more than half of
    a 5,000-entry parse). Paused for the build, on again after (nested uses keep it off)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse(text: str, path: str) -> Any:
    """Parse YAML into dicts and lists that carry line/column positions (fast: C scanner).
    Syntax errors become a located Problem."""
    with gc_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        deep = _too_deep(text)
        if deep is not None:
            raise _too_deep_error(path, deep)
        try:
            return _fast_build(text, path)
        except (YAMLError, _Fallback):
            pass
        node, constructor = _compose(text)
        return None if node is None else _build(node, constructor, path)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if "duplicate key" in what:
            what = what.split("\n")[0]
        raise InvalidFile([Problem(path, line, col, f"YAML syntax error: {what}")]) from exc
    except YAMLError as exc:
        first = (str(exc).splitlines() or ["unreadable"])[0]
        raise InvalidFile([Problem(path, 0, 0, f"YAML error: {first}")]) from exc
    except ValueError as exc:  # e.g. a timestamp-looking value that is not a real date
        raise InvalidFile([Problem(path, 0, 0, f"YAML value error: {exc}")]) from exc
    except RecursionError:  # the pure composer recursed past Python's stack: nesting again
        raise InvalidFile(
            [
                Problem(
                    path,
                    0,
                    0,
                    f"lists and mappings nest more than {MAX_DEPTH} levels deep",
                    "flatten the structure; bip's files need a few levels at most",
                )
            ]
        ) from None


def to_plain(node: Any) -> Any:
    """ruamel's commented structures as plain dicts, lists and scalars."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, datetime):
        return node
    if isinstance(node, date):
        return date(node.year, node.month, node.day)
    return node
