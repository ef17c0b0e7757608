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
    # A value bip writes twice (`started` and `finished` are the same date) is written out
    # twice, never as `&id001` and `*id001`: ruamel aliases any object it meets again, and
    # scalars other than dates are already exempt.
    ignore = yaml.representer.ignore_aliases
    yaml.representer.ignore_aliases = lambda data: isinstance(data, date) or ignore(data)
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


class LineCol:
    """The part of ruamel's `lc` record bip uses: 0-based line/column of a node, its keys,
    values and items."""

    __slots__ = ("line", "col", "keys_at", "values_at", "items_at")

    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col
        self.keys_at: dict[Any, tuple[int, int]] = {}
        self.values_at: dict[Any, tuple[int, int]] = {}
        self.items_at: list[tuple[int, int]] = []

    def key(self, k: Any) -> tuple[int, int]:
        return self.keys_at[k]

    def value(self, k: Any) -> tuple[int, int]:
        return self.values_at[k]

    def item(self, i: int) -> tuple[int, int]:
        return self.items_at[i]


class _Flow:
    __slots__ = ("_flow",)

    def __init__(self, flow: bool) -> None:
        self._flow = flow

    def flow_style(self) -> bool:
        return self._flow


FLOW = _Flow(True)
BLOCK = _Flow(False)


class PosMap(dict[Any, Any]):
    """A mapping that knows where each of its keys and values stands in the file."""

    lc: LineCol
    fa: _Flow


class PosSeq(list[Any]):
    """A sequence that knows where each of its items stands in the file."""

    lc: LineCol
    fa: _Flow


def compose(text: str) -> tuple[Any, Any]:
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

    if not may_nest_deeply(text):
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


def may_nest_deeply(text: str) -> bool:
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


STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"


def too_deep_error(path: str, mark: Any) -> InvalidFile:
    return located(
        path,
        mark,
        f"lists and mappings nest more than {MAX_DEPTH} levels deep here",
        "flatten the structure; bip's files need a few levels at most",
    )


def located(path: str, mark: Any, message: str, hint: str | None = None) -> InvalidFile:
    return InvalidFile([Problem(path, mark.line + 1, mark.column + 1, message, hint)])


def not_a_date(path: str, mark: Any, value: str, exc: ValueError) -> InvalidFile:
    return located(
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


def build_nodes(
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
            raise located(
                path,
                use or mark,
                f"aliases (*name) here expand to more than {MAX_ALIASED:,} values",
                "write the values out, or use fewer aliases",
            )
    if depth > MAX_DEPTH and isinstance(node, (MappingNode, SequenceNode)):
        raise too_deep_error(path, mark)
    if isinstance(node, MappingNode):
        mapping = PosMap()
        mapping.lc = LineCol(mark.line, mark.column)
        mapping.fa = FLOW if node.flow_style else BLOCK
        for key_node, value_node in node.value:
            where = key_node.start_mark
            if key_node.tag == MERGE_TAG:
                raise located(path, where, "merge keys (<<) are not supported here")
            key = build_nodes(key_node, constructor, path, budget, depth + 1, where, in_alias)
            if isinstance(key, (dict, list)):
                raise located(path, where, "a key must be plain text")
            if key in mapping:
                raise duplicate_key(path, where, key, mapping.lc.key(key)[0])
            mapping[key] = build_nodes(
                value_node, constructor, path, budget, depth + 1, where, in_alias
            )
            mapping.lc.keys_at[key] = (where.line, where.column)
            mapping.lc.values_at[key] = (value_node.start_mark.line, value_node.start_mark.column)
        return mapping
    if isinstance(node, SequenceNode):
        seq = PosSeq(
            build_nodes(child, constructor, path, budget, depth + 1, use or mark, in_alias)
            for child in node.value
        )
        seq.lc = LineCol(mark.line, mark.column)
        seq.lc.items_at = [(c.start_mark.line, c.start_mark.column) for c in node.value]
        seq.fa = FLOW if node.flow_style else BLOCK
        return seq
    if node.tag == STR_TAG:
        return node.value
    try:
        return constructor.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. 2026-13-45 looks like a date but is none
        raise not_a_date(path, mark, node.value, exc) from exc


def duplicate_key(path: str, where: Any, key: Any, first_line: int) -> InvalidFile:
    return located(
        path,
        where,
        f"YAML syntax error: duplicate key {key!r}",
        f"first on line {first_line + 1}; keep one of them",
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building a large document makes ~100,000 containers and no reference cycles; the cyclic
    garbage collector would walk the growing heap again and again meanwhile (more than half of
    a 5,000-entry parse). Paused for the build, on again after (nested uses keep it off).

    Everything made meanwhile is moved to the oldest generation when the collector comes back
    on (gc.freeze then gc.unfreeze: two list splices). Else the first allocation after it
    would start a young collection over every object made during the pause (0.08 s after a
    5,000-entry import, whose objects all live on): the oldest generation is collected only
    when it has grown by a quarter, as for any long-lived objects."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def has_marks(text: str) -> bool:
    r"""Whether `text` may hold an anchor (`&a`), an alias (`*a`) or a directive (`%YAML`): the
    things that tie one part of a YAML text to another. A false alarm (`title: *nix tools`) only
    costs speed.

    What the pattern `(?:^|[\s\[{,])[&*][^\s\[\]{},]|^%` (multi-line) finds, by looking only
    at each `&` and `*` (str.find scans at memchr speed; the pattern, tried at every character,
    took 0.1 s on a 1.4 MB list). tests/test_parse_fast.py holds the two equal."""
    if text.startswith("%") or "\n%" in text:
        return True
    for mark in "&*":
        at = text.find(mark)
        while at >= 0:
            before = text[at - 1] if at else " "
            after = text[at + 1 : at + 2]
            if (
                (before.isspace() or before in "[{,")
                and after
                and not (after.isspace() or after in "[]{},")
            ):
                return True
            at = text.find(mark, at + 1)
    return False


def parse(text: str, path: str) -> Any:
    """Parse YAML into dicts and lists that carry line/column positions (fast: C scanner).
    Syntax errors become a located Problem."""
    with gc_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        from toolkit.yamledit.events import Fallback, fast_build

        try:
            return fast_build(text, path)  # refuses deep nesting itself, where it starts
        except (YAMLError, Fallback):
            pass
        # The composers recurse: deep nesting is refused before they see it.
        deep = _too_deep(text)
        if deep is not None:
            raise too_deep_error(path, deep)
        node, constructor = compose(text)
        return None if node is None else build_nodes(node, constructor, path)
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
