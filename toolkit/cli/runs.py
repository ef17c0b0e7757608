"""`bip run -- COMMAND` records a run; `bip runs list|show` reads them back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.cli.context import JsonOpt, workspace
from toolkit.cli.output import echo, fields, print_json, table, warn

app = typer.Typer(help="Recorded runs: bip runs list, bip runs show ID.", no_args_is_help=True)

# `bip run python train.py --lr 3e-4` works without `--` too: options stop at the command.
RUN_CONTEXT = {"allow_interspersed_args": False}
CONTEXTS = {"run": RUN_CONTEXT}  # read by the lazy command registry in toolkit/cli/__init__.py


def _sink(stream: Any) -> Any:
    import os

    from toolkit.runs.record import Sink, write_all

    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests, notebooks)
        fd = None
    stream.flush()
    if fd is not None:
        return Sink(lambda data: write_all(fd, data), fd if os.isatty(fd) else None)
    buffer = getattr(stream, "buffer", None)

    def write(data: bytes) -> None:
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            stream.write(data.decode("utf-8", "replace"))
            stream.flush()

    return Sink(write)


def record(
    ctx: typer.Context,
    command: Annotated[
        list[str],
        typer.Argument(help="The command and its arguments (after --).", metavar="COMMAND"),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="A name for the run (default: the script's).")
    ] = None,
    based_on: Annotated[
        str | None,
        typer.Option("--based-on", help="Reading-list entry the code builds on (e.g. nanogpt)."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
    params: Annotated[
        str | None,
        typer.Option(
            "--params", help="The model's parameter count (124M, 1.5e9): bip computes MFU."
        ),
    ] = None,
    flops_per_token: Annotated[
        str | None,
        typer.Option("--flops-per-token", help="FLOPs per token (default: 6 x --params)."),
    ] = None,
) -> None:
    """Run a training or benchmark command as if typed, and record it under runs/.

    Saves everything it printed (log.txt), the commit, GPUs and versions (run.json) and the
    numbers in its log, parsed while it runs (metrics.csv); exits with the command's exit code.
    Example: bip run --name gpt2-124m --based-on nanogpt -- python train.py config/train_gpt2.py
    """
    from toolkit.runs.parse import compile_patterns, count_option
    from toolkit.runs.record import RunRequest, record_run
    from toolkit.runs.store import headline
    from toolkit.text import duration

    ws = workspace(ctx)
    where = ws.settings.sources.get("runs_patterns", "bip.toml")
    request = RunRequest(
        argv=list(command),
        cwd=Path.cwd(),
        runs_root=(ws.root / ws.settings.runs_dir),
        now=ws.now,
        name=name,
        tags=list(tag or []),
        based_on=based_on,
        patterns=compile_patterns(ws.settings.runs_patterns, where),
        params=int(count_option("--params", params)) if params else None,
        flops_per_token=count_option("--flops-per-token", flops_per_token)
        if flops_per_token
        else None,
        reading_list=ws.paths.reading_list,
    )
    result = record_run(request, _sink(sys.stdout), _sink(sys.stderr))
    run, outcome = result.run, result.outcome
    for warning in result.warnings:
        warn(warning)
    try:
        shown = run.path.relative_to(Path.cwd())
    except ValueError:
        shown = run.path
    how = "interrupted" if outcome.interrupted else f"exit {outcome.exit_code}"
    typer.echo(
        f"bip: recorded {shown} ({how}, {duration(outcome.wall_seconds)}; {headline(run)})",
        err=True,
    )
    if outcome.interrupted:
        raise typer.Exit(130 if outcome.exit_code != 143 else 143)
    raise typer.Exit(outcome.exit_code)


def _runs_root(ctx: typer.Context) -> tuple[Any, Path]:
    ws = workspace(ctx)
    return ws, ws.root / ws.settings.runs_dir


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List recorded runs, oldest first, with their headline numbers.

    Example: bip runs list --json
    """
    from toolkit.runs.store import list_runs
    from toolkit.runs.view import LIST_COLUMNS, list_row

    _, root = _runs_root(ctx)
    runs, broken = list_runs(root)
    for problem in broken:
        warn(f"skipped {problem}")
    if as_json:
        print_json([{**r.data, "id": r.id, "path": str(r.path)} for r in runs])
        return
    if not runs:
        echo(f"no runs in {root} yet: record one with `bip run -- python train.py`")
        return
    table(LIST_COLUMNS, [list_row(r) for r in runs])


@app.command()
def show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(metavar="ID", help="Run id, part of it, or its folder.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one run: command, commit, hardware, software and numbers (MFU with its reference).

    Example: bip runs show 2026-11-23-gpt2-124m
    """
    from toolkit.runs.store import resolve_run
    from toolkit.runs.view import show_fields

    _, root = _runs_root(ctx)
    run = resolve_run(root, run_id)
    if as_json:
        print_json({**run.data, "id": run.id, "path": str(run.path)})
        return
    fields(show_fields(run))
