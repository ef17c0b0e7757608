"""A run's loss curve as an SVG a person would publish: train and validation loss against step
(tokens on the top axis when known), with axes, tick labels, a legend and the run's name.

matplotlib (the field's standard) is imported here only, by the one command that draws.
Lines carry ids (`train_loss`, `val_loss`) so the SVG can be checked point by point.

A run's log may hold a million steps: each line is thinned as it is read (`Thinner`, min/max
per bucket, in bounded memory), and `LossPlotter` keeps one figure for many runs (a site draws
them all): building a figure, its axes and their ticks costs more than drawing them, and fixed
margins spare the layout engine its second draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from toolkit.errors import BipError
from toolkit.text import human_number as human_count

MAX_POINTS = 2000  # per line: enough for any screen, small enough for a blog page
BUCKETS = MAX_POINTS // 2 - 2  # each keeps its lowest and highest point; first and last kept too
SERIES = (("train_loss", "train loss", "#1f77b4", "-"), ("val_loss", "val loss", "#d62728", "-"))
STYLE: Any = {
    "svg.hashsalt": "bip",  # stable ids: the same run draws the same file
    "path.simplify": False,  # every (thinned) point is drawn where the log put it
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SIZE = (7.2, 4.2)  # inches: 1080 x 630 px at 150 dpi, a link card's shape
# Fractions of the figure kept for tick labels, axis labels, the title and the tokens axis.
MARGINS = {"left": 0.085, "right": 0.975, "bottom": 0.115}
TOP = {True: 0.78, False: 0.9}  # with / without the tokens axis above the plot
# Where labels and the title sit, in inches from the figure's edges or the plot's top: placed
# once, not measured on each draw (measuring them is most of matplotlib's time).
Y_LABEL_X = 0.06  # the loss label's left edge, from the figure's left
X_LABEL_Y = 0.06  # the step label's bottom, from the figure's bottom
TOKENS_LABEL_Y = 0.27  # the tokens label's bottom, above the plot
TITLE_Y = {True: 0.5, False: 0.0}  # the title's baseline above the plot (plus its own pad)
Point = tuple[float, float]
CHUNK = 8192  # rows whose points are thinned together (memory stays bounded)


class Thinner:
    """One line's points, at most MAX_POINTS however many are added, in memory that does not
    grow: consecutive points share a bucket (1 point wide, then 2, 4... as the line grows) and
    each bucket keeps its lowest and highest point, so spikes and the curve's envelope survive
    where keeping every n-th point would drop them. A line of up to BUCKETS points keeps them all."""

    def __init__(self, buckets: int = BUCKETS) -> None:
        self.limit = buckets - buckets % 2
        self.width = 1
        self.filled = 0
        self.low: list[Point] = []
        self.high: list[Point] = []
        self.first: Point | None = None
        self.last: Point | None = None

    def add(self, x: float, y: float) -> None:
        self.extend([(x, y)])

    def extend(self, points: Iterable[Point]) -> None:
        """Add points in step order (the hot loop of a long run: locals, no calls per point)."""
        low, high, limit = self.low, self.high, self.limit
        width, filled, last = self.width, self.filled, self.last
        for point in points:
            last = point
            if filled < width and low:
                filled += 1
                y = point[1]
                if y < low[-1][1]:
                    low[-1] = point
                elif y > high[-1][1]:
                    high[-1] = point
                continue
            if self.first is None:
                self.first = point
            if len(low) == limit:
                self._halve()
                low, high, width = self.low, self.high, self.width
            low.append(point)
            high.append(point)
            filled = 1
        self.filled, self.last = filled, last

    def _halve(self) -> None:
        low, high = self.low, self.high
        self.low = [min(low[i], low[i + 1], key=_y) for i in range(0, len(low), 2)]
        self.high = [max(high[i], high[i + 1], key=_y) for i in range(0, len(high), 2)]
        self.width *= 2

    def points(self) -> list[Point]:
        """The kept points in step order."""
        out: list[Point] = []
        if self.first is not None and self.width > 1:
            out.append(self.first)
        for low, high in zip(self.low, self.high, strict=True):
            for point in sorted({low, high}):
                if not out or point != out[-1]:
                    out.append(point)
        if self.last is not None and self.last != out[-1] and self.last[0] >= out[-1][0]:
            out.append(self.last)
        return out


def _y(point: Point) -> float:
    return point[1]


def thin_series(rows: Iterable[Mapping[str, float]]) -> dict[str, list[Point]]:
    """Each loss column's (step, loss) points, thinned, in one pass over rows (a list or a
    stream such as toolkit.runs.stream.read_rows)."""
    lines = {column: Thinner() for column, *_ in SERIES}
    pending: dict[str, list[Point]] = {column: [] for column in lines}
    isfinite = math.isfinite
    for n, row in enumerate(rows, start=1):
        step = row.get("step")
        if not isinstance(step, (int, float)) or not isfinite(step):
            continue
        for column, buffer in pending.items():
            value = row.get(column)
            if isinstance(value, (int, float)) and isfinite(value):
                buffer.append((float(step), float(value)))
        if not n % CHUNK:
            for column, buffer in pending.items():
                lines[column].extend(buffer)
                buffer.clear()
    for column, buffer in pending.items():
        lines[column].extend(buffer)
    return {column: line.points() for column, line in lines.items()}


def thin_file(path: Path) -> dict[str, list[Point]]:
    """thin_series of a metrics.csv, reading only its step and loss columns."""
    from toolkit.runs.stream import read_columns

    columns = tuple(column for column, *_ in SERIES)
    lines = {column: Thinner() for column in columns}
    isfinite = math.isfinite
    for steps, values in read_columns(path, columns, CHUNK):
        xs = _all_finite(steps)
        for column, cells in zip(columns, values, strict=True):
            ys = _all_finite(cells) if xs is not None else None
            if xs is not None and ys is not None:  # the common case, checked at C speed
                lines[column].extend(zip(xs, ys, strict=True))
                continue
            lines[column].extend(
                [
                    (x, y)
                    for x, y in zip(steps, cells, strict=True)
                    if x is not None and y is not None and isfinite(x) and isfinite(y)
                ]
            )
    return {column: line.points() for column, line in lines.items()}


def thin(line: Iterable[Point]) -> list[Point]:
    """Any line's points, thinned the same way."""
    kept = Thinner()
    for x, y in line:
        kept.add(x, y)
    return kept.points()


