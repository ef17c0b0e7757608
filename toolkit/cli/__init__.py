"""The `bip` command: parse arguments, call the core, print. One error boundary for all commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from toolkit import __version__
from toolkit.errors import BipError, ExitCode, InvalidFile


def report(exc: BipError) -> None:
    from toolkit.cli.output import sanitize  # messages quote the user's files: never raw

    typer.echo(f"bip: error: {sanitize(exc.message)}", err=True)
    if isinstance(exc, InvalidFile) and len(exc.problems) > 1:
        for problem in exc.problems:
            typer.echo(f"  {sanitize(problem.render())}", err=True)
    if exc.hint:
        typer.echo(f"  hint: {sanitize(exc.hint)}", err=True)


app = typer.Typer(
    name="bip",
    help="Build in public: a reading list that cites, drafts that credit, contributor-graph "
    "progress and a daily check-in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion, Typer's own
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


def run(argv: Sequence[str] | None = None) -> int:
    """Run bip with `argv` (default: the process's arguments) and return its exit code.

    The one error boundary, shared by `main()` and the tests: a BipError prints
    `bip: error: ...` and maps to its documented code, Ctrl-C is 130 with one line, usage errors
    are click's (2), and anything else is a bug, said as such (`--debug` shows the traceback).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if not debug:
        _quiet_libraries()
    try:
        from toolkit.cli._help import readable

        command = readable(typer.main.get_command(app))
        result = command.main(args=args, prog_name="bip", standalone_mode=False)
        code = result if isinstance(result, int) else int(ExitCode.OK)
    except typer.Exit as exc:
        code = exc.exit_code
    except SystemExit as exc:  # Typer's --show-completion / --install-completion end this way
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except typer.TyperException as exc:  # usage errors: click's message and code (2)
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.echo(f"bip: error: {exc.format_message()}", err=True)
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = int(ExitCode.INTERRUPTED)
    except BipError as exc:
        if debug:
            raise
        report(exc)
        return int(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the boundary: anything else is a bug, said so
        if debug:
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            # A file or folder the system refused: the user's to fix, not a bug in bip.
            typer.echo(f"bip: error: {exc.filename}: {exc.strerror or exc}", err=True)
            return int(ExitCode.ERROR)
        typer.echo(f"bip: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo(
            "  this is a bug in bip; run again with --debug and report the traceback", err=True
        )
        return int(ExitCode.ERROR)
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130): say it, once
        typer.echo("\nbip: interrupted", err=True)
    return code


def _quiet_libraries() -> None:
    """Libraries log to stderr when nobody listens (requests-cache's "using cached response"
    with a traceback): bip says what happened itself, so their records go nowhere."""
    import logging

    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


def main() -> None:
    """Console entry point."""
    sys.exit(run())
