"""Edit YAML by splicing the original text at parsed positions; round-trip dump as the fallback
(`edits.roundtrip`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolkit.errors import BipError, InvalidFile
from toolkit.yamledit.blocks import RENDERERS, Renderer
from toolkit.yamledit.edits import (
    AppendItem,
    Edit,
    SetItemKey,
    apply_to,
    roundtrip,
)
from toolkit.yamledit.parse import DELETE, has_marks, parse, to_plain


class _CannotSplice(Exception):
    """This layout is not spliced line by line; use the round-trip dump."""


@dataclass
class _LineEdit:
    start: int  # first line replaced (0-based)
    end: int  # one past the last line replaced; == start for a pure insertion
    lines: list[str]
    order: int


Parser = Callable[[str, str], Any]  # (text, path) -> positioned data: `parse`, or a watched one


def apply_edits(
    text: str, doc: Any, edits: list[Edit], path: str, parse: Parser = parse
) -> tuple[str, Any]:
    """Return `text` with `edits` applied, changing only the lines they concern, and its parse
    (checked to hold exactly the intended data)."""
    expected = to_plain(doc)  # a fresh copy: apply_plain's deep copy is not needed
    apply_to(expected, edits, value=to_plain, new_list=list, new_item=to_plain)
    for render in RENDERERS:  # bip's emitter, then ruamel's if the text does not read back
        try:
            spliced = _splice(text, doc, edits, render)
            new_doc = parse(spliced, path)
            if to_plain(new_doc) == expected:
                return spliced, new_doc
        except _CannotSplice:
            break
        except InvalidFile:
            pass
    dumped = roundtrip(text, edits, path)
    new_doc = parse(dumped, path)
    if to_plain(new_doc) != expected:
        raise BipError(
            f"could not apply the change to {path} safely; nothing was written",
            hint="this is a bug in bip: please report it with the file's layout",
        )
    return dumped, new_doc


def _splice(text: str, doc: Any, edits: list[Edit], render: Renderer) -> str:
    lines, newline = _lines(text)
    line_edits: list[_LineEdit] = []
    appends = _render_appends(edits, render)
    for order, edit in enumerate(edits):
        seq = doc.get(edit.section) if isinstance(doc, dict) else None
        if seq is None or not isinstance(seq, list) or _is_flow(seq):
            raise _CannotSplice(edit.section)
        line_edits.append(_line_edit(lines, seq, edit, newline, order, appends))
    _apply_line_edits(lines, line_edits)
    return "".join(lines)


@dataclass
class _Appends:
    """The renderer of this attempt (bip's emitter, else ruamel's), new items' lines by id of
    their edit, rendered in one go when there are many (an import), and where the last item of
    each list stands, by id of the list: worked out once for the thousands of items an import
    appends (`lines` does not change until every edit is made)."""

    render: Renderer
    rendered: dict[int, list[str]]
    tails: dict[int, tuple[int, int, int]]

    def block(self, mapping: dict[str, Any]) -> list[str]:
        """One mapping's lines (a key's new value, one new item) by this attempt's renderer."""
        try:
            return self.render([mapping])[0]
        except ValueError:
            raise _CannotSplice("rendered item") from None


def _render_appends(edits: list[Edit], render: Renderer) -> _Appends:
    appends = [e for e in edits if isinstance(e, AppendItem)]
    if len(appends) < 2:
        return _Appends(render, {}, {})
    try:
        blocks = render([e.item for e in appends])
    except ValueError:
        raise _CannotSplice("rendered items") from None
    return _Appends(render, {id(e): block for e, block in zip(appends, blocks, strict=True)}, {})


def _line_edit(
    lines: list[str],
    seq: Any,
    edit: Edit,
    newline: str,
    order: int,
    appends: _Appends,
) -> _LineEdit:
    """The lines that make `edit` of the block list `seq`."""
    if isinstance(edit, SetItemKey):
        return _set_key(lines, seq, edit, newline, order, appends)
    if isinstance(edit, AppendItem):
        return _append_item(lines, seq, edit, newline, order, appends)
    return _remove_item(lines, seq, edit.index, order)