class LossPlotter:
    """One figure with its axes, lines, legend and tokens axis, drawn again for each run."""

    def __init__(self) -> None:
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

        self._rc: Any = matplotlib.rc_context
        self._scale = 1.0
        with self._rc(STYLE):
            self.figure = Figure(figsize=SIZE)
            ax = self.ax = self.figure.add_subplot()
            self.lines = {}
            for column, label, color, line in SERIES:
                (artist,) = ax.plot(
                    [],
                    [],
                    line,
                    color=color,
                    label=label,
                    lw=1.2 if column == "train_loss" else 1.8,
                    ms=3.5,
                    zorder=3 if column == "val_loss" else 2,
                )
                artist.set_gid(column)
                self.lines[column] = artist
            ax.set_xlabel("step", va="bottom")
            ax.set_ylabel("loss", va="top")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_count(v)))
            ax.grid(True, color="#dddddd", lw=0.6)
            ax.set_axisbelow(True)
            self.tokens = ax.secondary_xaxis("top", functions=(self._to_tokens, self._to_steps))
            self.tokens.set_xlabel("tokens", va="bottom")
            self.tokens.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_count(v)))

    def _place(self, with_tokens: bool) -> None:
        """Margins, axis labels and the title where they go with (or without) the tokens axis."""
        width, height = SIZE
        top = TOP[with_tokens]
        self.figure.subplots_adjust(top=top, **MARGINS)
        plot_w = (MARGINS["right"] - MARGINS["left"]) * width
        plot_h = (top - MARGINS["bottom"]) * height
        left, bottom = MARGINS["left"] * width, MARGINS["bottom"] * height
        self.ax.yaxis.set_label_coords((Y_LABEL_X - left) / plot_w, 0.5)
        self.ax.xaxis.set_label_coords(0.5, (X_LABEL_Y - bottom) / plot_h)
        self.tokens.xaxis.set_label_coords(
            0.5, 1 + TOKENS_LABEL_Y / plot_h, transform=self.ax.transAxes
        )
        self._title_y = 1 + TITLE_Y[with_tokens] / plot_h

    def _to_tokens(self, steps: Any) -> Any:
        return steps * self._scale

    def _to_steps(self, tokens: Any) -> Any:
        return tokens / self._scale

    def draw(
        self,
        lines: Mapping[str, list[Point]],
        path: Path,
        title: str,
        tokens_per_step: float | None = None,
    ) -> list[str]:
        """Write the SVG (or a PNG, by `path`'s suffix); returns which lines it drew. Raises
        BipError when there is no loss."""
        drawn = loss_lines(lines)
        ax = self.ax
        with self._rc(STYLE):
            for column, artist in self.lines.items():
                pts = lines.get(column) or []
                artist.set_data([x for x, _ in pts], [y for _, y in pts])
                artist.set_visible(bool(pts))
                artist.set_marker("o" if column == "val_loss" or len(pts) < 30 else "None")
            ax.relim(visible_only=True)
            ax.set_autoscale_on(True)
            ax.autoscale_view()
            top = _top(lines)
            if top is not None:
                ax.set_ylim(top=top)
            ax.legend(handles=[self.lines[c] for c in drawn], frameon=False)
            with_tokens = bool(tokens_per_step)
            self._scale = float(tokens_per_step) if tokens_per_step else 1.0
            self.tokens.set_visible(with_tokens)
            self.tokens.xaxis.set_visible(with_tokens)
            self._place(with_tokens)
            ax.set_title(title, loc="left", fontsize=11, fontweight="bold", y=self._title_y)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            if path.suffix.lower() == ".png":  # X takes no SVG: a thread attaches a PNG
                self.figure.savefig(tmp, format="png", metadata={"Title": title}, dpi=150)
            else:
                self.figure.savefig(tmp, format="svg", metadata={"Title": title, "Date": None})
            tmp.replace(path)
        return drawn


