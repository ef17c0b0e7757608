"""What an edit of a YAML list is, applied to data, or to ruamel's document and dumped whole:
the fallback of the line splicer (`splice`) for layouts it does not splice."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolkit.yamledit.blocks import styled
from toolkit.yamledit.parse import DELETE, make_yaml, to_plain


@dataclass(frozen=True)
class SetItemKey:
    """Set (or, with DELETE, remove) `key` of the mapping at `section[index]`."""

    section: str
    index: int
    key: str
    value: Any


@dataclass(frozen=True)
class AppendItem:
    section: str
    item: dict[str, Any]


@dataclass(frozen=True)
class RemoveItem:
    section: str
    index: int


Edit = SetItemKey | AppendItem | RemoveItem


def apply_plain(data: Any, edits: list[Edit]) -> Any:
    """What the data must look like after the edits: the reference every edited text is checked
    against."""
    result = copy.deepcopy(data)
    apply_to(result, edits, value=to_plain, new_list=list, new_item=lambda item: to_plain(item))
    return result


def apply_to(
    doc: Any,
    edits: list[Edit],
    value: Callable[[Any], Any],
    new_list: Callable[[], Any],
    new_item: Callable[[dict[str, Any]], Any],
) -> None:
    """Apply `edits` to a parsed document in place; `value`, `new_list` and `new_item` make the
    values of the document's own kind (plain data, or ruamel's commented nodes)."""
    for edit in edits:
        if isinstance(edit, SetItemKey):
            item = doc[edit.section][edit.index]
            if edit.value is DELETE:
                item.pop(edit.key, None)
            else:
                item[edit.key] = value(edit.value)
        elif isinstance(edit, AppendItem):
            if doc.get(edit.section) is None:
                doc[edit.section] = new_list()
            doc[edit.section].append(new_item(edit.item))
        else:
            del doc[edit.section][edit.index]


def roundtrip(text: str, edits: list[Edit], path: str) -> str:
    """The fallback: apply the edits to ruamel's document and dump it whole."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = make_yaml().load(text)
    apply_to(
        doc,
        edits,
        value=styled,
        new_list=CommentedSeq,
        new_item=lambda item: CommentedMap((k, styled(v)) for k, v in item.items()),
    )
    yaml = make_yaml()
    mapping, sequence, offset = _detect_indent_of(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _detect_indent_of(text: str) -> tuple[int, int, int]:
    """Guess the (mapping, sequence, offset) indentation a file uses, for the fallback dump."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        stripped = line.strip()
        if stripped.endswith(":") and not stripped.startswith(("#", "-")):
            nxt = lines[i + 1]
            if nxt.lstrip().startswith("- "):
                offset = max(_indent_of(nxt) - _indent_of(line), 0)
                return 2, offset + 2, offset
    return 2, 2, 0


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
