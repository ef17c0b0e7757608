"""The `bip` command: parse arguments, call the core, print. One error boundary for all commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.errors import BipError, ExitCode, InvalidFile


def report(exc: BipError) -> None:
    typer.echo(f"bip: error: {exc.message}", err=True)
    if isinstance(exc, InvalidFile) and len(exc.problems) > 1:
        for problem in exc.problems:
            typer.echo(f"  {problem.render()}", err=True)
    if exc.hint:
        typer.echo(f"  hint: {exc.hint}", err=True)


class BipGroup(TyperGroup):
    """Maps every BipError to `bip: error: ...` on stderr and its documented exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except BipError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            report(exc)
            raise typer.Exit(int(exc.exit_code)) from None


app = typer.Typer(
    cls=BipGroup,
    name="bip",
    help="Build in public: a reading list that cites, drafts that credit, contributor-graph "
    "progress and a daily check-in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bip {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (default: BIP_WORKSPACE, then "
            "the nearest folder upwards with reading_list.yaml or bip.toml).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of short errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """bip: build in public."""
    ctx.obj = {"workspace": workspace, "debug": debug}


from toolkit.cli import checkin, cite, contrib, draft, figures, init, log, read, streak  # noqa: E402

app.add_typer(read.app, name="read")
app.add_typer(figures.app, name="figures")
app.add_typer(contrib.app, name="contrib")
app.add_typer(draft.app, name="draft")
app.command("cite")(cite.cite)
app.command("checkin")(checkin.checkin)
app.command("log")(log.log)
app.command("streak")(streak.streak)
app.command("init")(init.init)


def main() -> None:
    """Console entry point: anything that is not a BipError escaping a command is a bug."""
    try:
        app()
    except BipError as exc:  # raised outside a command (e.g. while parsing), or under --debug
        if "--debug" in sys.argv:
            raise
        report(exc)
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        typer.echo(f"bip: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo(
            "  this is a bug in bip; run again with --debug and report the traceback", err=True
        )
        sys.exit(int(ExitCode.ERROR))