def loss_curve(
    rows: Iterable[Mapping[str, float]],
    path: Path,
    title: str,
    tokens_per_step: float | None = None,
) -> list[str]:
    """Write one run's loss curve (SVG or PNG); returns which lines it drew. Raises BipError
    when there is no loss."""
    lines = thin_series(rows)
    loss_lines(lines)  # no loss: said before matplotlib is imported
    return LossPlotter().draw(lines, path, title, tokens_per_step)


def _all_finite(values: list[float | None]) -> list[float] | None:
    """`values` when each is a finite number, else None."""
    if None in values or not all(map(math.isfinite, cast(list[float], values))):
        return None
    return cast(list[float], values)


def file_loss_curve(
    series: Path, path: Path, title: str, tokens_per_step: float | None = None
) -> list[str]:
    """loss_curve of a metrics.csv, read a column at a time (thin_file)."""
    lines = thin_file(series)
    loss_lines(lines)
    return LossPlotter().draw(lines, path, title, tokens_per_step)


def loss_lines(lines: Mapping[str, list[Point]]) -> list[str]:
    """The loss columns that have points; BipError when none has."""
    drawn = [column for column, *_ in SERIES if lines.get(column)]
    if not drawn:
        raise BipError(
            "the run's log has no train or val loss to plot",
            hint="bip reads nanoGPT, llm.c and JSON-lines logs; add [runs] patterns for others",
        )
    return drawn


def _top(drawn: Mapping[str, list[Point]]) -> float | None:
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


COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def overlay(
    curves: list[tuple[str, list[tuple[float, float]]]], path: Path, title: str, x_label: str
) -> None:
    """Several runs' loss curves on one axis (tokens, as a rule): PNG or SVG by `path`'s suffix."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    style: Any = {"svg.hashsalt": "bip", "font.size": 10, "axes.spines.top": False,
                  "axes.spines.right": False}  # fmt: skip
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(7.2, 4.2), layout="constrained")
        ax = fig.add_subplot()
        for n, (label, pts) in enumerate(curves):
            if not pts:
                continue
            xs, ys = zip(*thin(pts), strict=True)
            (artist,) = ax.plot(xs, ys, "-", color=COLORS[n % len(COLORS)], label=label, lw=1.4)
            artist.set_gid(f"run{n}")
        ax.set_xlabel(x_label)
        ax.set_ylabel("loss")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_count(v)))
        ax.grid(True, color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt = "svg" if path.suffix.lower() == ".svg" else "png"
        tmp = path.with_name(f".{path.name}.tmp")
        meta = {"Title": title, "Date": None} if fmt == "svg" else {"Title": title}
        fig.savefig(tmp, format=fmt, metadata=meta, dpi=150)
        tmp.replace(path)
