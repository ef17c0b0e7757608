"""Many new items rendered at once (an import's thousands of entries), in bip's style."""

from __future__ import annotations

import io
from typing import Any

_INDENT = 2


def render_blocks(mappings: list[dict[str, Any]]) -> list[list[str]]:
    """Block-style lines of each mapping, as `render_block` writes them (short lists and
    mappings in flow style, multi-line text as a literal block), in ONE dump by libyaml's C
    emitter: thousands of new entries (an import) in a fraction of a second, where ruamel's
    round-trip emitter takes seconds. Each mapping is the value of a key of one top-level
    mapping and comes back dedented (the width is 4096: nothing re-wraps). The caller parses
    the result and compares it with the intended data, as for every splice."""
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


def _literal_if_multiline(representer: Any, data: str) -> Any:
    if "\n" in data:
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return representer.represent_str(data)
