"""A small YAML emitter for the closed set of shapes bip writes into a list item: text,
integers, booleans, dates, and flat lists and mappings of those (flow style).

Why not the library: ruamel.yaml's representer costs about 0.4 ms an entry in Python even in
front of libyaml's C emitter (2 s of a 5,000-entry import, three times bibtexparser's whole
parse), for values whose YAML is a plain word most of the time. Here a value is written plain
only when that is unambiguous in YAML 1.2 (how bip reads) and YAML 1.1 (how Jekyll and PyYAML
read): no indicator, no `: ` or ` #`, not null/bool/number/date-like in either; else quoted
(single quotes, as ruamel writes them; double quotes with escapes for what single quotes
cannot hold); multi-line text is a literal block only when its lines survive one exactly.
Anything else raises Unsupported and the caller uses ruamel. Whatever is written is parsed
back by libyaml and compared with the data before it reaches the file (yamledit.splice).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any


class Unsupported(Exception):
    """A value outside the shapes this emitter writes (ruamel writes it instead)."""


# Plain in block context: starts with a letter, a digit or a safe symbol; no character that
# starts a comment, a quote, a tag, an alias, a flow collection or a block scalar anywhere
# a parser could read it as one; printable, no tabs, no line breaks.
_PLAIN_BLOCK = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t\n\r\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*"
)
_PLAIN_FLOW = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t\n\r\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff,\[\]{}]*"
)
# Text a resolver of YAML 1.1 or 1.2 might read as a number, a date or a sexagesimal: only
# these characters, starting with a digit, a sign or a dot.
_NUMBERISH = re.compile(r"[-+.0-9][0-9a-fA-FxXoObB_.:+\- eEtTzZ]*")
_WORDS = {  # null and bools, YAML 1.1 (yes/no/on/off/y/n) and 1.2, in any case
    "null",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "~",
}
_NEEDS_DOUBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPES = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_DOUBLE_ESCAPED = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
# A literal block keeps a multi-line text exactly when no line has trailing spaces, none
# starts the block with a space (that needs an indentation indicator), nothing in it is a
# line break of YAML 1.1 or a character that must be escaped, and it ends with at most one
# newline (`|+` would take the blank line between two items as its own).
_LITERAL_BAD = re.compile(r" \n| $|[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def render_mapping(mapping: dict[str, Any]) -> list[str]:
    """Block-style lines of `mapping` at column 0 (a list item's keys), as bip writes them:
    lists and mappings of scalars in flow style, multi-line text as a literal block."""
    lines: list[str] = []
    for key, value in mapping.items():
        head = f"{_key(key)}:"
        if isinstance(value, str) and "\n" in value and _literal_ok(value):
            chomp = "" if value.endswith("\n") else "-"
            lines.append(f"{head} |{chomp}")
            lines.extend(f"  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        elif isinstance(value, list):
            lines.append(f"{head} [{', '.join(_scalar(v, flow=True) for v in value)}]")
        elif isinstance(value, dict):
            pairs = ", ".join(f"{_key(k)}: {_scalar(v, flow=True)}" for k, v in value.items())
            lines.append(f"{head} {{{pairs}}}")
        elif value.__class__ is str:  # most values: _scalar's first case, without its call
            lines.append(f"{head} {_text(value, False)}")
        else:
            lines.append(f"{head} {_scalar(value, flow=False)}")
    return lines


@functools.lru_cache(maxsize=1024)
def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise Unsupported(f"a key of type {type(key).__name__}")
    if _KEY.fullmatch(key) and key.lower() not in _WORDS:
        return key
    return _scalar(key, flow=True)


def _scalar(value: Any, flow: bool) -> str:
    kind = value.__class__
    if kind is str:
        return _text(value, flow)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is date:
        return str(value.isoformat())
    if value is None:
        return "null"
    raise Unsupported(
        f"a value of type {kind.__name__}" + (" (a datetime)" if kind is datetime else "")
    )


@functools.lru_cache(maxsize=1 << 14)  # statuses, kinds, names, venues repeat
def _text(value: str, flow: bool) -> str:
    if _SURROGATE.search(value):
        raise Unsupported("text with a lone surrogate")
    if _plain_ok(value, flow):
        return value
    if not _NEEDS_DOUBLE.search(value):
        return "'" + value.replace("'", "''") + "'"
    return '"' + str(_DOUBLE_ESCAPED.sub(_escape, value)) + '"'


def _plain_ok(value: str, flow: bool) -> bool:
    if _NEEDS_DOUBLE.search(value) or not (_PLAIN_FLOW if flow else _PLAIN_BLOCK).fullmatch(value):
        return False
    if value[-1] in " :" or ": " in value or " #" in value:
        return False
    if flow and ":" in value:
        return False
    if value.lower() in _WORDS or (_NUMBERISH.fullmatch(value) and not _text_in_both(value)):
        return False
    return not value.startswith((".", "<<", "="))  # .inf/.nan, a merge key, YAML 1.1's value


def _text_in_both(value: str) -> bool:
    """Whether ruamel's resolvers of YAML 1.1 and 1.2 both read this number-like word as text:
    `9755682b` (a commit) stays plain, `1234567`, `1e5`, `12:30` (1.1: sexagesimal) are quoted."""
    from toolkit.yamledit.events import resolve, resolvers
    from toolkit.yamledit.parse import STR_TAG

    return all(resolve(resolvers(version), value) == STR_TAG for version in ((1, 1), (1, 2)))


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    known = _ESCAPES.get(ch)
    if known is not None:
        return known
    code = ord(ch)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


def _literal_ok(value: str) -> bool:
    return (
        not value.startswith((" ", "\n"))
        and not value.endswith("\n\n")
        and value.strip("\n") != ""
        and not _LITERAL_BAD.search(value)
    )
