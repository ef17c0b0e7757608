"""`bip contrib ...`: your progress into the contributor graphs of the repos you target."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli.context import (
    ApiUrlOpt,
    GraphFormat,
    JsonOpt,
    MaxWaitOpt,
    OfflineOpt,
    github_client,
    state_store,
    workspace,
)
from toolkit.cli.output import echo, print_json, warn, working

app = typer.Typer(
    help="Your PRs, commits and rank in the repos you want to contribute to.", no_args_is_help=True
)

RepoOpt = Annotated[
    list[str] | None, typer.Option("--repo", help="Extra target repo owner/name (repeatable).")
]
UserOpt = Annotated[
    str | None, typer.Option("--user", help="GitHub login (default: bip.toml, then the token's).")
]


def bar(fraction: float, width: int = 20) -> str:
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


@app.command()
def status(
    ctx: typer.Context,
    user: UserOpt = None,
    repo: RepoOpt = None,
    as_json: JsonOpt = False,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Show your PRs, issues, commits and rank in each target repo, and what changed.

    Targets are reading-list repo entries with a `goal:`, plus any --repo.
    Example: bip contrib status --user octocat --repo vllm-project/vllm
    """
    from toolkit.contrib import take_status
    from toolkit.git import author_emails

    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    from toolkit.contrib import targets_from

    client = github_client(ws, api_url, offline, max_wait)
    store = state_store(ws)
    count = len(targets_from(model, repo or []))
    with working(f"asking GitHub about {count} repo{'s' if count != 1 else ''}", count) as step:
        result = take_status(
            client,
            store,
            model,
            ws.now(),
            user,
            ws.settings.github_login,
            repo or [],
            ws.settings.clones,
            author_emails(ws.settings.git_emails, ws.root)
            if ws.settings.clones
            else ws.settings.git_emails,
            progress=step,
        )
    unreachable = [n for n in result.notices if n.startswith("GitHub unreachable")]
    for notice in result.notices:
        if notice not in unreachable:
            warn(notice)
    if result.as_of:  # one line: what went wrong, and what bip did instead
        why = unreachable[0].split(":")[0] if unreachable else "offline"
        source = "the last snapshot" if result.from_snapshot else "the cache"
        warn(f"{why}: numbers from {source}, as of {result.as_of:%Y-%m-%d %H:%M %Z}")
    if as_json:
        print_json(result.to_dict())
        return
    when = (
        f"as of {result.as_of:%Y-%m-%d %H:%M}"
        if result.as_of
        else f"{result.taken_at:%Y-%m-%d %H:%M}"
    )
    echo(f"{result.login}, {when}")
    for item in result.repos:
        echo()
        echo(f"{item.repo}" + (f"  ({item.entry_id})" if item.entry_id else ""))
        if item.error:
            echo(f"  error      {item.error}")
            continue
        echo(
            f"  PRs        {item.merged_prs} merged, {item.open_prs} open, "
            f"{item.closed_prs} closed unmerged; {item.issues} issues; {item.commits} commits"
        )
        if item.first_contribution:
            echo(f"  active     {item.first_contribution} .. {item.latest_contribution}")
        if item.rank:
            of = f" of {item.contributors}" if item.contributors else ""
            echo(f"  rank       #{item.rank}{of} ({item.rank_note})")
        else:
            echo(f"  rank       {item.rank_note}")
        if item.goal and item.progress is not None:
            want = ", ".join(
                f"{v} {k.replace('_', ' ')}" for k, v in item.goal.items() if k != "by"
            )
            by = f" by {item.goal['by']}" if item.goal.get("by") else ""
            echo(f"  goal       {bar(item.progress)} {item.progress:.0%} of {want}{by}")
        for change in result.changes.get(item.repo, []):
            echo(f"  changed    {change}")
    r = result.requests
    echo()
    echo(
        "Sources: PRs and issues from GitHub search; commits on the default branch by GitHub account, "
        "as GitHub counts them (merges included); rank by commits from /contributors, which links only "
        "the first 500 author emails. Cached answers are revalidated, so numbers are current unless "
        "marked 'as of'."
    )
    echo(
        f"{r['sent']} requests to GitHub ({r['not_modified']} answered 304 at no rate-limit cost), "
        f"{r['from_cache']} answered from the cache"
    )


