"""A run as people read it: the fields of `bip runs show` and the rows of `bip runs list`,
printed with the same formatters (toolkit.text) and the same MFU wording as the post."""

from __future__ import annotations

import shlex
from typing import Any

from toolkit.runs.mfu import mfu_long
from toolkit.runs.model import GitInfo, RunMetrics
from toolkit.runs.store import LOG_FILE, Run, headline
from toolkit.text import duration, number, rate

LOSS_KEYS = ("train_loss", "val_loss", "eval_train_loss", "tokens")


def one_line(command: list[str], width: int = 48) -> str:
    """A command on one line of a table: a multi-line `python -c` script is shown on one line."""
    text = " ".join(shlex.join(command).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def list_row(run: Run) -> list[str]:
    wall = run.record.wall_seconds
    return [
        run.id,
        run.record.started[:16].replace("T", " "),
        run.status,
        duration(wall) if wall is not None else "",
        headline(run),
        one_line(run.record.command),
    ]


LIST_COLUMNS = ["id", "started", "status", "wall", "numbers", "command"]


def commit_text(git: GitInfo) -> str | None:
    if not git.commit:
        return None
    text = git.commit[:7] + (f" on {git.branch}" if git.branch else "")
    return text + (" (uncommitted changes)" if git.dirty else "")


def where_text(git: GitInfo) -> str | None:
    if git.commit_url:
        return f"{git.commit_url} ({git.commit_remote})"
    if git.commit:
        saved = f"; its changes are saved as {git.patch}" if git.patch else ""
        return f"on no remote: push the branch{saved}"
    return None


def upstream_text(git: GitInfo) -> str | None:
    if not git.upstream_url:
        return None
    base = f", merge-base {git.merge_base[:7]}" if git.merge_base else ""
    return f"{git.upstream_url} ({git.upstream_ref}{base})"


def numbers_text(values: dict[str, float], keys: tuple[str, ...] | None = None) -> str | None:
    shown = [f"{k} {number(v)}" for k, v in values.items() if keys is None or k in keys]
    return ", ".join(shown) or None


def steady_text(metrics: RunMetrics) -> str | None:
    steady = metrics.steady_state
    parts = []
    for key, value in steady.values.items():
        if key == "tokens_per_sec":
            parts.append(f"{rate(value)} tok/s")
        elif key == "mfu":
            parts.append(f"mfu {value * 100:.1f}% (as logged)")
        else:
            parts.append(f"{key} {number(value)}")
    if not parts:
        return None
    span = ""
    if steady.first_step is not None and steady.last_step is not None:
        span = f" (steps {steady.first_step:,}-{steady.last_step:,}, {steady.measurements:,} measurements)"
    return ", ".join(parts) + span


def show_fields(run: Run) -> list[tuple[str, Any]]:
    """`bip runs show`'s fields, in order; empty ones are left out when printed."""
    record, metrics = run.record, run.numbers
    git = record.git or GitInfo(root="")
    hardware = record.hardware
    cpu = hardware.cpu if hardware else None
    return [
        ("id", run.id),
        ("command", shlex.join(record.command)),
        ("cwd", record.cwd),
        ("source", record.source),
        (
            "started",
            f"{record.started} (from {record.started_from})"
            if record.started_from
            else record.started,
        ),
        ("wall", duration(record.wall_seconds) if record.wall_seconds is not None else None),
        ("status", run.status),
        ("based on", record.based_on),
        ("tags", record.tags),
        ("commit", commit_text(git)),
        ("code at", where_text(git)),
        ("upstream", upstream_text(git)),
        ("changes", git.diffstat or ("untracked files" if git.untracked else None)),
        (
            "gpus",
            [g.describe() for g in hardware.gpus] or hardware.gpu_note if hardware else None,
        ),
        ("cpu", f"{cpu.model} ({cpu.count} cores)" if cpu and cpu.model else None),
        ("memory", hardware.memory if hardware else None),
        (
            "software",
            ", ".join(f"{k} {v}" for k, v in record.software.items() if k != "interpreter"),
        ),
        ("numbers", headline(run)),
        ("final", numbers_text(metrics.final, LOSS_KEYS)),
        ("best", numbers_text(metrics.best)),
        ("steady state", steady_text(metrics)),
        ("MFU", mfu_long(metrics.mfu) if metrics.mfu else None),
        ("log", str(run.path / LOG_FILE) if (run.path / LOG_FILE).exists() else None),
    ]
