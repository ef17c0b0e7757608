"""How results reach people (rich tables that respect NO_COLOR and pipes) and scripts (--json)."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import unicodedata
from datetime import date, datetime
from typing import Any

import typer

# Terminal escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes; 7- and 8-bit):
# data from GitHub or from a file must not move the cursor, retitle the window or hide text.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# Other control characters (C0 but tab, newline and CRLF; DEL, C1) become a visible U+FFFD; bidi
# overrides and isolates (which can make text read differently from what it is) are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, one_line: bool = False) -> str:
    """`text` safe for a terminal: escape sequences removed, control characters made visible.
    `one_line` also turns line breaks and tabs into spaces (for table cells)."""
    if text.isprintable() and not _BIDI.search(text):
        return text  # the common case, fast
    text = _BIDI.sub("", _ESCAPE.sub("", text))
    if one_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("\ufffd", text)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        data = dataclasses.asdict(data)
    elif isinstance(data, list):
        data = [dataclasses.asdict(d) if dataclasses.is_dataclass(d) else d for d in data]  # type: ignore[arg-type]
    text = json.dumps(data, default=_default, ensure_ascii=False, indent=2)
    # json escapes C0 controls itself; DEL, C1 and bidi controls only occur inside strings,
    # where a \u escape is the same text to a JSON reader and inert on a terminal.
    typer.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    # rich honours NO_COLOR, and drops colour and control codes when output is not a terminal.
    return Console(stderr=stderr, highlight=False, soft_wrap=not sys.stdout.isatty())


RICH_MAX_ROWS = 1000


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def plain_table(columns: list[str], rows: list[list[str]]) -> str:
    """Aligned columns without styling: for pipes, files and very long listings."""
    widths = [max([_width(c), *(_width(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        padded = (cell + " " * (w - _width(cell)) for cell, w in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), *(line(r) for r in rows)])


def table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A rich table on a terminal; plain aligned columns in a pipe or past RICH_MAX_ROWS rows
    (rich lays out every cell, which takes seconds for thousands of rows)."""
    rows = [[clean(str(cell), one_line=True) for cell in row] for row in rows]
    title = clean(title) if title else title
    if not sys.stdout.isatty() or len(rows) > RICH_MAX_ROWS:
        if title:
            typer.echo(title)
        typer.echo(plain_table(columns, rows))
        return
    from rich import box
    from rich.table import Table

    out = console()
    from rich.markup import escape

    grid = Table(
        *columns,
        box=box.SIMPLE_HEAD,
        title=escape(title) if title else None,
        title_justify="left",
        pad_edge=False,
    )
    for row in rows:
        grid.add_row(*(escape(cell) for cell in row))
    out.print(grid)


def fields(pairs: list[tuple[str, Any]]) -> None:
    """Aligned `label  value` lines; empty values are left out."""
    shown = [(k, v) for k, v in pairs if v not in (None, "", [], {})]
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = clean(str(value))
        if "\n" in text:
            pad = "\n" + " " * (width + 2)
            text = pad.join(text.splitlines())
        typer.echo(f"{key.ljust(width)}  {text}")


def echo(text: str = "", nl: bool = True, err: bool = False) -> None:
    typer.echo(clean(text), nl=nl, err=err)


def warn(text: str) -> None:
    typer.echo(f"bip: warning: {clean(text)}", err=True)
