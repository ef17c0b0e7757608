"""`bip checkin`: the daily check-in that writes the journal."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli._context import (
    ApiUrlOpt,
    OfflineOpt,
    github_client,
    offline_env,
    state_store,
    workspace,
)
from toolkit.cli.output import echo, print_json, warn, working
from toolkit.errors import BipError


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
    edit: Annotated[
        bool,
        typer.Option("--edit", "-e", help="Write the notes and what's next in $VISUAL/$EDITOR."),
    ] = False,
) -> None:
    """Record what you built, read and landed since the last check-in in today's journal.

    Asks "What did you learn?" and "What's next?" on a terminal (Enter skips); never asks
    without one. A second check-in the same day adds to the day's file.
    Example: bip checkin --note "KV-cache paging finally clicked" --minutes 90 --tag vllm
    """
    from toolkit.journal.checkin import gather, remember, to_day
    from toolkit.journal.days import render_day, write_day

    ws = workspace(ctx)
    now = ws.now()
    model = rl.load_reading_list(ws.paths.reading_list).model
    for entry_id in read or []:
        model.entry(entry_id)  # unknown ids fail before anything is written
    editor = None
    if edit:
        from toolkit.cli._editor import ensure_editor
        from toolkit.errors import BadInput

        if note or next_:
            raise BadInput(
                "--edit opens an editor for the notes; --note/--next already give them",
                hint="use one or the other",
            )
        editor = ensure_editor("the check-in", 'pass the text with --note "..." --next "..."')
    # The questions come first: they never wait for the network (or for GitHub to time out).
    notes, upcoming = list(note or []), list(next_ or [])
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not (as_json or dry_run or editor)
    if interactive and not note:
        learned = typer.prompt(
            "What did you learn? (Enter to skip)", default="", show_default=False
        )
        notes += [learned] if learned.strip() else []
    if interactive and not next_:
        step = typer.prompt("What's next? (Enter to skip)", default="", show_default=False)
        upcoming += [step] if step.strip() else []
    store = state_store(ws)
    client = None
    if not (offline or offline_env()):
        try:
            client = github_client(ws, api_url, False, max_wait=10)
        except BipError as exc:  # a bad token or URL must not cost the user today's note
            warn(f"GitHub left out: {exc.message}")
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
    try:
        if client is None:
            entry = gather(ws, model, store, now, client, worked_on=read or [])
        else:
            with working("asking GitHub about your progress and the people you follow"):
                entry = gather(ws, model, store, now, client, worked_on=read or [])
    except Exception as exc:
        # Whatever GitHub did, the note is written: gather again without it (a failure that
        # has nothing to do with GitHub fails again, and is reported as usual).
        if client is None or (ctx.find_root().obj or {}).get("debug"):
            raise
        entry = gather(ws, model, store, now, None, worked_on=read or [])
        why = exc.message if isinstance(exc, BipError) else f"{type(exc).__name__}: {exc}"
        entry.warnings.append(f"GitHub left out: {why}")
    entry.notes, entry.next = notes, upcoming
    entry.minutes, entry.tags = minutes, list(tag or [])
    if editor is not None:
        from toolkit.journal.days import render_day as _render

        entry.notes, entry.next = _edit_day(editor, _render(to_day(entry)))
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
    from toolkit.journal.index import refresh_index
    from toolkit.journal.streak import streaks

    path, merged = write_day(ws.paths.journal, day, ws.paths.state / "journal.lock")
    remember(store, entry, model)
    report = refresh_index(store, ws.paths.journal)
    for problem in report.problems:  # another day's broken file never blocks today's
        warn(f"skipped: {problem}")
    if as_json:
        return
    echo(render_day(merged))
    days = {date.fromisoformat(s.day) for s in report.summaries}
    result = streaks(days, now.date())
    echo(f"wrote {path}  (streak: {result.current} day{'s' if result.current != 1 else ''})")


EDIT_TEMPLATE = """\
Notes:


Next:


# Write what you learned under Notes: and what's next under Next:, one item a line.
# Lines starting with '# ' are left out. Leave both empty to add no notes.
#
# The day so far:
{day}
"""


def _edit_day(editor: list[str], day: str) -> tuple[list[str], list[str]]:
    """The notes and next items written in the editor (jrnl's way of writing an entry)."""
    from toolkit.cli._editor import edit

    shown = "\n".join(f"#   {line}" if line else "#" for line in day.splitlines())
    text = edit(editor, EDIT_TEMPLATE.format(day=shown), "checkin.md")
    notes: list[str] = []
    upcoming: list[str] = []
    target = notes
    for line in text.splitlines():
        label = line.strip().lower()
        if label in ("notes:", "next:"):
            target = notes if label == "notes:" else upcoming
            continue
        item = line.strip().removeprefix("- ").strip()
        if item:
            target.append(item)
    return notes, upcoming