def _lines(text: str) -> tuple[list[str], str]:
    """The text's lines (each ending in a newline) and the newline it uses."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    return lines, newline


def _apply_line_edits(lines: list[str], line_edits: list[_LineEdit]) -> None:
    line_edits.sort(key=lambda e: (e.start, e.order), reverse=True)
    for a, b in zip(line_edits, line_edits[1:], strict=False):
        if b.end > a.start or (b.start == a.start and (a.end > a.start or b.end > b.start)):
            raise _CannotSplice("overlapping edits")
    for e in line_edits:
        lines[e.start : e.end] = e.lines


@dataclass
class ItemSplice:
    """An edit of one item (or an item appended after the last), verified on those lines alone."""

    text: str  # the whole new text
    index: int  # the item replaced by `items`
    first: int  # its first line (0-based), where it stood and still stands
    delta: int  # lines the edit added (negative: removed)
    items: list[Any]  # the item(s) as parsed from their new lines: positions count from `first`


def splice_item(
    text: str,
    seq: Any,
    edits: list[Edit],
    path: str,
    follows: int | None = None,
    parse: Parser = parse,
) -> ItemSplice | None:
    """Apply `edits` to the block list `seq` and verify them by parsing only the lines they
    touch instead of the whole text, when they are SetItemKey of one item, or AppendItems (then
    the last item and the new ones are parsed: an import's thousands of entries are checked
    without parsing the user's text again). None when the edits or the layout are of another
    kind (the caller then uses apply_edits, which parses everything).

    Sound because the lines before the item are untouched, so the parser meets the item's first
    line in the state it always did (a block list at the dash's column, expecting an item); the
    lines parsed alone run up to and including the next item's dash (or, for the last item, up
    to the line that ends the list), so whatever could reach past the item's last line (a block
    scalar keeping its trailing blank lines, say) is parsed as the whole text would parse it.
    The caller must know the document has no anchors, aliases or directives (the one thing
    that ties an item to text elsewhere); lines holding one here are refused.

    Where the item ends is checked against the whole text's parse, not guessed from indents:
    the lines after it must run, through blank and comment lines only, to the next item's line
    (known from `seq`) or, after the last item, to `follows` (the line of what follows the
    list, as the whole text parsed; None: the document ends there, maybe with `...`). A quoted
    scalar or flow collection may go on at any indent (`tags: [a,` then `b]` at column 0): such
    lines are part of the item, and an edit that left them behind would write a broken file
    while its own lines parse. Text holding a line break that YAML does not count as one
    everywhere (U+2028, U+2029, U+0085) is refused: the parser's lines are not the text's."""
    if any(ch in text for ch in _ODD_BREAKS):
        return None
    if not isinstance(seq, list) or _is_flow(seq) or not seq or not edits:
        return None
    head = edits[0]
    if all(isinstance(e, AppendItem) and e.section == head.section for e in edits):
        index = len(seq) - 1  # compared as they are: parsed dicts and lists equal plain ones
        expected = [seq[index], *(e.item for e in edits if isinstance(e, AppendItem))]
    elif isinstance(head, SetItemKey) and all(
        isinstance(e, SetItemKey) and e.index == head.index and e.section == head.section
        for e in edits
    ):
        index = head.index
        if not 0 <= index < len(seq):
            return None
        plain = to_plain(seq[index])
        for edit in edits:
            if isinstance(edit, SetItemKey):
                if edit.value is DELETE:
                    plain.pop(edit.key, None)
                else:
                    plain[edit.key] = to_plain(edit.value)
        expected = [plain]
    else:
        return None
    for render in RENDERERS:  # bip's emitter, then ruamel's if the lines do not read back
        done = _splice_item(text, seq, edits, path, follows, parse, index, expected, render)
        if done is not _MISMATCH:
            return done if isinstance(done, ItemSplice) else None
    return None


_MISMATCH: Any = object()  # the new lines do not read back as the data: render them again


def _splice_item(
    text: str,
    seq: Any,
    edits: list[Edit],
    path: str,
    follows: int | None,
    parse: Parser,
    index: int,
    expected: list[Any],
    render: Renderer,
) -> Any:
    """splice_item with one renderer: the ItemSplice, None for a layout it cannot splice, or
    _MISMATCH when the new lines do not read back as the intended data."""
    lines, newline = _lines(text)
    try:
        first, last, dash = _item_bounds(lines, seq, index)
        appends = _render_appends(edits, render)
        line_edits = [
            _line_edit(lines, seq, e, newline, order, appends) for order, e in enumerate(edits)
        ]
        if any(e.start < first or e.end > last + 1 for e in line_edits):
            return None
        old_count = len(lines)
        _apply_line_edits(lines, line_edits)
    except _CannotSplice:
        return None
    delta = len(lines) - old_count
    stop = _after_item(lines, last + delta + 1, dash)
    if index + 1 < len(seq):
        if stop - 1 != _lc(seq).item(index + 1)[0] + delta:
            return None
    elif follows is not None:
        if stop != follows + delta:
            return None
    elif stop < len(lines) and not lines[stop].startswith("..."):
        return None
    if stop < len(lines) and not text.endswith(("\n", "\r")):
        return None  # the newline added at the end could change a `|` value there, unparsed
    snippet = "".join(lines[first:stop])
    if has_marks(snippet) or any(ch in snippet for ch in _ODD_BREAKS):
        return None
    try:
        parsed = parse(snippet, path)
    except InvalidFile:
        return _MISMATCH
    count = len(expected)
    if not isinstance(parsed, list) or _is_flow(parsed) or len(parsed) not in (count, count + 1):
        return _MISMATCH
    if _lc(parsed).item(0) != (0, _lc(seq).item(index)[1]):
        return _MISMATCH
    if index + 1 < len(seq):  # the next item starts where it did, at its dash line
        line, col = _lc(seq).item(index + 1)
        if len(parsed) != count + 1 or _lc(parsed).item(count) != (line + delta - first, col):
            return _MISMATCH
    items = parsed[:count]
    if items != expected:
        return _MISMATCH
    if not all(isinstance(item, dict) and _lc(item).line is not None for item in items):
        return None
    return ItemSplice("".join(lines), index, first, delta, items)


_ODD_BREAKS = ("\u2028", "\u2029", "\x85")


def _after_item(lines: list[str], start: int, dash: int) -> int:
    """One past the last line to parse with an item that ended on line `start - 1`: blank and
    comment lines, then the next item's dash line at the same column (included) or the line
    that ends the list (not included)."""
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(lines[i]) == dash and stripped.startswith("-") and stripped[1:2] in ("", " "):
            return i + 1
        return i
    return len(lines)


def _lc(node: Any) -> Any:
    """ruamel's line/column record of a node (typed loosely: ruamel ships no stubs)."""
    return node.lc


