"""A run's loss curve as an SVG a person would publish: train and validation loss against step
(tokens on the top axis when known), with axes, tick labels, a legend and the run's name.

matplotlib (the field's standard) is imported here only, by the one command that draws.
Lines carry ids (`train_loss`, `val_loss`) so the SVG can be checked point by point.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from toolkit.drafts.metrics import human_count
from toolkit.errors import BipError

MAX_POINTS = 2000  # per line: enough for any screen, small enough for a blog page
SERIES = (("train_loss", "train loss", "#1f77b4", "-"), ("val_loss", "val loss", "#d62728", "-"))


def _thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """At most MAX_POINTS points, evenly spaced over the run, the first and last kept."""
    if len(points) <= MAX_POINTS:
        return points
    stride = (len(points) - 1) / (MAX_POINTS - 1)
    return [points[round(i * stride)] for i in range(MAX_POINTS)]


def points(rows: list[dict[str, float]], column: str) -> list[tuple[float, float]]:
    found = [
        (float(r["step"]), float(r[column]))
        for r in rows
        if isinstance(r.get(column), (int, float))
        and math.isfinite(r[column])
        and isinstance(r.get("step"), (int, float))
    ]
    return _thin(found)


def loss_curve(
    rows: list[dict[str, float]],
    path: Path,
    title: str,
    tokens_per_step: float | None = None,
) -> list[str]:
    """Write the SVG; returns which lines it drew. Raises BipError when there is no loss."""
    drawn = {column: points(rows, column) for column, *_ in SERIES}
    if not any(drawn.values()):
        raise BipError(
            "the run's log has no train or val loss to plot",
            hint="bip reads nanoGPT, llm.c and JSON-lines logs; add [runs] patterns for others",
        )
    try:
        import matplotlib
    except ImportError:
        raise BipError(
            "drawing the loss curve needs matplotlib, which is not installed",
            hint="pip install matplotlib (bip's own install brings it)",
        ) from None
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    style: Any = {
        "svg.hashsalt": "bip",  # stable ids: the same run draws the same file
        "path.simplify": False,  # every (thinned) point is drawn where the log put it
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(7.2, 4.2), layout="constrained")
        ax = fig.add_subplot()
        for column, label, color, line in SERIES:
            pts = drawn[column]
            if not pts:
                continue
            xs, ys = zip(*pts, strict=True)
            marker = "o" if column == "val_loss" or len(pts) < 30 else None
            (artist,) = ax.plot(
                xs,
                ys,
                line,
                color=color,
                label=label,
                lw=1.2 if column == "train_loss" else 1.8,
                marker=marker,
                ms=3.5,
                zorder=3 if column == "val_loss" else 2,
            )
            artist.set_gid(column)
        top = _top(drawn)
        if top is not None:
            ax.set_ylim(top=top)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_count(v)))
        ax.grid(True, color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        if tokens_per_step:
            scale = float(tokens_per_step)

            def to_tokens(steps: Any) -> Any:
                return steps * scale

            def to_steps(tokens: Any) -> Any:
                return tokens / scale

            tokens = ax.secondary_xaxis("top", functions=(to_tokens, to_steps))
            tokens.set_xlabel("tokens")
            tokens.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_count(v)))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        if path.suffix.lower() == ".png":  # `bip post --run`: networks take PNG images
            fig.savefig(tmp, format="png", dpi=150, metadata={"Title": title})
        else:
            fig.savefig(tmp, format="svg", metadata={"Title": title, "Date": None})
        tmp.replace(path)
    return [column for column, pts in drawn.items() if pts]


def _top(drawn: dict[str, list[tuple[float, float]]]) -> float | None:
    """Leave the first 5% of training off the scale when it would flatten the rest: the
    early drop from ~11 to ~4 otherwise hides everything a reader wants to see."""
    train = drawn.get("train_loss") or []
    if len(train) < 20:
        return None
    cut = train[0][0] + 0.05 * (train[-1][0] - train[0][0])
    later = [y for x, y in train + (drawn.get("val_loss") or []) if x >= cut]
    low, high = min(later), max(later)
    if high <= low or max(y for _, y in train) <= high + (high - low):
        return None
    return high + 0.08 * (high - low)
