"""The numbers a run is known by, from its series: final, best and steady-state values.

Steady state (throughput, MFU, step time) is the mean after warm-up. The rule, stated in every
post that uses it: the first 10 % of the logged steps are left out (at least the first 5
measurements: compilation, cache warm-up, and nanoGPT does not measure MFU before its fifth
iteration), and so are the steps that also ran an evaluation (their time includes it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from toolkit.runs.model import SteadyState

LOSSES = ("train_loss", "val_loss")
RATES = ("tokens_per_sec", "mfu", "time_ms", "tflops_per_gpu", "tokens_per_sec_per_gpu")
WARMUP_FRACTION = 0.10
WARMUP_MIN = 5
STEADY_RULE = (
    "the mean over the logged steps after warm-up: the first 10% of steps (at least the first 5 "
    "measurements) and the steps that also ran an evaluation are left out"
)

SHORT_RULE = (
    "a short run, too short to leave out a warm-up: mean over all but the first measurement"
)


@dataclass
class Summary:
    final: dict[str, float] = field(default_factory=dict)  # last value of each column
    best: dict[str, float] = field(default_factory=dict)  # lowest loss, with `<loss>_step`
    steady_state: SteadyState = field(default_factory=SteadyState)
    steps: int | None = None
    peak_lr: float | None = None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def summarize(rows: list[dict[str, Any]]) -> Summary:
    """Rows are `{column: number}` in step order (a missing column: not logged at that step)."""
    summary = Summary()
    for row in rows:
        for key, value in row.items():
            if _is_number(value):
                summary.final[key] = float(value)
            elif isinstance(value, float):  # NaN or inf last: no stale value passed as final
                summary.final.pop(key, None)
    steps = [row["step"] for row in rows if _is_number(row.get("step"))]
    if steps:
        summary.steps = int(max(steps))
    for loss in LOSSES:
        points = [row for row in rows if _is_number(row.get(loss))]
        if points:
            best = min(points, key=lambda row: float(row[loss]))
            summary.best[loss] = float(best[loss])
            if _is_number(best.get("step")):
                summary.best[f"{loss}_step"] = float(best["step"])
    lrs = [row["lr"] for row in rows if _is_number(row.get("lr"))]
    summary.peak_lr = max(lrs) if lrs else None
    summary.steady_state = steady_state(rows)
    return summary


def is_measured(row: dict[str, Any]) -> bool:
    return any(_is_number(row.get(k)) for k in RATES)


def is_eval(row: dict[str, Any]) -> bool:
    """A step that also ran an evaluation: its time includes it."""
    return _is_number(row.get("val_loss"))


def warmup_skip(measured: int) -> int:
    return max(WARMUP_MIN, math.ceil(measured * WARMUP_FRACTION))


def steady_state(rows: list[dict[str, Any]]) -> SteadyState:
    measured = [r for r in rows if is_measured(r)]
    if not measured:
        return SteadyState()
    skip = warmup_skip(len(measured))
    kept = [r for r in measured[skip:] if not is_eval(r)]
    rule = STEADY_RULE
    if not kept:  # a short run: everything but the first measurement, rather than nothing
        kept = [r for r in measured[1:] if not is_eval(r)] or [
            r for r in measured if not is_eval(r)
        ]
        if not kept:
            return SteadyState()
        rule = SHORT_RULE
    steady = SteadyState(measurements=len(kept), rule=rule)
    for key in RATES:
        values = [float(r[key]) for r in kept if _is_number(r.get(key))]
        if values:
            steady.values[key] = sum(values) / len(values)
    steps = [int(r["step"]) for r in kept if _is_number(r.get("step"))]
    if steps:
        steady.first_step, steady.last_step = min(steps), max(steps)
    return steady
