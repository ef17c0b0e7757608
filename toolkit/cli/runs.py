"""`bip run -- COMMAND` records a run; `bip runs list|show` reads them back."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.cli._context import JsonOpt, workspace
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
) -> None:
    """Run a training or benchmark command as if typed, and record it under runs/.

    Saves everything it printed (log.txt), the commit, GPUs and versions (run.json) and the
    numbers in its log (metrics.csv); exits with the command's exit code.
    Example: bip run --name gpt2-124m --based-on nanogpt -- python train.py config/train_gpt2.py
    """
    from toolkit.runs.parse import compile_patterns
    from toolkit.runs.record import RunRequest, record_run
    from toolkit.runs.store import duration, headline

    ws = workspace(ctx)
    upstream = None
    if based_on:
        from toolkit import readinglist as rl

        entry = rl.load_reading_list(ws.paths.reading_list).model.entry(based_on)
        upstream = entry.repo
    where = ws.settings.sources.get("runs_patterns", "bip.toml")
    request = RunRequest(
        argv=list(command),
        cwd=Path.cwd(),
        runs_root=(ws.root / ws.settings.runs_dir),
        now=ws.now,
        name=name,
        tags=list(tag or []),
        based_on=based_on,
        upstream_repo=upstream,
        patterns=compile_patterns(ws.settings.runs_patterns, where),
    )
    run, outcome = record_run(request, _sink(sys.stdout), _sink(sys.stderr))
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
    from toolkit.runs.store import duration, headline, list_runs

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
    rows = []
    for r in runs:
        wall = r.data.get("wall_seconds")
        rows.append(
            [
                r.id,
                str(r.data.get("started") or "")[:16].replace("T", " "),
                r.status,
                duration(wall) if isinstance(wall, (int, float)) else "",
                headline(r),
                _short(shlex.join(r.data.get("command") or [])),
            ]
        )
    table(["id", "started", "status", "wall", "numbers", "command"], rows)


def _short(text: str, width: int = 48) -> str:
    """One line of the table: a multi-line `python -c` script is shown on one line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(metavar="ID", help="Run id, part of it, or its folder.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one run: command, commit, hardware, software and numbers.

    Example: bip runs show 2026-11-23-gpt2-124m
    """
    from toolkit.runs.store import LOG_FILE, duration, resolve_run

    _, root = _runs_root(ctx)
    run = resolve_run(root, run_id)
    if as_json:
        print_json({**run.data, "id": run.id, "path": str(run.path)})
        return
    data = run.data
    git = data.get("git") or {}
    hardware = data.get("hardware") or {}
    software = data.get("software") or {}
    metrics = run.metrics
    wall = data.get("wall_seconds")
    gpus = hardware.get("gpus") or []
    cpu = hardware.get("cpu") or {}
    fields(
        [
            ("id", run.id),
            ("command", shlex.join(data.get("command") or [])),
            ("cwd", data.get("cwd")),
            ("started", data.get("started")),
            ("wall", duration(wall) if isinstance(wall, (int, float)) else None),
            ("status", run.status),
            ("based on", data.get("based_on")),
            ("tags", data.get("tags")),
            ("commit", _commit(git)),
            ("upstream", _upstream(git)),
            (
                "changes",
                git.get("diffstat") or ("untracked files" if git.get("untracked") else None),
            ),
            ("gpus", [_gpu(g) for g in gpus] or hardware.get("gpu_note")),
            ("cpu", f"{cpu.get('model')} ({cpu.get('count')} cores)" if cpu.get("model") else None),
            ("memory", hardware.get("memory")),
            ("software", ", ".join(f"{k} {v}" for k, v in software.items() if k != "interpreter")),
            ("final", _numbers(metrics.get("final"))),
            ("best", _numbers(metrics.get("best"))),
            ("steady state", _numbers(metrics.get("steady_state"))),
            ("log", str(run.path / LOG_FILE)),
        ]
    )


def _commit(git: dict[str, Any]) -> str | None:
    if not git.get("commit"):
        return None
    text = f"{git['commit'][:7]}"
    if git.get("branch"):
        text += f" on {git['branch']}"
    return text + (" (uncommitted changes)" if git.get("dirty") else "")


def _upstream(git: dict[str, Any]) -> str | None:
    if not git.get("upstream_url"):
        return None
    base = f", merge-base {git['merge_base'][:7]}" if git.get("merge_base") else ""
    return f"{git['upstream_url']} ({git.get('upstream_ref')}{base})"


def _gpu(gpu: dict[str, Any]) -> str:
    extra = ", ".join(
        x for x in (gpu.get("memory"), gpu.get("driver") and f"driver {gpu['driver']}") if x
    )
    return f"{gpu.get('name')} ({extra})" if extra else str(gpu.get("name"))


def _numbers(values: Any) -> str | None:
    from toolkit.runs.store import number

    if not isinstance(values, dict):
        return None
    shown = [
        f"{k} {number(v)}"
        for k, v in values.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "measurements"
    ]
    return ", ".join(shown) or None
