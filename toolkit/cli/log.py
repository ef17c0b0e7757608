"""`bip log`: the journal's days, newest first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import (
    JsonOpt,
    LogFormat,
    workspace,
)
from toolkit.cli.output import echo, print_json, table, warn
from toolkit.since import SINCE_HELP


def log(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help=SINCE_HELP, metavar="WHEN")] = None,
    tag: Annotated[str | None, typer.Option(help="Only days with this tag.")] = None,
    fmt: Annotated[
        LogFormat, typer.Option("--format", help="table, or markdown (the days' own text).")
    ] = LogFormat.table,
    as_json: JsonOpt = False,
    reindex: Annotated[
        bool, typer.Option("--reindex", help="Rebuild the index from the files.")
    ] = False,
) -> None:
    """List journal days, newest first.

    Example: bip log --since 7d --format markdown
    """
    from toolkit.journal.index import journal_index, select
    from toolkit.since import parse_since

    ws = workspace(ctx)
    report = journal_index(ws, rebuild=reindex)
    for notice in report.notices:
        warn(notice)
    for problem in report.problems:
        warn(f"skipped: {problem}")
    start = parse_since(since, ws.now()).date() if since else None
    days = sorted(select(report.summaries, start, tag), key=lambda s: s.day, reverse=True)
    if as_json:
        print_json(days)
    elif fmt is LogFormat.markdown:
        for summary in days:
            echo(Path(summary.path).read_text(encoding="utf-8"))
    elif not days:
        echo("no journal days" + (" match" if since or tag else " yet: run `bip checkin`"))
    else:
        rows = [
            [
                s.day,
                str(s.counts.get("built", 0)),
                str(s.counts.get("read", 0)),
                str(s.counts.get("landed", 0)),
                str(s.counts.get("notes", 0)),
                str(s.minutes or ""),
                ", ".join(s.tags),
            ]
            for s in days
        ]
        table(["day", "built", "read", "landed", "notes", "minutes", "tags"], rows)
    if reindex and not as_json:
        count = len(report.summaries)
        echo(f"reindexed {count} day{'s' if count != 1 else ''}")