def _is_flow(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, col: int, dash_continues: bool) -> int:
    """Index of the last line of the node that starts on line `start` at column `col`: the lines
    after it that are indented deeper (or, for a key whose value is a block sequence at the key's
    own column, lines starting with '-'). Trailing blank lines are not part of it."""
    last = start
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped:
            continue
        ind = _indent(lines[i])
        if ind > col or (dash_continues and ind == col and stripped.startswith("-")):
            last = i
        else:
            break
    return last


def _item_bounds(lines: list[str], seq: Any, index: int) -> tuple[int, int, int]:
    """(first line, last line, dash column) of a block sequence item."""
    line, col = seq.lc.item(index)
    dash = lines[line].rfind("-", 0, col)
    if dash < 0 or lines[line][:dash].strip():
        raise _CannotSplice("item does not start its line")
    item = seq[index]
    if isinstance(item, dict) and item and not _is_flow(item):
        last_key = list(item)[-1]
        key_line, key_col = _lc(item).key(last_key)
        return line, _block_end(lines, key_line, key_col, isinstance(item[last_key], list)), dash
    return line, _block_end(lines, line, dash, False), dash


def _comment_start(line: str, start: int) -> int:
    """Column where an end-of-line comment begins after `start`, or -1."""
    quote = ""
    i = start
    while i < len(line):
        ch = line[i]
        if quote:
            if quote == '"' and ch == "\\":
                i += 2
                continue
            if ch == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                quote = ""
        elif ch in "\"'" and (i == start or line[i - 1] in " [{,:"):
            quote = ch
        elif ch == "#" and i > 0 and line[i - 1] in " \t":
            return i
        i += 1
    return -1


