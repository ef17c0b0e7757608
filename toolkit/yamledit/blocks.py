"""Many new items rendered at once (an import's thousands of entries), in bip's style."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from toolkit.yamledit.parse import make_yaml

_INDENT = 2

Renderer = Callable[[list[dict[str, Any]]], list[list[str]]]


def render_blocks(mappings: list[dict[str, Any]]) -> list[list[str]]:
    """Block-style lines of each mapping at column 0, as `render_block` writes them (short
    lists and mappings in flow style, multi-line text as a literal block), by bip's own
    emitter (toolkit.yamledit.emit); a mapping holding a value outside its shapes goes to
    ruamel. The caller parses the result and compares it with the intended data, as for
    every splice, and renders again with `library_blocks` if they differ."""
    from toolkit.yamledit.emit import Unsupported, render_mapping

    blocks: list[list[str] | None] = []
    others: list[int] = []
    for n, mapping in enumerate(mappings):
        try:
            blocks.append(render_mapping(mapping))
        except Unsupported:
            blocks.append(None)
            others.append(n)
    if others:
        for n, block in zip(others, library_blocks([mappings[n] for n in others]), strict=True):
            blocks[n] = block
    return [block for block in blocks if block is not None]


def library_blocks(mappings: list[dict[str, Any]]) -> list[list[str]]:
    """The same lines by ruamel.yaml, in ONE dump by libyaml's C emitter (about 0.4 ms an
    entry in ruamel's representer). Each mapping is the value of a key of one top-level
    mapping and comes back dedented (the width is 4096: nothing re-wraps)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = None  # collections of scalars in flow style, the rest in block
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.representer.add_representer(str, _literal_if_multiline)
    yaml.representer.ignore_aliases = lambda data: True
    out = io.StringIO()
    yaml.dump({f"k{n}": dict(m) for n, m in enumerate(mappings)}, out)
    blocks: list[list[str]] = []
    for line in out.getvalue().splitlines():
        if line and not line[0].isspace():
            blocks.append([])  # `kN:`, the start of the next mapping
        elif blocks:
            blocks[-1].append(line[_INDENT:])
    if len(blocks) != len(mappings) or not all(blocks):
        raise ValueError("the rendered items do not split back into one block each")
    return blocks


def styled(value: Any) -> Any:
    """How bip writes new values: short lists and mappings in flow style, multi-line text as a
    literal block."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, list):
        seq = CommentedSeq([styled(v) for v in value])
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        mapping = CommentedMap((k, styled(v)) for k, v in value.items())
        mapping.fa.set_flow_style()
        return mapping
    return value


def render_block(mapping: dict[str, Any]) -> list[str]:
    """A mapping as block-style YAML lines at column 0 (values styled as bip writes them)."""
    from ruamel.yaml.comments import CommentedMap

    out = io.StringIO()
    make_yaml().dump(CommentedMap((k, styled(v)) for k, v in mapping.items()), out)
    return out.getvalue().splitlines()


RENDERERS: tuple[Renderer, ...] = (render_blocks, library_blocks)  # fast first, then the library


def _literal_if_multiline(representer: Any, data: str) -> Any:
    if "\n" in data:
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return representer.represent_str(data)
