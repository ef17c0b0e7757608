"""`bip reach ...`: where a figure reviews, the shortest path to them, and what to do next."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli.context import (
    ApiUrlOpt,
    JsonOpt,
    MaxWaitOpt,
    OfflineOpt,
    github_client,
    workspace,
)
from toolkit.cli.output import echo, print_json, warn, working

if TYPE_CHECKING:
    from toolkit.reach import ReachStore
    from toolkit.workspace import Workspace

app = typer.Typer(
    help="The community map: where a figure reviews, who connects you, what to work on.",
    no_args_is_help=True,
)

FigureArg = Annotated[
    str,
    typer.Argument(
        metavar="FIGURE", help="A figure id from the reading list (tri-dao) or a GitHub login."
    ),
]
RepoOpt = Annotated[
    list[str] | None, typer.Option("--repo", help="Only this repo owner/name (repeatable).")
]
UserOpt = Annotated[
    str | None,
    typer.Option("--user", help="Your GitHub login (default: bip.toml, then the token's)."),
]


class Engine(str, Enum):
    github = "github"
    chdb = "chdb"
    clickhouse = "clickhouse"


def _store(ws: Workspace) -> ReachStore:
    from toolkit.reach import ReachStore

    ws.ensure_state_dir()
    return ReachStore(ws.paths.state / "reach.sqlite")


def _figures(ws: Workspace) -> dict[str, str | None]:
    from toolkit import readinglist as rl

    if not ws.paths.reading_list.exists():
        return {}
    return {f.id: f.github for f in rl.load_reading_list(ws.paths.reading_list).model.figures}


def _holes(holes: list[str]) -> None:
    if holes:
        echo()
        echo("What the data cannot see:")
        for hole in holes:
            echo(f"  - {hole}")


@app.command("map")
def map_(
    ctx: typer.Context,
    figure: FigureArg,
    since: Annotated[
        str | None, typer.Option("--since", help="Only PRs opened on or after DATE (YYYY-MM-DD).")
    ] = None,
    repo: RepoOpt = None,
    as_json: JsonOpt = False,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Show where FIGURE reviews and merges: repos, folders, labels, newcomers, speed.

    Example: bip reach map tri-dao --since 2026-01-01
    """
    from toolkit.reach import reach_map
    from toolkit.since import parse_since

    ws = workspace(ctx)
    client = github_client(ws, api_url, offline, max_wait)
    day = parse_since(since, ws.now()).date().isoformat() if since else None
    with working(f"asking GitHub where {figure} reviews"):
        result = reach_map(client, _store(ws), _figures(ws), figure, ws.now(), day, repo or [])
    if as_json:
        print_json(result.to_dict())
        return
    where = "GitHub" if result.source == "github" else "the synced state"
    n = len(result.repos)
    echo(
        f"{result.login} ({result.figure}) reviews and merges in {n} repo{'s' * (n != 1)}, "
        f"as of {result.as_of or 'never synced'} (from {where})"
    )
    for item in result.repos:
        echo()
        echo(item.repo)
        echo(f"  reviewed     {item.reviewed_prs} PRs, merged {item.merged_prs}")
        if item.paths:
            echo("  folders      " + ", ".join(f"{p.path} ({p.prs})" for p in item.paths))
        if item.labels:
            echo("  labels       " + ", ".join(item.labels))
        if item.newcomer_share is not None:
            echo(f"  newcomers    {item.newcomer_share:.0%} of these PRs were their author's first")
        if item.median_hours_to_first_review is not None:
            echo(
                f"  first review median {item.median_hours_to_first_review:g} h after a PR "
                "opened (or was marked ready)"
            )
    _holes(result.holes)


@app.command()
def path(
    ctx: typer.Context,
    figure: FigureArg,
    hops: Annotated[int, typer.Option("--hops", help="Longest path, in edges (1-4).")] = 3,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="github: synced edges only; chdb: plus ingested GH Archive data (default when "
            "there is some); clickhouse: plus a ClickHouse server (BIP_CLICKHOUSE_URL).",
        ),
    ] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
) -> None:
    """Show the shortest paths from you to FIGURE over reviews, merges and co-authorship.

    Example: bip reach path tri-dao --hops 3
    """
    from toolkit.reach import archive_edges, reach_path

    ws = workspace(ctx)
    client = github_client(ws, api_url, offline)
    store = _store(ws)
    archive = archive_edges(ws.paths.state, engine.value if engine else None)
    result = reach_path(
        client,
        store,
        _figures(ws),
        figure,
        user,
        ws.settings.github_login,
        hops,
        archive,
    )
    if as_json:
        print_json(result.to_dict())
        return
    if result.paths:
        length = len(result.paths[0])
        echo(
            f"{len(result.paths)} shortest path{'s' * (len(result.paths) != 1)} from "
            f"{result.you} to {result.figure} ({length} hop{'s' * (length != 1)}):"
        )
        for i, steps in enumerate(result.paths, start=1):
            echo()
            echo(f"{i}. " + " -> ".join([steps[0].source, *(s.target for s in steps)]))
            for s in steps:
                mark = "" if s.evidence == "exact" else "  (approximate)"
                echo(f"   {s.sentence()} {s.repo}#{s.pr} ({s.at[:10]}){mark}")
    else:
        echo(f"No path from {result.you} to {result.figure} within {result.hops} hops.")
        if result.nearest:
            echo(f"Nearest people you reach, and how far they are from {result.figure}:")
            for near in result.nearest:
                echo(
                    f"  {near.login}: {near.hops_from_you} hop{'s' * (near.hops_from_you != 1)} "
                    f"from you, {near.hops_to_figure} from {result.figure}"
                )
        else:
            echo(f"Nobody you reach is connected to {result.figure} in the data bip has.")
    _holes(result.holes)


