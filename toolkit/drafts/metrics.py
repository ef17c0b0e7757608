"""A training run's numbers from a metrics file: JSON, YAML, or CSV (key,value rows or a series).

Known fields are checked (numbers must be numbers) and every problem names the file. Fields the
template does not know are kept in `extra`. A CSV series (step, train_loss, ...) is read the way
a recorded run is (toolkit.runs.series): the last value of each loss, the best val loss, the
steady-state mean of throughput and MFU, the peak learning rate, and `step` as the step count.
A CSV is a series only when its first row is a header: a headerless `key,value` file is read as
key,value, and any other headerless CSV is refused rather than misread.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput

NUMBERS = {
    "gpus": int,
    "tokens": int,
    "tokens_per_second": float,
    "mfu": float,
    "train_loss": float,
    "val_loss": float,
    "wall_time_hours": float,
    "cost_usd": float,
    "steps": int,
    "batch_size": int,
    "learning_rate": float,
    "best_val_loss": float,
    "best_val_step": int,
}
TEXTS = ("hardware", "model", "params", "dataset", "precision", "framework", "steady_rule")
ALIASES = {
    "throughput": "tokens_per_second",
    "tokens_per_sec": "tokens_per_second",
    "tok_per_s": "tokens_per_second",
    "wall_time": "wall_time_hours",
    "hours": "wall_time_hours",
    "cost": "cost_usd",
    "gpu": "hardware",
    "lr": "learning_rate",
    "loss": "train_loss",
    "n_gpus": "gpus",
    "num_gpus": "gpus",
    "parameters": "params",
    "iters": "steps",
}
SAMPLE_ROWS = 8


@dataclass
class Metrics:
    path: str = ""
    hardware: str | None = None
    gpus: int | None = None
    model: str | None = None
    params: str | None = None
    dataset: str | None = None
    tokens: int | None = None
    tokens_per_second: float | None = None
    mfu: float | None = None  # a fraction: 0.38 means 38 %
    train_loss: float | None = None
    val_loss: float | None = None
    wall_time_hours: float | None = None
    cost_usd: float | None = None
    steps: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    best_val_loss: float | None = None
    best_val_step: int | None = None
    val_step: int | None = None  # the step of the final val loss (a run's; evaluations are sparse)
    steady_rule: str | None = None  # how throughput and MFU were averaged, when they were
    precision: str | None = None
    framework: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    series: list[dict[str, str]] = field(default_factory=list)
    series_columns: list[str] = field(default_factory=list)

    @property
    def hardware_text(self) -> str | None:
        """`8x A100 40GB`: the count once, whether the file said `gpus: 8` or `8x A100 40GB`."""
        if not self.hardware:
            return None
        if self.gpus and not re.match(r"^\s*\d+\s*[x×]\s*", self.hardware):
            return f"{self.gpus}x {self.hardware}"
        return self.hardware

    @property
    def series_sample(self) -> list[dict[str, str]]:
        rows = self.series
        if len(rows) <= SAMPLE_ROWS:
            return rows
        step = (len(rows) - 1) / (SAMPLE_ROWS - 1)
        return [rows[round(i * step)] for i in range(SAMPLE_ROWS)]


def load_metrics(path: Path) -> Metrics:
    shown = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"metrics file {shown} does not exist") from None
    except UnicodeDecodeError:
        raise BadInput(f"metrics file {shown} is not UTF-8 text") from None
    suffix = path.suffix.lower()
    series: list[dict[str, str]] = []
    columns: list[str] = []
    if suffix == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"{shown}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
            ) from None
    elif suffix in (".yaml", ".yml"):
        from toolkit import yamledit

        data = yamledit.to_plain(yamledit.parse(raw, shown))
    elif suffix == ".csv":
        data, series, columns = _csv(raw, shown)
    else:
        raise BadInput(
            f"{shown}: unknown metrics format {suffix or '(no extension)'!r}",
            hint="use .json, .yaml or .csv",
        )
    if not isinstance(data, dict):
        raise BadInput(
            f'{shown}: metrics must be a mapping of names to values (e.g. {{"val_loss": 3.28}})'
        )
    metrics = Metrics(path=shown, series=series, series_columns=columns)
    problems = []
    for raw_key, value in data.items():
        key = ALIASES.get(str(raw_key).strip().lower(), str(raw_key).strip().lower())
        if value is None or value == "":
            continue
        if key in NUMBERS:
            try:
                number = NUMBERS[key](float(value)) if NUMBERS[key] is int else float(value)
            except (TypeError, ValueError):
                problems.append(f"{raw_key!r} must be a number, not {value!r}")
                continue
            if isinstance(value, bool) or number != number or number < 0:
                problems.append(f"{raw_key!r} must be a non-negative number, not {value!r}")
                continue
            setattr(metrics, key, number)
        elif key in TEXTS:
            setattr(metrics, key, str(value))
        else:
            metrics.extra[str(raw_key)] = value
    if metrics.mfu is not None and metrics.mfu > 1:
        if metrics.mfu > 100:
            problems.append(f"'mfu' is {metrics.mfu}: give a fraction (0.38) or a percentage (38)")
        metrics.mfu = metrics.mfu / 100
    if problems:
        raise BadInput(f"{shown}: " + "; ".join(problems))
    return metrics


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _csv(raw: str, shown: str) -> tuple[dict[str, Any], list[dict[str, str]], list[str]]:
    rows = list(csv.reader(io.StringIO(raw)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise BadInput(f"{shown}: the CSV file is empty")
    header = [h.strip() for h in rows[0]]
    if (
        len(header) == 2
        and header[0].lower() in ("key", "metric", "name")
        and header[1].lower() == "value"
    ):
        return {r[0].strip(): r[1].strip() for r in rows[1:] if len(r) >= 2}, [], []
    if any(_is_number(cell) for cell in header if cell):
        # No header row: only key,value rows can be read without one.
        if all(len(r) == 2 and r[0].strip() and not _is_number(r[0]) for r in rows):
            return {r[0].strip(): r[1].strip() for r in rows}, [], []
        raise BadInput(
            f"{shown}:1: the first row holds numbers ({', '.join(rows[0])}), so it is not a "
            "header, and without one bip cannot tell what each column is",
            hint="add a header row (step,train_loss,val_loss,...) or write key,value rows",
        )
    body = rows[1:]
    if not body:
        raise BadInput(f"{shown}: the CSV file has a header but no data rows")
    for n, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise BadInput(f"{shown}:{n}: {len(row)} columns where the header has {len(header)}")
    series = [dict(zip(header, (c.strip() for c in row), strict=True)) for row in body]
    if len(series) == 1:  # one row under a header: names and their values
        return dict(series[0]), [], []
    return _series_summary(series, header, shown), series, header


def _series_summary(series: list[dict[str, str]], header: list[str], shown: str) -> dict[str, Any]:
    """The numbers a series stands for, computed the way a recorded run's are."""
    from toolkit.runs.parse import column_name
    from toolkit.runs.series import summarize

    names = {h: column_name(h) for h in header}
    rows: list[dict[str, float]] = []
    for n, raw_row in enumerate(series, start=2):
        row: dict[str, float] = {}
        for key, cell in raw_row.items():
            if not cell:
                continue
            try:
                row[names[key]] = float(cell.replace(",", ""))
            except ValueError:
                if names[key] in ("step", "train_loss", "val_loss", "lr", "tokens_per_sec", "mfu"):
                    raise BadInput(f"{shown}:{n}: {key} is {cell!r}, not a number") from None
        rows.append(row)
    summary = summarize(rows)
    final, steady = summary.final, summary.steady_state
    data: dict[str, Any] = {}
    for key, value in (
        ("train_loss", final.get("train_loss")),
        ("val_loss", final.get("val_loss")),
        ("best_val_loss", summary.best.get("val_loss")),
        ("best_val_step", summary.best.get("val_loss_step")),
        ("tokens_per_second", steady.values.get("tokens_per_sec")),
        ("mfu", steady.values.get("mfu")),
        ("learning_rate", summary.peak_lr),
        ("steps", summary.steps),
        ("tokens", final.get("tokens")),
    ):
        if value is not None:
            data[key] = value
    if "tokens_per_sec" in steady.values or "mfu" in steady.values:
        data["steady_rule"] = steady.rule
    return data


def human_count(value: Any) -> str:
    """A count as people write it: 124000000 -> 124M (toolkit.text.human_number); text stays."""
    from toolkit.text import human_number

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return human_number(value)


def human_hours(hours: float) -> str:
    """A wall time given in hours, the way `bip runs show` prints one (toolkit.text.duration)."""
    from toolkit.text import duration

    return duration(hours * 3600)


def human_usd(usd: float) -> str:
    return "<$0.01" if 0 < usd < 0.005 else f"${usd:,.2f}"


def human_lr(lr: float) -> str:
    """A learning rate as people write it: 6e-4, 1.5e-3, 0.02."""
    if lr == 0 or abs(lr) >= 0.01:
        return f"{lr:g}"
    mantissa, exponent = f"{lr:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
