"""`bip checkin`, `bip log`, `bip streak`: the daily habit and its journal."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli._context import (
    ApiUrlOpt,
    JsonOpt,
    OfflineOpt,
    github_client,
    offline_env,
    state_store,
    workspace,
)
from toolkit.cli.output import echo, print_json, table, warn


def checkin(
    ctx: typer.Context,
    note: Annotated[
        list[str] | None, typer.Option("--note", help="What you learned (repeatable).")
    ] = None,
    next_: Annotated[
        list[str] | None, typer.Option("--next", help="What's next (repeatable).")
    ] = None,
    read: Annotated[
        list[str] | None,
        typer.Option("--read", help="Entry id you worked on; a todo entry is started."),
    ] = None,
    minutes: Annotated[int | None, typer.Option(help="Minutes spent today.", min=0)] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag for today (repeatable).")
    ] = None,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the entry; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as data.")] = False,
) -> None:
    """Record what you built, read and landed since the last check-in in today's journal.

    Asks "What did you learn?" and "What's next?" on a terminal (Enter skips); never asks
    without one. A second check-in the same day adds to the day's file.
    Example: bip checkin --note "KV-cache paging finally clicked" --minutes 90 --tag vllm
    """
    from toolkit.checkin import LAST_KEY, gather, to_day
    from toolkit.journal import render_day, write_day
    from toolkit.streak import refresh_index, streaks

    ws = workspace(ctx)
    now = ws.now()
    model = rl.load_reading_list(ws.paths.reading_list).model
    for entry_id in read or []:
        model.entry(entry_id)  # unknown ids fail before anything is written
    store = state_store(ws)
    client = None if (offline or offline_env()) else github_client(ws, api_url, False, max_wait=10)
    if not dry_run:
        to_start = [i for i in read or [] if model.entry(i).status == "todo"]
        for entry_id in to_start:
            rl.edit_reading_list(
                ws.paths.reading_list,
                rl.plan_status(entry_id, "reading", now.date()),
                lock=rl.lock_path_for(ws.paths.reading_list),
            )
        if to_start:  # the entries' new status and dates belong in today's Read section
            model = rl.load_reading_list(ws.paths.reading_list).model
    entry = gather(ws, model, store, now, client, worked_on=read or [])
    entry.notes, entry.next = list(note or []), list(next_ or [])
    entry.minutes, entry.tags = minutes, list(tag or [])
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not (as_json or dry_run)
    if interactive and not note:
        learned = typer.prompt(
            "What did you learn? (Enter to skip)", default="", show_default=False
        )
        entry.notes += [learned] if learned.strip() else []
    if interactive and not next_:
        upcoming = typer.prompt("What's next? (Enter to skip)", default="", show_default=False)
        entry.next += [upcoming] if upcoming.strip() else []
    for warning in entry.warnings:
        warn(warning)
    for skipped in entry.skipped:
        warn(f"skipped {skipped.path}: {skipped.error}")
    day = to_day(entry)
    if as_json:
        print_json(entry)
        if dry_run:
            return
    elif dry_run:
        echo(render_day(day))
        return
    path, merged = write_day(ws.paths.journal, day, ws.paths.state / "journal.lock")
    store.put(LAST_KEY, now.isoformat())
    report = refresh_index(store, ws.paths.journal)
    if as_json:
        return
    echo(render_day(merged))
    days = {date.fromisoformat(s.day) for s in report.summaries}
    result = streaks(days, now.date())
    echo(f"wrote {path}  (streak: {result.current} day{'s' if result.current != 1 else ''})")


def log(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="7d, 2w or YYYY-MM-DD.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only days with this tag.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or markdown.")] = "table",
    as_json: JsonOpt = False,
    reindex: Annotated[
        bool, typer.Option("--reindex", help="Rebuild the index from the files.")
    ] = False,
) -> None:
    """List journal days, newest first.

    Example: bip log --since 7d --format markdown
    """
    from toolkit.errors import BadInput
    from toolkit.streak import parse_since, refresh_index, select

    if fmt not in ("table", "markdown"):
        raise BadInput(f"unknown format {fmt!r}", hint="table or markdown (or --json)")
    ws = workspace(ctx)
    report = refresh_index(state_store(ws), ws.paths.journal, rebuild=reindex)
    for problem in report.problems:
        warn(f"skipped: {problem}")
    start = parse_since(since, ws.now().date()) if since else None
    days = sorted(select(report.summaries, start, tag), key=lambda s: s.day, reverse=True)
    if as_json:
        print_json(days)
    elif fmt == "markdown":
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
        echo(f"reindexed {len(report.summaries)} days")


def streak(
    ctx: typer.Context,
    svg_file: Annotated[
        Path | None, typer.Option("--svg", help="Also write the calendar as SVG.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show your current and longest streak and a 52-week calendar of journal days.

    Example: bip streak --svg streak.svg
    """
    from datetime import date

    from toolkit.fileio import atomic_write_text
    from toolkit.streak import heatmap, refresh_index, streaks, svg

    ws = workspace(ctx)
    report = refresh_index(state_store(ws), ws.paths.journal)
    activity = {date.fromisoformat(s.day): max(s.activity, 1) for s in report.summaries}
    today = ws.now().date()
    result = streaks(set(activity), today)
    if svg_file is not None:
        title = (
            f"{result.days} journal days; current streak {result.current}, longest {result.longest}"
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


def register(app: typer.Typer) -> None:
    app.command("checkin")(checkin)
    app.command("log")(log)
    app.command("streak")(streak)
