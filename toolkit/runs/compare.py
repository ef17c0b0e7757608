"""`bip runs compare A B ...`: the runs side by side (final and best losses, steady tokens/s,
MFU of the GPU each ran on, hardware, commit) and one figure with their loss curves overlaid on
a tokens axis (steps when a run does not say how many tokens a step is)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import BadInput
from toolkit.runs.model import MFU, HardwareInfo
from toolkit.runs.store import Run, resolve_run


@dataclass
class Compared:
    id: str
    name: str
    hardware: str | None
    commit: str | None
    final_train_loss: float | None
    final_val_loss: float | None
    best_val_loss: float | None
    tokens_per_sec: float | None
    mfu: MFU | None
    tokens: float | None
    steps: int | None
    diverged: dict[str, float] = field(default_factory=dict)  # loss ended NaN/inf -> from step


@dataclass
class Comparison:
    runs: list[Compared]
    figure: Path | None
    x_axis: str  # "tokens" or "step"
    notes: list[str] = field(default_factory=list)


def _hardware(hardware: HardwareInfo | None) -> str | None:
    """The GPUs; `no GPU (CPU model)` when the run's machine was looked at and had none;
    None when nothing is known (an imported run)."""
    if hardware is None:
        return None
    if hardware.gpu_summary:
        return hardware.gpu_summary
    if hardware.cpu.model or hardware.cpu.count:
        return f"no GPU ({hardware.cpu.model or f'{hardware.cpu.count} CPUs'})"
    return None


def compared(run: Run) -> Compared:
    numbers = run.numbers
    hardware = run.record.hardware
    git = run.record.git
    return Compared(
        id=run.id,
        name=run.name,
        hardware=_hardware(hardware),
        commit=git.commit[:7] if git and git.commit else None,
        final_train_loss=numbers.final.get("train_loss"),
        final_val_loss=numbers.final.get("val_loss"),
        best_val_loss=numbers.best.get("val_loss"),
        tokens_per_sec=numbers.tokens_per_sec,
        mfu=numbers.mfu,
        tokens=numbers.final.get("tokens"),
        steps=numbers.steps,
        diverged={k: v for k, v in numbers.diverged.items() if k in ("train_loss", "val_loss")},
    )


def _curve(run: Run, x: str) -> list[tuple[float, float]]:
    """(x, loss) for each logged loss: the train loss, else the val loss."""
    import math

    rows = run.series()
    per_step = run.numbers.tokens_per_step
    for column in ("train_loss", "val_loss"):
        pts = []
        for row in rows:
            y = row.get(column)
            if y is None or not math.isfinite(y):
                continue
            if x == "tokens":
                at = row.get("tokens")
                if at is None and per_step:
                    at = row["step"] * per_step
                if at is None:
                    continue
            else:
                at = row["step"]
            pts.append((at, y))
        if pts:
            return pts
    return []


def compare_runs(root: Path, refs: list[str], figure: Path | None) -> Comparison:
    if len(refs) < 2:
        raise BadInput("give two runs or more to compare", hint="bip runs compare RUN_A RUN_B")
    runs = [resolve_run(root, ref) for ref in refs]
    seen: set[str] = set()
    for run in runs:
        if run.id in seen:
            raise BadInput(f"{run.id} is named twice", hint="name each run once")
        seen.add(run.id)
    with_tokens = all(run.numbers.tokens_per_step or "tokens" in run.numbers.final for run in runs)
    x_axis = "tokens" if with_tokens else "step"
    result = Comparison([compared(run) for run in runs], None, x_axis)
    if not with_tokens:
        missing = [
            r.id for r in runs if not (r.numbers.tokens_per_step or "tokens" in r.numbers.final)
        ]
        result.notes.append(
            f"no tokens per step known for {', '.join(missing)}: the curves share a step axis"
        )
    if figure is not None:
        curves = [(run.name, _curve(run, x_axis)) for run in runs]
        if not any(points for _, points in curves):
            result.notes.append("no run has a loss curve: no figure drawn")
            return result
        from toolkit.runs.plot import overlay

        title = " vs ".join(run.name for run in runs)
        overlay(curves, figure, title, x_axis)
        result.figure = figure
    return result
