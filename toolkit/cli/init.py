"""`bip init`: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.output import echo
from toolkit.workspace import init_workspace


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")] = Path(
        "."
    ),
    empty: Annotated[
        bool,
        typer.Option("--empty", help="Start with an empty reading list: no examples, no goals."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print data as JSON for scripts.")
    ] = False,
) -> None:
    """Create a workspace with an example reading list; never overwrites a file.

    Example: bip init ~/bip && cd ~/bip && bip read list
    """
    report = init_workspace(directory, empty)
    if as_json:
        from toolkit.cli.output import print_json

        print_json(report)
        return
    for name in report.created:
        echo(f"created  {report.root / name}")
    for name in report.kept:
        echo(f"kept     {report.root / name} (exists; left as it is)")
    echo(f"workspace ready: {report.root}")
