"""`bip site build|serve`: your public site, built with Hugo from what bip knows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import JsonOpt, workspace
from toolkit.cli.output import echo, print_json, warn

app = typer.Typer(help="Your public site: bip site build, bip site serve.", no_args_is_help=True)


def _say(as_json: bool) -> Callable[[str], None] | None:
    import sys

    if as_json or not sys.stderr.isatty():
        return None
    return lambda message: echo(f"  {message}…", err=True)


@app.command("build")
def build(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder to write the site to (default: public/ in the workspace)."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="BIP_SITE_URL",
            help="Where the site will live, for its feed and sitemap (default: BIP_SITE_URL, "
            "then http://localhost:1313/).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build a static site from your journal, runs, published posts, reading list and goals.

    Real Hugo with bip's own theme; drafts and private notes never appear.
    Example: bip site build --out public --base-url https://you.github.io/
    """
    from toolkit.site import build_workspace_site

    result = build_workspace_site(workspace(ctx), out, base_url, _say(as_json))
    for problem in result.warnings:
        warn(problem)
    if as_json:
        print_json(result)
        return
    echo(
        f"built {result.out}: {_count(result.pages, 'page')} ({_count(result.posts, 'post')}, "
        f"{_count(result.runs, 'run')}) in {result.seconds:.1f} s"
    )
    echo(f"feed and sitemap point at {result.base_url}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on (0: any free one).")
    ] = 1313,
    bind: Annotated[
        str, typer.Option("--bind", help="Loopback address to listen on.")
    ] = "127.0.0.1",
) -> None:
    """Build the site and serve it on this machine until Ctrl-C.

    Example: bip site serve --port 8000
    """
    from toolkit.site.serve import serve_site

    serving = serve_site(workspace(ctx), port, bind, progress=_say(False))
    for problem in serving.build.warnings:
        warn(problem)
    echo(f"serving {serving.build.out} at {serving.url} (Ctrl-C stops)")
    try:
        serving.server.serve_forever()
    finally:
        serving.server.server_close()