@app.command("next")
def next_(
    ctx: typer.Context,
    figure: Annotated[
        str | None,
        typer.Argument(
            metavar="FIGURE",
            help="A figure id or login (default: your target repos' key reviewers).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many issues to show.")] = 10,
    as_json: JsonOpt = False,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
) -> None:
    """Suggest open issues that would put your work in front of FIGURE.

    Example: bip reach next tri-dao --limit 5
    """
    from toolkit import readinglist as rl
    from toolkit.contrib import targets_from
    from toolkit.reach import reach_next

    ws = workspace(ctx)
    targets = (
        [t.repo for t in targets_from(rl.load_reading_list(ws.paths.reading_list).model)]
        if ws.paths.reading_list.exists()
        else []
    )
    client = github_client(ws, api_url, offline)
    result = reach_next(client, _store(ws), _figures(ws), figure, targets, limit)
    if as_json:
        print_json(result.to_dict())
        return
    who = result.figure or ", ".join(result.reviewers) or "your target repos' reviewers"
    if not result.issues:
        echo(f"No open, unassigned issues found where {who} review.")
    for i, issue in enumerate(result.issues, start=1):
        echo(f"{i}. {issue.repo}#{issue.number}  {issue.title}")
        echo(f"   {issue.url}")
        echo(f"   why: {issue.why}")
    _holes(result.holes)


@app.command()
def sync(
    ctx: typer.Context,
    repo: Annotated[
        list[str] | None, typer.Option("--repo", help="Extra target repo owner/name (repeatable).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="On a first sync, go back to DATE (default: a year)."),
    ] = None,
    example: Annotated[
        bool,
        typer.Option("--example", help="Load the bundled example community instead (offline)."),
    ] = False,
    as_json: JsonOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Sync the review/merge graph of your target repos, from where the last sync stopped.

    Example: bip reach sync --repo Dao-AILab/flash-attention
    """
    from toolkit import readinglist as rl
    from toolkit.contrib import targets_from
    from toolkit.reach import load_example_into, reach_sync
    from toolkit.since import parse_since

    ws = workspace(ctx)
    store = _store(ws)
    if example:
        result = load_example_into(store)
    else:
        model = rl.load_reading_list(ws.paths.reading_list).model
        repos = [t.repo for t in targets_from(model, repo or [])]
        client = github_client(ws, api_url, False, max_wait)
        day = parse_since(since, ws.now()).date().isoformat() if since else None
        with working(f"syncing {len(repos)} repo{'s' * (len(repos) != 1)}") as step:
            result = reach_sync(client, store, repos, ws.now(), day, progress=step)
    if as_json:
        print_json(result)
        return
    for item in result.repos:
        if item.error:
            warn(f"{item.repo}: {item.error}")
            continue
        state = "" if item.complete else " (stopped early: run again to resume)"
        echo(
            f"{item.repo}: {item.pulls} pull request{'s' * (item.pulls != 1)}, "
            f"{item.issues} open issue{'s' * (item.issues != 1)}{state}"
        )
    echo(f"as of {result.as_of}; {result.requests} requests to GitHub")


@app.command()
def ingest(
    ctx: typer.Context,
    source: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE",
            help="GH Archive hour files (.json.gz), or a date range 2025-06-01..2025-06-30.",
        ),
    ],
    repo: Annotated[
        list[str] | None,
        typer.Option("--repo", help="Keep only this repo owner/name (repeatable; default: all)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Reduce GH Archive hour files to pull-request review and merge events, kept locally.

    Example: bip reach ingest 2025-06-01..2025-06-02 --repo Dao-AILab/flash-attention
    """
    from toolkit.reach import ingest as run_ingest

    ws = workspace(ctx)
    ws.ensure_state_dir()
    with working("reading GH Archive") as step:
        result = run_ingest(ws.paths.state, [_local(s) for s in source], repo or [], progress=step)
    if as_json:
        print_json(result)
        return
    echo(
        f"{result.events} review/merge events from {result.hours} hour file"
        f"{'s' * (result.hours != 1)} kept in {result.path}"
    )
    for note in result.holes:
        warn(note)


def _local(text: str) -> str:
    path = Path(text).expanduser()
    return str(path.resolve()) if path.exists() else text
