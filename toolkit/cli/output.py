"""How results reach people (rich tables that respect NO_COLOR and pipes) and scripts (--json)."""

from __future__ import annotations

import dataclasses
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import typer

# Characters that drive a terminal rather than show: C0 controls but tab and newline, DEL, C1
# controls (U+009B is a one-character CSI), and the bidirectional overrides that make text
# read differently from what it is ("Trojan source").
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """Text from files or servers made safe for a terminal: every control character and escape
    sequence is shown as its escape (`\x1b`), never obeyed."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    import json

    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        data = dataclasses.asdict(data)
    elif isinstance(data, list):
        data = [dataclasses.asdict(d) if dataclasses.is_dataclass(d) else d for d in data]  # type: ignore[arg-type]
    text = json.dumps(data, default=_default, ensure_ascii=False, indent=2)
    # json escapes C0 controls itself; C1 controls and bidi overrides are escaped here (\uXXXX
    # is the same string to any JSON reader).
    typer.echo(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    # rich honours NO_COLOR, and drops colour and control codes when output is not a terminal.
    return Console(stderr=stderr, highlight=False, soft_wrap=not sys.stdout.isatty())


RICH_MAX_ROWS = 1000


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def plain_table(columns: list[str], rows: list[list[str]]) -> str:
    """Aligned columns without styling: for pipes, files and very long listings."""
    return _aligned(columns, _sanitized(rows))


def _sanitized(rows: list[list[Any]]) -> list[list[str]]:
    """Every cell as text made safe for a terminal (`sanitize`): one scan over all the cells,
    and a cell rewritten only when some cell needs it (most tables need nothing)."""
    texts = [[cell if cell.__class__ is str else str(cell) for cell in row] for row in rows]
    # newline is not unsafe: cells joined by it hold an unsafe character only where a cell does
    if _UNSAFE.search("\n".join(["\n".join(row) for row in texts])) is None:
        return texts
    return [[sanitize(cell) for cell in row] for row in texts]


def _aligned(columns: list[str], rows: list[list[str]]) -> str:
    widths = [max([_width(c), *(_width(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(w) if cell.isascii() else cell + " " * (w - _width(cell))
            for cell, w in zip(cells, widths, strict=True)
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), *(line(r) for r in rows)])


def table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A rich table on a terminal; plain aligned columns in a pipe or past RICH_MAX_ROWS rows
    (rich lays out every cell, which takes seconds for thousands of rows)."""
    rows = _sanitized(rows)  # data: never obeyed
    if not sys.stdout.isatty() or len(rows) > RICH_MAX_ROWS:
        if title:
            typer.echo(sanitize(title))
        typer.echo(_aligned(columns, rows))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = console()
    shown = Text(sanitize(title)) if title else None
    grid = Table(*columns, box=box.SIMPLE_HEAD, title=shown, title_justify="left", pad_edge=False)
    for row in rows:  # Text, not markup: a title like "[link=...]x" must show as written
        grid.add_row(*(Text(sanitize(c)) for c in row))
    out.print(grid)


def fields(pairs: list[tuple[str, Any]]) -> None:
    """Aligned `label  value` lines; empty values are left out."""
    shown = [(k, v) for k, v in pairs if v not in (None, "", [], {})]
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = sanitize(str(value))
        if "\n" in text:
            pad = "\n" + " " * (width + 2)
            text = pad.join(text.splitlines())
        typer.echo(f"{key.ljust(width)}  {text}")


def echo(text: str = "", nl: bool = True, err: bool = False) -> None:
    typer.echo(sanitize(text), nl=nl, err=err)


def warn(text: str) -> None:
    typer.echo(f"bip: warning: {sanitize(text)}", err=True)


@contextmanager
def working(message: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """Say on stderr what network work is under way ("asking GitHub about 4 repos… 2/4") while
    it runs, when stderr is a terminal; nothing otherwise. Yields `step()`, one call per item."""
    if not sys.stderr.isatty():
        yield lambda *_: None
        return
    console_ = console(stderr=True)
    done = 0
    label = f"{message}…" + (f" 0/{total}" if total else "")
    with console_.status(label) as status:

        def step(*_: Any) -> None:
            nonlocal done
            done += 1
            shown = f"{message}… {done}/{total}" if total else f"{message}…"
            status.update(shown)

        yield step
