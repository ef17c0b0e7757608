"""`bip read ...`: the reading list."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli.context import (
    ApiUrlOpt,
    JsonOpt,
    MaxWaitOpt,
    OfflineOpt,
    github_client,
    offline_env,
    state_store,
    workspace,
)
from toolkit.cli.output import echo, fields, print_json, table, warn, working
from toolkit.workspace import Workspace

app = typer.Typer(
    help="Your reading list: repos, courses, papers and videos, with status and notes.",
    no_args_is_help=True,
)

NoteOpt = Annotated[
    str | None, typer.Option("--note", "-n", help="Add a line to the entry's notes.")
]
IdArg = Annotated[str, typer.Argument(help="Entry id, as shown by `bip read list`.")]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="todo, reading, done or dropped.")] = None,
    figure: Annotated[str | None, typer.Option(help="Only entries by this figure id.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="repo, course, paper, video, book, post, model or dataset.")
    ] = None,
    tag: Annotated[str | None, typer.Option(help="Only entries with this tag.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List entries, filtered by status, figure, kind or tag.

    Example: bip read list --status reading --figure karpathy
    """
    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    entries = rl.filter_entries(model, status=status, figure=figure, kind=kind, tag=tag)
    if as_json:
        print_json(entries)
        return
    rows = [[e.id, e.kind, e.status, e.title, ", ".join(e.figures)] for e in entries]
    table(["id", "kind", "status", "title", "figures"], rows)
    counts = {s: sum(e.status == s for e in entries) for s in rl.STATUSES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    echo(f"{len(entries)} of {len(model.entries)} entries" + (f" ({summary})" if summary else ""))


@app.command()
def show(ctx: typer.Context, entry_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one entry in full.

    Example: bip read show flash-attention
    """
    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    entry = model.entry(entry_id)
    if as_json:
        print_json(entry)
        return
    names = [f"{model.figure(f).name} ({f})" for f in entry.figures]
    goal = None
    if entry.goal:
        parts = [
            f"{entry.goal.merged_prs} merged PRs" if entry.goal.merged_prs else "",
            f"{entry.goal.commits} commits" if entry.goal.commits else "",
            f"by {entry.goal.by}" if entry.goal.by else "",
        ]
        goal = " ".join(p for p in parts if p)
    fields(
        [
            ("id", entry.id),
            ("title", entry.title),
            ("kind", entry.kind),
            ("status", entry.status),
            ("link", entry.link),
            ("repo", entry.repo),
            ("arxiv", entry.arxiv),
            ("doi", entry.doi),
            ("authors", entry.authors),
            ("year", entry.year),
            ("venue", entry.venue),
            ("pages", entry.pages),
            ("publisher", entry.publisher),
            ("category", entry.primary_class),
            ("figures", names),
            ("tags", entry.tags),
            ("added", entry.added),
            ("started", entry.started),
            ("finished", entry.finished),
            ("cite_key", entry.cite_key),
            ("commit", entry.commit),
            ("release", entry.release),
            ("goal", goal),
            ("notes", entry.notes),
            ("defined at", f"{ws.paths.reading_list}:{entry.line}"),
        ]
    )
    if entry.repo and ws.paths.state_db.exists():
        _show_repo_meta(ws, entry.repo)


def _show_repo_meta(ws: Workspace, repo: str) -> None:
    from toolkit.readinglist.sync import load_repo_meta

    found = load_repo_meta(state_store(ws), repo)
    if not found:
        return
    synced, meta = found
    release = None
    if meta.latest_release:
        release = f"{meta.latest_release} ({(meta.release_date or '')[:10]})"
    echo()
    fields(
        [
            ("GitHub", f"as of {synced:%Y-%m-%d %H:%M} (bip read sync)"),
            ("about", meta.description),
            ("stars", meta.stars),
            ("branch", meta.default_branch),
            ("release", release),
            ("pushed", (meta.pushed_at or "")[:10]),
            ("license", meta.license),
            ("citation", "CITATION.cff" if meta.has_citation else "no CITATION.cff"),
        ]
    )


@app.command()
def add(
    ctx: typer.Context,
    reference: Annotated[
        str, typer.Argument(help="GitHub repo URL, arXiv URL or id, DOI, or any URL.")
    ],
    entry_id: Annotated[
        str | None, typer.Option("--id", help="Id to use instead of a derived one.")
    ] = None,
    figure: Annotated[list[str] | None, typer.Option(help="Figure id (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag (repeatable).")] = None,
    kind: Annotated[str | None, typer.Option(help="Override the detected kind.")] = None,
    title: Annotated[
        str | None, typer.Option(help="Title (default: derived from the reference).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a repo, paper, course or video as a new `todo` entry.

    Example: bip read add https://github.com/Dao-AILab/flash-attention --figure tri-dao
    """
    from toolkit.readinglist.adding import AddRequest, add_entry

    ws = workspace(ctx)
    request = AddRequest(reference, entry_id, figure or [], tag or [], kind, title)
    quick = None if offline_env() else (lambda: github_client(ws, None, False, quick=True))
    done = add_entry(ws, request, quick)
    for warning in done.warnings:
        warn(warning)
    if as_json:
        print_json(done.added)
        return
    echo(f"added {done.added.id} ({done.added.kind}): {done.added.title}")


def _print_change(change: rl.Change, as_json: bool) -> None:
    if as_json:
        print_json(change)
    else:
        echo(f"{change.id}: {'; '.join(change.changes)}")


def _set_status(
    ctx: typer.Context, entry_id: str, status: str, note: str | None, as_json: bool
) -> None:
    ws = workspace(ctx)
    plan = rl.plan_status(entry_id, status, ws.now().date(), note)
    change = rl.edit_reading_list(
        ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
    )
    _print_change(change, as_json)


@app.command()
def start(
    ctx: typer.Context, entry_id: IdArg, note: NoteOpt = None, as_json: JsonOpt = False
) -> None:
    """Mark an entry as being read (sets `started` to today if unset).

    Example: bip read start nanogpt --note "reading model.py first"
    """
    _set_status(ctx, entry_id, "reading", note, as_json)


@app.command()
def done(
    ctx: typer.Context, entry_id: IdArg, note: NoteOpt = None, as_json: JsonOpt = False
) -> None:
    """Mark an entry as done (sets `finished` to today).

    Example: bip read done nanogpt --note "reproduced GPT-2 124M, val loss 3.28"
    """
    _set_status(ctx, entry_id, "done", note, as_json)


@app.command()
def drop(
    ctx: typer.Context, entry_id: IdArg, note: NoteOpt = None, as_json: JsonOpt = False
) -> None:
    """Mark an entry as dropped.

    Example: bip read drop caffe --note "historical; skimmed the paper instead"
    """
    _set_status(ctx, entry_id, "dropped", note, as_json)


@app.command()
def note(
    ctx: typer.Context,
    entry_id: IdArg,
    text: Annotated[
        str | None,
        typer.Argument(help="The note (quote it); without it, $VISUAL or $EDITOR opens."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Append a line to an entry's notes, or write a longer note in your editor.

    Example: bip read note nanogpt "bf16 on MI300X: 1.3x faster than fp32"
    """
    ws = workspace(ctx)
    if text is None:
        from toolkit.cli.editor import edit, ensure_editor

        editor = ensure_editor(
            "the note", f'give the note on the command line: bip read note {entry_id} "..."'
        )
        entry = rl.load_reading_list(ws.paths.reading_list).model.entry(entry_id)
        text = edit(
            editor,
            f"\n# Your note on {entry.title} ({entry.id}). Lines starting with '# ' are left"
            "\n# out; an empty note changes nothing.\n",
            f"{entry.id}-note.md",
        )
    change = rl.edit_reading_list(
        ws.paths.reading_list,
        rl.plan_note(entry_id, text),
        lock=rl.lock_path_for(ws.paths.reading_list),
    )
    _print_change(change, as_json)


@app.command()
def rm(ctx: typer.Context, entry_id: IdArg, as_json: JsonOpt = False) -> None:
    """Remove an entry (only its own lines; comments around it stay).

    Example: bip read rm arxiv-2205.14135
    """
    ws = workspace(ctx)
    entry = rl.edit_reading_list(
        ws.paths.reading_list,
        rl.plan_remove(entry_id),
        lock=rl.lock_path_for(ws.paths.reading_list),
    )
    if as_json:
        print_json({"removed": entry})
        return
    echo(f"removed {entry.id}: {entry.title}" + (f" ({entry.link})" if entry.link else ""))


@app.command()
def sync(
    ctx: typer.Context,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
    as_json: JsonOpt = False,
    overwrite: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD", help="Replace this paper field even if set, e.g. venue (repeatable)."
        ),
    ] = None,
) -> None:
    """Complete papers' missing fields; fetch repos' description, stars, release and CITATION.cff.

    Papers get title, authors, year, venue, ... from arXiv, Crossref and Semantic Scholar, and
    never lose a field you wrote (unless --overwrite names it). Repo metadata is kept in .bip/
    (never in your YAML) and shown by `bip read show`.
    Example: bip read sync --overwrite venue
    """

    from toolkit.readinglist.sync import sync as sync_all

    ws = workspace(ctx)
    client = github_client(ws, api_url, offline, max_wait)
    with working("syncing papers and repos") as step:
        report = sync_all(ws, client, offline, overwrite or [], max_wait, step)
    for notice in report.notices + report.papers.warnings + report.papers.held:
        warn(notice)
    if as_json:
        print_json(report)
        return
    papers = report.papers
    if not papers.completed and not papers.requests:
        echo(f"papers: nothing missing in {papers.papers} papers; 0 requests")
    else:
        for item in papers.completed:
            echo(f"{item.id}: filled {', '.join(item.fields)} ({item.source})")
        echo(
            f"completed {len(papers.completed)} papers; {papers.requests} requests to arXiv, "
            "Crossref and Semantic Scholar"
        )
    for meta in report.repos:
        if meta.error:
            echo(f"{meta.repo}: {meta.error}")
        for skipped in meta.skipped:
            warn(f"{meta.repo}: {skipped}")
    ok = sum(m.error is None for m in report.repos)
    echo(
        f"synced {ok} of {len(report.repos)} repos; {report.requests} requests "
        f"({report.not_modified} answered 304)"
    )


@app.command()
def validate(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check the reading list and report every problem with file:line:column (exit 2 if any).

    With --json, the problems are printed as data on stdout (and the exit code is still 2).
    Example: bip read validate
    """
    from toolkit.errors import InvalidFile

    ws = workspace(ctx)
    try:
        model = rl.load_reading_list(ws.paths.reading_list).model
    except InvalidFile as exc:
        if not as_json:
            raise
        print_json({"file": ws.paths.reading_list, "valid": False, "problems": exc.problems})
        raise typer.Exit(int(exc.exit_code)) from None
    if as_json:
        print_json(
            {
                "file": ws.paths.reading_list,
                "valid": True,
                "problems": [],
                "figures": len(model.figures),
                "entries": len(model.entries),
            }
        )
        return
    counts = f"{len(model.figures)} figures, {len(model.entries)} entries"
    echo(f"{ws.paths.reading_list}: valid ({counts})")
    _warn_garbage_keys(ws, model)
    from toolkit.readinglist.links import shared_identities

    for first, again, key in shared_identities(model.entries):
        warn(
            f"{ws.paths.reading_list}:{again.line}: {again.id!r} is the same thing as "
            f"{first.id!r} (line {first.line}, {key}); keep one: `bip read rm {again.id}`"
        )


def _warn_garbage_keys(ws: Workspace, model: rl.ReadingList) -> None:
    """Keys pinned from placeholder metadata, with the fix (a warning only: published posts may
    use them)."""
    from toolkit.references.keys import garbage_keys

    for bad in garbage_keys(model):
        where = f"{ws.paths.reading_list}:{bad.entry.line}"
        if bad.suggestion:
            fix = f"`bip cite --rekey {bad.entry.id}` repins it as {bad.suggestion!r}"
        elif bad.entry.authors and bad.entry.year:
            fix = "bip cannot make a key from its authors' names: pin one by hand"
        else:
            fix = f"run `bip read sync`, then `bip cite --rekey {bad.entry.id}`"
        warn(
            f"{where}: cite_key {bad.key!r} of {bad.entry.id!r} was made from an identifier, "
            f"not from authors, year and title; {fix} (posts that used the old key keep it)"
        )


# Registered on `app` by toolkit.cli.read_papers, imported only when one of them is asked for
# (or for `bip read --help`): the lazy command registry in toolkit/cli/__init__.py reads this.
LATER = {"import": "read_papers", "graph": "read_papers", "suggest": "read_papers"}


@app.command()
def pin(
    ctx: typer.Context,
    entry_id: IdArg,
    commit: Annotated[
        str, typer.Option("--commit", help="The commit hash (7 to 40 hex digits).", metavar="SHA")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Record the commit your build is based on, in the entry's `commit` (drafts and `bip cite`
    link that exact tree).

    Example: bip read pin nanogpt --commit 9755682b
    """
    ws = workspace(ctx)
    plan = rl.plan_set(entry_id, "commit", commit.strip().lower())
    change = rl.edit_reading_list(
        ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
    )
    _print_change(change, as_json)
