"""`bip streak`: your streak and a calendar of journal days."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import (
    JsonOpt,
    workspace,
)
from toolkit.cli.output import echo, print_json, warn


def streak(
    ctx: typer.Context,
    svg_file: Annotated[
        Path | None, typer.Option("--svg", help="Also write the calendar as SVG.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show your current and longest streak and a 52-week calendar of journal days.

    Each day is shaded by effort: 1 point per 30 minutes logged (--minutes), per commit, and per
    other line of the day (read, landed, note); 2 per run recorded; 3 per post drafted or
    published. · no check-in, ░ 1-2 points, ▒ 3-5, ▓ 6-9, █ 10 or more: a day with only a
    note is light, a day of commits, a run and a post is dark.

    Example: bip streak --svg streak.svg
    """

    from toolkit.fileio import atomic_write_text
    from toolkit.journal.index import journal_index
    from toolkit.journal.streak import heatmap, streaks, svg

    ws = workspace(ctx)
    report = journal_index(ws)
    for notice in report.notices:
        warn(notice)
    for problem in report.problems:  # one bad day is reported and skipped
        warn(f"skipped: {problem}")
    activity = {date.fromisoformat(s.day): max(s.activity, 1) for s in report.summaries}
    today = ws.now().date()
    result = streaks(set(activity), today)
    if svg_file is not None:
        title = (
            f"{result.days} journal day{'' if result.days == 1 else 's'}; "
            f"current streak {result.current}, longest {result.longest}"
        )
        atomic_write_text(svg_file, svg(activity, today, title))
    if as_json:
        print_json(
            {"streak": result, "days": {d.isoformat(): n for d, n in sorted(activity.items())}}
        )
        return
    open_today = "" if result.today_done else " (check in today to keep it)"
    echo(f"current streak: {result.current} day{'s' if result.current != 1 else ''}{open_today}")
    echo(
        f"longest streak: {result.longest} day{'s' if result.longest != 1 else ''}"
        + (f", ending {result.longest_end}" if result.longest_end else "")
    )
    echo(f"journal days:   {result.days}")
    echo()
    echo(heatmap(activity, today))
    if svg_file is not None:
        echo(f"\nwrote {svg_file}")