@app.command()
def history(
    ctx: typer.Context,
    repo: Annotated[str | None, typer.Option("--repo", help="Only this repo (owner/name).")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show each target repo's numbers over time, from the snapshots `status` stores.

    Example: bip contrib history --repo vllm-project/vllm
    """
    from toolkit.contrib import sparkline
    from toolkit.state import Snapshot

    ws = workspace(ctx)
    store = state_store(ws)
    login = user or ws.settings.github_login or next(iter(store.logins()), None)
    if login is None:
        echo("no snapshots yet: run `bip contrib status` first")
        return
    snaps = store.history(login, repo)
    if as_json:
        print_json([{"taken_at": s.taken_at, "repo": s.repo, **s.data} for s in snaps])
        return
    if not snaps:
        echo(
            f"no snapshots for {login}"
            + (f" in {repo}" if repo else "")
            + ": run `bip contrib status`"
        )
        return
    by_repo: dict[str, list[Snapshot]] = {}
    for snap in snaps:
        by_repo.setdefault(snap.repo, []).append(snap)
    for name, rows in by_repo.items():
        merged = [int(s.data.get("merged_prs") or 0) for s in rows]
        commits = [int(s.data.get("commits") or 0) for s in rows]
        echo(
            f"{name}  merged PRs {sparkline(merged)} {merged[-1]}   "
            f"commits {sparkline(commits)} {commits[-1]}"
        )
        for s in rows:
            rank = f"#{s.data['rank']}" if s.data.get("rank") else "-"
            echo(
                f"  {s.taken_at:%Y-%m-%d %H:%M}  merged {s.data.get('merged_prs', 0):>3}  "
                f"open {s.data.get('open_prs', 0):>3}  issues {s.data.get('issues', 0):>3}  "
                f"commits {s.data.get('commits', 0):>4}  rank {rank}"
            )


@app.command()
def graph(
    ctx: typer.Context,
    fmt: Annotated[GraphFormat, typer.Option("--format", help="mermaid, dot or json.")] = (
        GraphFormat.mermaid
    ),
    user: UserOpt = None,
    repo: RepoOpt = None,
    offline: OfflineOpt = False,
    api_url: ApiUrlOpt = None,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Draw who reviewed, approved, merged and commented on your PRs; figures are starred.

    Mermaid output renders in a GitHub Markdown file inside a ```mermaid block.
    Example: bip contrib graph --format mermaid > docs/graph.md
    """
    from toolkit.contrib import resolve_login, targets_from
    from toolkit.contrib.graph import fetch_graph, render_dot, render_json, render_mermaid
    from toolkit.errors import BadInput

    renderers = {"mermaid": render_mermaid, "dot": render_dot, "json": render_json}
    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    targets = targets_from(model, repo or [])
    if not targets:
        raise BadInput(
            "no target repos", hint="add `goal:` to a repo entry, or pass --repo owner/name"
        )
    client = github_client(ws, api_url, offline, max_wait)
    for notice in client.notices:
        warn(notice)
    with working(f"asking GitHub who reviewed your PRs in {len(targets)} repos"):
        login = resolve_login(client, user, ws.settings.github_login)
        result = fetch_graph(client, login, targets, model)
    echo(renderers[fmt.value](result), nl=False)
    if fmt is not GraphFormat.json:
        for line in result.hops:
            echo(f"hops: {line}", err=True)


@app.command()
def goal(
    ctx: typer.Context,
    repo: Annotated[str, typer.Argument(help="The repo, owner/name.", metavar="REPO")],
    merged_prs: Annotated[
        int | None, typer.Option("--merged-prs", help="Merged PRs to reach.", min=1)
    ] = None,
    commits: Annotated[
        int | None, typer.Option("--commits", help="Commits to reach.", min=1)
    ] = None,
    by: Annotated[
        datetime | None,
        typer.Option("--by", help="The date to reach it by.", formats=["%Y-%m-%d"], metavar="DATE"),
    ] = None,
    remove: Annotated[bool, typer.Option("--rm", help="Remove the repo's goal.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set the contribution goal of a repo (added to the reading list if it is not there).

    Example: bip contrib goal vllm-project/vllm --merged-prs 3 --by 2027-06-30
    """
    from toolkit.contrib.goal import plan_goal

    ws = workspace(ctx)
    plan = plan_goal(repo, ws.now().date(), merged_prs, commits, by.date() if by else None, remove)
    change = rl.edit_reading_list(
        ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
    )
    if as_json:
        print_json(change)
        return
    if change.goal is None:
        echo(f"{change.repo} ({change.entry_id}): goal removed")
        return
    words = {"merged_prs": "merged PRs", "commits": "commits"}
    parts = [f"{v} {words[k]}" for k, v in change.goal.items() if k in words]
    when = f" by {change.goal['by']}" if change.goal.get("by") else ""
    added = " (added to the reading list)" if change.added_entry else ""
    echo(f"{change.repo} ({change.entry_id}): goal {', '.join(parts)}{when}{added}")
