"""How results reach people (rich tables that respect NO_COLOR and pipes) and scripts (--json)."""

from __future__ import annotations

import dataclasses
import json
import sys
import unicodedata
from datetime import date, datetime
from typing import Any

import typer


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
    typer.echo(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


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
    widths = [max([_width(c), *(_width(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        padded = (cell + " " * (w - _width(cell)) for cell, w in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), *(line(r) for r in rows)])


def table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A rich table on a terminal; plain aligned columns in a pipe or past RICH_MAX_ROWS rows
    (rich lays out every cell, which takes seconds for thousands of rows)."""
    if not sys.stdout.isatty() or len(rows) > RICH_MAX_ROWS:
        if title:
            typer.echo(title)
        typer.echo(plain_table(columns, rows))
        return
    from rich import box
    from rich.table import Table

    out = console()
    grid = Table(*columns, box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
    for row in rows:
        grid.add_row(*row)
    out.print(grid)


def fields(pairs: list[tuple[str, Any]]) -> None:
    """Aligned `label  value` lines; empty values are left out."""
    shown = [(k, v) for k, v in pairs if v not in (None, "", [], {})]
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = str(value)
        if "\n" in text:
            pad = "\n" + " " * (width + 2)
            text = pad.join(text.splitlines())
        typer.echo(f"{key.ljust(width)}  {text}")


def echo(text: str = "") -> None:
    typer.echo(text)


def warn(text: str) -> None:
    typer.echo(f"bip: warning: {text}", err=True)
