"""`bip post`: a published post, a run or a thread file, to Bluesky or Mastodon."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import JsonOpt, MaxWaitOpt, offline_env, workspace
from toolkit.cli.output import echo, print_json, warn


class Network(str, Enum):
    bluesky = "bluesky"
    mastodon = "mastodon"


class Visibility(str, Enum):
    public = "public"
    unlisted = "unlisted"
    private = "private"


def post(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="A published post (Markdown) to post as a thread.")
    ] = None,
    to: Annotated[
        Network | None, typer.Option("--to", help="Where to post: bluesky or mastodon.")
    ] = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Post a recorded run with its loss curve.")
    ] = None,
    thread: Annotated[
        Path | None,
        typer.Option("--thread", help="Post a thread file (posts separated by lines of ---)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print exactly what would be sent; send nothing.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish a thread that stopped part way.")
    ] = False,
    visibility: Annotated[
        Visibility, typer.Option("--visibility", help="Mastodon's visibility of the posts.")
    ] = Visibility.public,
    max_wait: MaxWaitOpt = 60.0,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Contact no server (also BIP_OFFLINE=1): dry runs only."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Post a thread, or a run with its loss curve, to Bluesky or Mastodon.

    Credentials come from BIP_BLUESKY_HANDLE, BIP_BLUESKY_APP_PASSWORD (BIP_BLUESKY_PDS) or
    BIP_MASTODON_URL, BIP_MASTODON_TOKEN, else the system keyring; they are never stored.
    Example: bip post posts/2026-11-23-rocm.md --to bluesky --dry-run
    """
    from toolkit.social import PostRequest, post_thread

    if to is None:
        raise typer.BadParameter("say where: --to bluesky or --to mastodon", param_hint="--to")
    result = post_thread(
        workspace(ctx),
        PostRequest(
            network=to.value,
            path=path,
            run=run,
            thread=thread,
            dry_run=dry_run,
            resume=resume,
            visibility=visibility.value,
            max_wait=max_wait,
            offline=offline or offline_env(),
        ),
    )
    for warning in result.warnings:
        warn(warning)
    if as_json:
        print_json(result)
        return
    total = len(result.posts)
    if result.dry_run:
        echo(
            f"dry run: {total} post{'s' if total != 1 else ''} to {result.network} "
            f"({result.server}), nothing sent"
        )
    for sent in result.posts:
        head = f"--- {sent.n}/{total}" + (" (reply)" if sent.n > 1 else "")
        if sent.url:
            head += f" {'already posted' if sent.before else 'posted'}: {sent.url}"
        echo(head)
        echo(sent.text)
        if sent.n == 1 and result.image_alt:
            echo(f"[image: loss curve PNG, {result.image_bytes:,} bytes; alt: {result.image_alt}]")
    if not result.dry_run:
        echo(f"posted to {result.network} as {result.account}: {result.url}")
        if result.front_matter:
            echo(f"recorded in {result.front_matter}")