def _set_key(
    lines: list[str], seq: Any, edit: SetItemKey, newline: str, order: int, appends: _Appends
) -> _LineEdit:
    item = seq[edit.index]
    if not isinstance(item, dict) or _is_flow(item):
        raise _CannotSplice("flow-style item")
    if edit.key in item:
        key_line, key_col = _lc(item).key(edit.key)
        end = _block_end(lines, key_line, key_col, isinstance(item[edit.key], list))
        if edit.value is DELETE:
            if lines[key_line][:key_col].strip():
                raise _CannotSplice("key shares its line with the item's dash")
            return _LineEdit(key_line, end + 1, [], order)
        rendered = appends.block({edit.key: edit.value})
        prefix = lines[key_line][:key_col]
        new = [prefix + rendered[0]] + [" " * key_col + r for r in rendered[1:]]
        if end == key_line and len(new) == 1:
            old = lines[key_line].rstrip("\r\n")
            comment_at = _comment_start(old, key_col + len(str(edit.key)) + 1)
            if comment_at >= 0:
                body = new[0].rstrip()
                pad = max(comment_at - len(body), 1)
                new[0] = body + " " * pad + old[comment_at:]
        return _LineEdit(key_line, end + 1, [x + newline for x in new], order)
    if edit.value is DELETE:
        return _LineEdit(0, 0, [], order)
    if not item:
        raise _CannotSplice("empty item")
    last_key = list(item)[-1]
    first_line, first_col = _lc(item).key(list(item)[0])
    last_line, last_col = _lc(item).key(last_key)
    end = _block_end(lines, last_line, last_col, isinstance(item[last_key], list))
    rendered = appends.block({edit.key: edit.value})
    return _LineEdit(end + 1, end + 1, [" " * first_col + r + newline for r in rendered], order)


def _append_item(
    lines: list[str],
    seq: Any,
    edit: AppendItem,
    newline: str,
    order: int,
    appends: _Appends,
) -> _LineEdit:
    if not seq:
        raise _CannotSplice("empty sequence")
    last = len(seq) - 1
    tails = appends.tails
    tail = tails.get(id(seq)) or tails.setdefault(id(seq), _item_bounds(lines, seq, last))
    first_line, end, dash = tail
    key_col = seq.lc.item(last)[1]
    rendered = appends.rendered.get(id(edit)) or appends.block(edit.item)
    new = [" " * dash + "-" + " " * (key_col - dash - 1) + rendered[0]]
    new += [" " * key_col + r for r in rendered[1:]]
    # Keep the list's rhythm: a blank line between items if the user separates them so.
    gap = len(seq) > 1 and not lines[first_line - 1].strip()
    block = ([newline] if gap else []) + [x + newline for x in new]
    return _LineEdit(end + 1, end + 1, block, order)


def _remove_item(lines: list[str], seq: Any, index: int, order: int) -> _LineEdit:
    start, end, _ = _item_bounds(lines, seq, index)
    before_blank = start > 0 and not lines[start - 1].strip()
    after_blank = end + 1 < len(lines) and not lines[end + 1].strip()
    if before_blank and after_blank:
        end += 1
    elif before_blank and index == len(seq) - 1 and index > 0:
        start -= 1
    return _LineEdit(start, end + 1, [], order)
