"""`bip checkin`: the daily check-in that writes the journal."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from toolkit.cli.context import (
    ApiUrlOpt,
    OfflineOpt,
    github_client,
    offline_env,
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
    from toolkit.journal.checkin import GITHUB_SECONDS, CheckinRequest, check_in

    ws = workspace(ctx)
    editor = None
    if edit:
        from toolkit.cli.editor import ensure_editor
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
    client = None
    if not (offline or offline_env()):
        try:
            client = github_client(ws, api_url, False, max_wait=0, total=GITHUB_SECONDS)
        except BipError as exc:  # a bad token or URL must not cost the user today's note
            warn(f"GitHub left out: {exc.message}")
    request = CheckinRequest(
        notes,
        upcoming,
        list(read or []),
        minutes,
        list(tag or []),
        dry_run,
        (lambda day: _edit_day(editor, day)) if editor is not None else None,
    )
    if client is None or editor is not None:
        result = check_in(ws, request, client)
    else:
        with working("asking GitHub about your progress and the people you follow"):
            result = check_in(ws, request, client)
    for warning in result.warnings:
        warn(warning)
    if as_json:
        print_json(result.entry)
    elif dry_run:
        echo(result.text)
    else:
        echo(result.text)
        days = result.streak or 0
        echo(f"wrote {result.path}  (streak: {days} day{'s' if days != 1 else ''})")


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
    from toolkit.cli.editor import edit

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
