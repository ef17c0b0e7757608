"""`bip read import|graph|suggest`: papers, registered on the `bip read` app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli._context import JsonOpt, workspace
from toolkit.cli.output import echo, print_json, warn
from toolkit.cli.read import app
from toolkit.workspace import Workspace

FigureOpt = Annotated[list[str] | None, typer.Option("--figure", help="Figure id (repeatable).")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]


def warn_garbage_keys(ws: Workspace, model: rl.ReadingList) -> None:
    """`bip read validate`: keys pinned from placeholder metadata, with the fix (a warning only:
    published posts may use them)."""
    from toolkit.papers.keys import garbage_keys

    for bad in garbage_keys(model):
        where = f"{ws.paths.reading_list}:{bad.entry.line}"
        if bad.suggestion:
            fix = f"`bip cite --rekey {bad.entry.id}` repins it as {bad.suggestion!r}"
        else:
            fix = f"run `bip read sync`, then `bip cite --rekey {bad.entry.id}`"
        warn(
            f"{where}: cite_key {bad.key!r} of {bad.entry.id!r} was made from an identifier, "
            f"not from authors, year and title; {fix} (posts that used the old key keep it)"
        )


def rekey_entry(ws: Workspace, entry_id: str) -> None:
    """`bip cite --rekey ID`."""
    from toolkit.papers.keys import plan_rekey

    done = rl.edit_reading_list(
        ws.paths.reading_list, plan_rekey(entry_id), lock=rl.lock_path_for(ws.paths.reading_list)
    )
    if done.old == done.new:
        echo(f"{done.id}: cite_key is already {done.new}")
    elif done.old:
        echo(f"{done.id}: cite_key {done.old} -> {done.new}")
        warn(f"posts that cite {done.old!r} need {done.new!r} now")
    else:
        echo(f"{done.id}: cite_key {done.new} (pinned)")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A .bib (BibTeX/BibLaTeX), CSL JSON (.json) or CITATION.cff.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be added and merged; write nothing.")
    ] = False,
    figure: FigureOpt = None,
    tag: TagOpt = None,
    status: Annotated[str, typer.Option(help="Status of new entries.")] = "todo",
    abstracts: Annotated[
        bool, typer.Option("--abstracts", help="Keep abstracts in the YAML (left out by default).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import references from Zotero, a .bib file or a CITATION.cff, merging duplicates.

    Example: bip read import library.bib --tag from-zotero --dry-run
    """
    from toolkit.papers.bibimport import read_references
    from toolkit.papers.importplan import plan_import

    ws = workspace(ctx)
    parsed = read_references(file)
    plan = plan_import(parsed, ws.now().date(), figure, tag, status, abstracts)
    if dry_run:
        _, report = plan(rl.load_reading_list(ws.paths.reading_list).model)
    else:
        report = rl.edit_reading_list(
            ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
        )
    for skipped in report.skipped:
        where = f"{file}:{skipped.line}" if skipped.line else str(file)
        warn(f"{where}: skipped: {skipped.reason}")
    if as_json:
        print_json({**report.__dict__, "dry_run": dry_run})
        return
    verb = "would add" if dry_run else "added"
    for new in report.added:
        echo(f"{verb} {new.id} ({new.kind}): {new.title}")
    for merged in report.merged:
        echo(
            f"{'would merge' if dry_run else 'merged'} into {merged.id}: {', '.join(merged.fields)}"
        )
    counts = (
        f"{len(report.added)} new, {len(report.merged)} merged, "
        f"{len(report.unchanged)} already in the list, {len(report.skipped)} skipped"
    )
    echo(f"dry run, nothing written: {counts}" if dry_run else f"{file}: {counts}")
