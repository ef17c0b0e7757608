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
        str | None,
        typer.Option(
            "--name",
            help="A name for the run (default: the script's); its id is the date and this name "
            "as typed, in any script (训练 gpt2 -> 2026-11-23-训练-gpt2).",
        ),
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


@app.command("reproduce")
def reproduce_(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(metavar="ID", help="Run id, part of it, or its folder.")],
    as_json: JsonOpt = False,
) -> None:
    """Print the shell lines that rebuild a run's exact code and run its command.

    The clone is the remote that holds the commit (your fork); an unpushed commit is rebuilt
    from upstream at the merge-base plus the run's saved patch (runs/ID/changes.patch, applied
    from where it is, so the lines run in any empty folder of this machine).
    Example: bip runs reproduce 2026-11-23-gpt2-124m > reproduce.sh
    """
    from toolkit.runs.reproduce import reproduce
    from toolkit.runs.store import PATCH_FILE, resolve_run

    _, root = _runs_root(ctx)
    run = resolve_run(root, run_id)
    block = reproduce(run, patch_at=(run.path / PATCH_FILE).resolve())
    for warning in block.warnings:
        warn(warning)
    if as_json:
        print_json(
            {
                "lines": block.lines,
                "note": block.note,
                "warnings": block.warnings,
                "patch": str(block.patch) if block.patch else None,
            }
        )
        return
    if block.note:
        echo(f"# {block.note}")
    echo(block.text)


@app.command("compare")
def compare_(
    ctx: typer.Context,
    run_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Two runs or more (ids, parts, folders).")
    ],
    figure: Annotated[
        Path | None,
        typer.Option("--figure", help="Where to draw the overlaid loss curves (.png or .svg)."),
    ] = None,
    no_figure: Annotated[bool, typer.Option("--no-figure", help="Only the table.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compare runs: one table of their numbers and one figure of their loss curves.

    The curves share a tokens axis (steps when a run does not say its tokens per step); MFU is
    each run's against the GPU it ran on. The figure goes to runs/compare-A-vs-B.png unless
    --figure says where.
    Example: bip runs compare gpt2-mi300x gpt2-h100 --figure compare.png
    """
    from toolkit.runs.compare import Compared, compare_runs
    from toolkit.runs.mfu import mfu_short
    from toolkit.text import number, rate

    ws, root = _runs_root(ctx)
    target = None
    if not no_figure:
        target = figure or root / ("compare-" + "-vs-".join(run_ids)[:120] + ".png")
    result = compare_runs(root, list(run_ids), target)
    for note in result.notes:
        warn(note)
    if as_json:
        import dataclasses

        print_json(
            {
                "runs": [dataclasses.asdict(r) for r in result.runs],
                "figure": str(result.figure) if result.figure else None,
                "x_axis": result.x_axis,
                "notes": result.notes,
            }
        )
        return

    def show(value: float | None, digits: int = 3) -> str:
        return number(value, digits) if value is not None else ""

    def loss(r: Compared, key: str, value: float | None) -> str:  # ended NaN: it says so
        gone = r.diverged.get(key)
        return f"NaN/inf from {int(gone):,}" if gone is not None else show(value)

    rows = [
        [
            r.id,
            loss(r, "train_loss", r.final_train_loss),
            loss(r, "val_loss", r.final_val_loss),
            show(r.best_val_loss),
            rate(r.tokens_per_sec) if r.tokens_per_sec is not None else "",
            mfu_short(r.mfu).removeprefix("MFU ") if r.mfu else "",
            r.hardware or "",
            r.commit or "",
        ]
        for r in result.runs
    ]
    table(["run", "train loss", "val loss", "best val", "tok/s", "MFU", "hardware", "commit"], rows)
    if result.figure is not None:
        echo(f"loss curves ({result.x_axis} axis): {result.figure}")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="What the tracker wrote (see above).")],
    name: Annotated[str | None, typer.Option("--name", help="A name for the run.")] = None,
    run: Annotated[
        str | None,
        typer.Option("--run", help="Which run of an mlflow.db or trackio project holding several."),
    ] = None,
    started: Annotated[
        str | None,
        typer.Option(
            "--started",
            help="When the run started (ISO 8601, e.g. 2026-11-20T09:00), where the files "
            "do not say or a copy changed their modification time.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a run bip did not wrap, from the files its tracker wrote.

    PATH: TensorBoard event files (or their folder), a Hugging Face trainer_state.json (or its
    checkpoint folder), MLflow's store (mlflow.db, its default) or a run folder
    (mlruns/EXPERIMENT/RUN), a trackio project
    (.db), a W&B offline run (wandb/offline-run-*) or CSV export, or a plain CSV with a step
    column. TensorBoard and W&B need their readers: pip install 'build-in-public[import]'.
    The run is dated when its tracker says it started (a CSV's timestamp column), else by the
    file's modification time, never by the import (--started sets it).
    Example: bip runs import runs/gpt2/events.out.tfevents.1732000000.host --name gpt2-tb
    """
    from toolkit.runs.importers import import_run
    from toolkit.runs.store import headline

    ws, root = _runs_root(ctx)
    imported, source = import_run(root, path, ws.now(), name, run, started)
    if as_json:
        print_json({**imported.data, "id": imported.id, "path": str(imported.path)})
        return
    echo(
        f"imported {source.kind} as {imported.id}: {len(source.rows):,} steps; {headline(imported)}"
    )
    echo(f"started {imported.record.started} (from {imported.record.started_from})")
