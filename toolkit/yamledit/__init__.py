"""YAML that keeps the user's words: parse with positions, edit by splicing lines.

ruamel.yaml parses (keeping line/column of every key and item). Edits are made on the original
text, line by line, at the positions ruamel reports, so a diff shows only the lines an edit meant to
change: comments, key order, blank lines, quoting and flow style elsewhere are untouched. Every
edited text is parsed again and compared with the intended data; when a layout is too unusual to
splice (flow-style collections, a missing section), the edit falls back to ruamel's round-trip dump.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolkit.yamledit.parse import (
    MAX_BYTES,
    PosMap,
    PosSeq,
    decode,
    gc_paused,
    has_marks,
    make_yaml,
    parse,
    to_plain,
)

if TYPE_CHECKING:
    from toolkit.yamledit.blocks import render_block
    from toolkit.yamledit.edits import AppendItem, Edit, RemoveItem, SetItemKey, apply_plain
    from toolkit.yamledit.splice import ItemSplice, apply_edits, splice_item

_EDITING = {  # name -> its module
    "AppendItem": "edits",
    "Edit": "edits",
    "RemoveItem": "edits",
    "SetItemKey": "edits",
    "apply_plain": "edits",
    "ItemSplice": "splice",
    "apply_edits": "splice",
    "splice_item": "splice",
    "render_block": "blocks",
}


def __getattr__(name: str) -> Any:
    """The editing half loads on first use: a read needs only the parser."""
    if name in _EDITING:
        import importlib

        value = getattr(importlib.import_module(f"toolkit.yamledit.{_EDITING[name]}"), name)
        globals()[name] = value  # found in the module from now on: no call per use
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_BYTES",
    "make_yaml",
    "decode",
    "gc_paused",
    "PosMap",
    "PosSeq",
    "parse",
    "to_plain",
    "SetItemKey",
    "AppendItem",
    "RemoveItem",
    "Edit",
    "apply_plain",
    "apply_edits",
    "render_block",
    "ItemSplice",
    "splice_item",
    "has_marks",
]
