"""`bip figures ...`: the people you learn from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli.context import (
    ApiUrlOpt,
    JsonOpt,
    MaxWaitOpt,
    OfflineOpt,
    github_client,
    state_store,
    workspace,
)
from toolkit.cli.output import echo, fields, print_json, table, warn, working

if TYPE_CHECKING:
    from toolkit.figures.edits import FigureChange

app = typer.Typer(
    help="The figures you follow: who they are, where they publish, what you read of theirs.",
    no_args_is_help=True,
)


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option(help="Only figures with this tag.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List figures with their GitHub login and how much of their work you have read.

    Example: bip figures list --tag inference
    """
    model = rl.load_reading_list(workspace(ctx).paths.reading_list).model
    figures = [f for f in model.figures if tag is None or tag in f.tags]
    if as_json:
        print_json(figures)
        return
    rows = []
    for fig in figures:
        entries = model.entries_of(fig.id)
        done = sum(e.status == "done" for e in entries)
        name = f"{fig.name} {fig.native_name}" if fig.native_name else fig.name
        rows.append([fig.id, name, fig.github or "", f"{done}/{len(entries)}"])
    table(["id", "name", "github", "done"], rows)
    echo(f"{len(figures)} figures")


@app.command()
def show(
    ctx: typer.Context,
    figure_id: Annotated[str, typer.Argument(help="Figure id, as shown by `bip figures list`.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a figure, their channels and their entries in your reading list.

    Example: bip figures show tri-dao
    """
    model = rl.load_reading_list(workspace(ctx).paths.reading_list).model
    fig = model.figure(figure_id)
    entries = model.entries_of(fig.id)
    if as_json:
        print_json({"figure": fig, "entries": entries})
        return
    fields(
        [
            ("id", fig.id),
            ("name", fig.name),
            ("native name", fig.native_name),
            ("github", f"https://github.com/{fig.github}" if fig.github else None),
            ("homepage", fig.homepage),
            ("affiliations", fig.affiliations),
            ("tags", fig.tags),
            *[(channel, url) for channel, url in fig.channels.items()],
            ("notes", fig.notes),
        ]
    )
    if entries:
        echo()
        table(
            ["id", "kind", "status", "title"], [[e.id, e.kind, e.status, e.title] for e in entries]
        )


@app.command()
def news(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            help="7d, 24h, yesterday or YYYY-MM-DD (default: the last check, else 30 days ago).",
            metavar="WHEN",
        ),
    ] = None,
    as_json: JsonOpt = False,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Show new public repos and releases of the figures you follow since the last check.

    Example: bip figures news --since 2026-11-01
    """
    from toolkit.figures.news import LAST_CHECK_KEY, default_since, fetch_news, followed
    from toolkit.since import parse_since

    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    store = state_store(ws)
    now = ws.now()
    if since:
        start = parse_since(since, now)
    else:
        start = default_since(store, now)
    client = github_client(ws, api_url, offline, max_wait)
    for notice in client.notices:
        warn(notice)
    people = followed(model)
    with working(f"asking GitHub what {len(people)} people you follow published"):
        items = fetch_news(client, people, start)
    if client.oldest_answer is None:
        store.put(LAST_CHECK_KEY, now.isoformat())
    if as_json:
        print_json(items)
        return
    if not items:
        echo(f"nothing new since {start:%Y-%m-%d}")
        return
    rows = [[i.date[:10], i.name, i.kind, i.repo, i.title] for i in items]
    table(["date", "figure", "what", "repo", "title"], rows, title=f"since {start:%Y-%m-%d}")


NameOpt = Annotated[str | None, typer.Option("--name", help="Their name, as you write it.")]
GithubOpt = Annotated[str | None, typer.Option("--github", help="Their GitHub login.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")]
HomepageOpt = Annotated[str | None, typer.Option("--homepage", help="Their homepage URL.")]
FigureArg = Annotated[str, typer.Argument(help="Figure id: short, lowercase, e.g. mu-li.")]


def _edit(ctx: typer.Context, plan: rl.Plan[FigureChange], as_json: bool) -> None:
    path = workspace(ctx).paths.reading_list
    change = rl.edit_reading_list(path, plan, lock=rl.lock_path_for(path))
    if as_json:
        print_json(change)
    else:
        echo(f"{change.id}: {'; '.join(change.changes) or 'added'}")


@app.command()
def add(
    ctx: typer.Context,
    figure_id: FigureArg,
    name: NameOpt = None,
    github: GithubOpt = None,
    tag: TagOpt = None,
    homepage: HomepageOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Follow someone: add a figure to the reading list (comments and layout kept).

    Example: bip figures add mu-li --name "Mu Li" --github mli --tag systems
    """
    from toolkit.figures.edits import FigureFields, plan_add_figure

    fields = FigureFields(name, github, homepage, list(tag) if tag else None)
    _edit(ctx, plan_add_figure(figure_id, fields), as_json)


@app.command()
def edit(
    ctx: typer.Context,
    figure_id: FigureArg,
    name: NameOpt = None,
    github: GithubOpt = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help='A tag (repeatable); replaces the tags, --tag "" clears them.'),
    ] = None,
    homepage: HomepageOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a figure's name, GitHub login, tags or homepage ("" removes a field).

    Example: bip figures edit mu-li --github mli --tag systems --tag inference
    """
    from toolkit.figures.edits import FigureFields, plan_edit_figure

    tags = [t for t in tag if t] if tag is not None else None
    fields = FigureFields(name, github, homepage, tags)
    _edit(ctx, plan_edit_figure(figure_id, fields), as_json)


@app.command()
def rm(ctx: typer.Context, figure_id: FigureArg, as_json: JsonOpt = False) -> None:
    """Stop following someone: remove the figure (refused while entries name them).

    Example: bip figures rm mu-li
    """
    from toolkit.figures.edits import plan_remove_figure

    _edit(ctx, plan_remove_figure(figure_id), as_json)
