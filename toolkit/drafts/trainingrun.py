"""The training-run post from a recorded run: its facts, its numbers, its loss curve, and a
comparison with a baseline (another run, or a metrics file such as upstream's reported numbers).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.drafts.metrics import Metrics, human_hours, human_usd, load_metrics
from toolkit.errors import BadInput
from toolkit.runs import store
from toolkit.text import duration

FIGURE = "loss.svg"


@dataclass
class RunFacts:
    """What the post says about where the numbers came from."""

    id: str
    name: str
    command: str
    status: str
    started: str
    wall: str | None
    commit: str | None = None
    branch: str | None = None
    dirty: bool = False
    diffstat: str = ""
    untracked: int = 0
    repo_url: str | None = None
    base_commit: str | None = None  # the upstream commit the code builds on
    base_source: str | None = None  # how it was found
    gpu_summary: str | None = None  # "1x AMD Instinct MI300X"
    hardware_rows: list[tuple[str, str]] = field(default_factory=list)
    software_rows: list[tuple[str, str]] = field(default_factory=list)
    steady_rule: str | None = None
    steady_span: str | None = None  # "steps 500-5,000, 4,100 measurements"
    lr_source: str | None = None
    cost_rule: str | None = None


@dataclass
class Figure:
    src: str
    alt: str


@dataclass
class Row:
    label: str
    mine: str
    base: str
    delta: str
    percent: str


@dataclass
class Comparison:
    label: str
    rows: list[Row]


def _gpu_summary(gpus: list[dict[str, Any]]) -> str | None:
    names = [str(g.get("name")) for g in gpus if g.get("name")]
    if not names:
        return None
    if len(set(names)) == 1:
        return f"{len(names)}x {names[0]}"
    return ", ".join(names)


def _num(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def run_metrics(run: store.Run, gpu_hour_usd: float | None) -> tuple[Metrics, RunFacts]:
    """The run's numbers as the template's Metrics, and its facts."""
    data, metrics = run.data, run.metrics
    final = metrics.get("final") or {}
    best = metrics.get("best") or {}
    steady = metrics.get("steady_state") or {}
    hardware = data.get("hardware") or {}
    software = data.get("software") or {}
    git = data.get("git") or {}
    gpus = [g for g in hardware.get("gpus") or [] if isinstance(g, dict)]
    wall = _num(data.get("wall_seconds"))
    m = Metrics(path=str(run.path))
    names = [str(g["name"]) for g in gpus if g.get("name")]
    if names and len(set(names)) == 1:
        m.hardware, m.gpus = names[0], len(names)
    elif names:
        m.hardware = ", ".join(names)
    m.train_loss = _num(final.get("train_loss"))
    m.val_loss = _num(final.get("val_loss"))
    m.best_val_loss = _num(best.get("val_loss"))
    best_step = _num(best.get("val_loss_step"))
    m.best_val_step = int(best_step) if best_step is not None else None
    m.tokens_per_second = _num(steady.get("tokens_per_sec"))
    m.mfu = _num(steady.get("mfu"))
    tokens = _num(final.get("tokens"))
    m.tokens = int(tokens) if tokens is not None else None
    steps = _num(metrics.get("steps"))
    m.steps = int(steps) if steps is not None else None
    lr = metrics.get("learning_rate") or {}
    m.learning_rate = _num(lr.get("value"))
    m.wall_time_hours = wall / 3600 if wall is not None else None
    framework = []
    if software.get("torch"):
        framework.append(f"PyTorch {software['torch']}")
    for key, label in (("rocm", "ROCm"), ("cuda", "CUDA")):
        if software.get(key):
            framework.append(f"{label} {software[key]}")
    m.framework = ", ".join(framework) or None
    facts = RunFacts(
        id=run.id,
        name=run.name,
        command=shlex.join(data.get("command") or []),
        status=run.status,
        started=str(data.get("started") or ""),
        wall=duration(wall) if wall is not None else None,
        commit=git.get("commit"),
        branch=git.get("branch"),
        dirty=bool(git.get("dirty")),
        diffstat=str(git.get("diffstat") or ""),
        untracked=len(git.get("untracked") or []),
        repo_url=git.get("tracking_url") or git.get("upstream_url"),
        gpu_summary=_gpu_summary(gpus),
        lr_source=lr.get("source"),
    )
    if git.get("merge_base"):
        facts.base_commit = git["merge_base"]
        facts.base_source = f"the merge-base with {git.get('upstream_ref') or 'upstream'}"
    if steady.get("rule") and (m.tokens_per_second is not None or m.mfu is not None):
        facts.steady_rule = str(steady["rule"])
        first, last = _num(steady.get("first_step")), _num(steady.get("last_step"))
        count = int(_num(steady.get("measurements")) or 0)
        if first is not None and last is not None:
            facts.steady_span = f"steps {first:,.0f}–{last:,.0f}, {count:,} measurements"
    if gpu_hour_usd is not None and m.wall_time_hours is not None:
        count_gpus = max(1, len(gpus))
        m.cost_usd = gpu_hour_usd * count_gpus * m.wall_time_hours
        unit = "GPU" if gpus else "machine"
        facts.cost_rule = (
            f"{count_gpus} {unit}{'s' if count_gpus > 1 else ''} × {m.wall_time_hours:.2f} h × "
            f"${gpu_hour_usd:.2f} per {unit}-hour"
        )
    for g in gpus:
        extra = ", ".join(
            x for x in (g.get("memory"), g.get("driver") and f"driver {g['driver']}") if x
        )
        facts.hardware_rows.append(("GPU", f"{g.get('name')}" + (f" ({extra})" if extra else "")))
    if not gpus and hardware.get("gpu_note"):
        facts.hardware_rows.append(("GPU", f"none ({hardware['gpu_note']})"))
    cpu = hardware.get("cpu") or {}
    if cpu.get("model"):
        cores = f" ({cpu['count']} cores)" if cpu.get("count") else ""
        facts.hardware_rows.append(("CPU", f"{cpu['model']}{cores}"))
    if hardware.get("memory"):
        facts.hardware_rows.append(("Memory", str(hardware["memory"])))
    for key, label in (
        ("python", "Python"),
        ("torch", "PyTorch"),
        ("rocm", "ROCm"),
        ("cuda", "CUDA"),
        ("platform", "OS"),
    ):
        if software.get(key):
            facts.software_rows.append((label, str(software[key])))
    return m, facts


def load_baseline(ref: str, runs_root: Path, gpu_hour_usd: float | None) -> tuple[Metrics, str]:
    """A baseline by metrics file, run folder or run id; and the label the table gives it."""
    path = Path(ref).expanduser()
    if path.is_file() and path.name != store.RUN_FILE:
        return load_metrics(path), path.stem
    try:
        run = store.resolve_run(runs_root, ref)
    except BadInput as exc:
        raise BadInput(
            f"--baseline {ref!r} is neither a metrics file nor a run ({exc.message})",
            hint="give a .json/.yaml/.csv metrics file, a run id (bip runs list) or a run folder",
        ) from None
    return run_metrics(run, gpu_hour_usd)[0], run.id


def _sign(value: float) -> str:
    return "+" if value > 0 else "−" if value < 0 else "±"


def compare(mine: Metrics, base: Metrics, label: str) -> Comparison:
    rows: list[Row] = []

    def add(name: str, a: float | None, b: float | None, show: Any) -> None:
        if a is None and b is None:
            return
        delta = percent = ""
        if a is not None and b is not None:
            delta = _sign(a - b) + show(abs(a - b))
            percent = f"{_sign(a - b)}{abs(a - b) / b * 100:.1f}%" if b else ""
        rows.append(
            Row(
                name,
                show(a) if a is not None else "",
                show(b) if b is not None else "",
                delta,
                percent,
            )
        )

    add("Val loss", mine.val_loss, base.val_loss, lambda v: f"{v:.4f}")
    add("Best val loss", mine.best_val_loss, base.best_val_loss, lambda v: f"{v:.4f}")
    add("Tokens/s", mine.tokens_per_second, base.tokens_per_second, lambda v: f"{v:,.0f}")
    mfu_a = mine.mfu * 100 if mine.mfu is not None else None
    mfu_b = base.mfu * 100 if base.mfu is not None else None
    add("MFU", mfu_a, mfu_b, lambda v: f"{v:.1f}%")
    if rows and rows[-1].label == "MFU" and rows[-1].delta:
        rows[-1].delta = rows[-1].delta.replace("%", " pp")
    add("Wall time", mine.wall_time_hours, base.wall_time_hours, human_hours)
    add("Cost", mine.cost_usd, base.cost_usd, human_usd)
    hw_a = f"{mine.gpus}x {mine.hardware}" if mine.gpus and mine.hardware else mine.hardware
    hw_b = f"{base.gpus}x {base.hardware}" if base.gpus and base.hardware else base.hardware
    if hw_a or hw_b:
        rows.append(Row("Hardware", hw_a or "", hw_b or "", "", ""))
    return Comparison(label, rows)


def merge(measured: Metrics, given: Metrics) -> Metrics:
    """A run's measured numbers, completed by a metrics file (model, dataset, precision...):
    what the run measured wins, the file fills what it could not know."""
    for name in Metrics.__dataclass_fields__:
        if name in ("path", "series", "series_columns", "extra"):
            continue
        if getattr(measured, name) is None and getattr(given, name) is not None:
            setattr(measured, name, getattr(given, name))
    measured.extra = {**given.extra, **measured.extra}
    return measured


def figure_alt(run: RunFacts, drawn: list[str]) -> str:
    what = " and ".join(c.replace("_loss", "") for c in drawn)
    return f"Loss curve of {run.name}: {what} loss against step"


@dataclass
class TrainingRequest:
    """What `bip draft` was told about a training run: `--run`, `--baseline`, `--metrics`."""

    run: str | None = None  # a run id or folder, as `bip runs list` shows
    baseline: str | None = None  # a run, or a metrics file, to compare with
    metrics: Path | None = None  # a metrics file: the numbers, or what completes a run's


@dataclass
class TrainingRun:
    """The training-run part of a draft's context: what templates read as `metrics`, `run`,
    `figure` and `comparison`, and the recorded run the post's files come from."""

    metrics: Metrics | None = None
    run: RunFacts | None = None
    figure: Figure | None = None
    comparison: Comparison | None = None
    recorded: store.Run | None = None

    def template_values(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "run": self.run,
            "figure": self.figure,
            "comparison": self.comparison,
        }

    @property
    def based_on(self) -> str | None:
        """The reading-list entry the recorded run says it builds on."""
        if self.recorded is None:
            return None
        found = self.recorded.data.get("based_on")
        return str(found) if found else None

    def title(self) -> str | None:
        """A post title from the run: its name, on its GPUs."""
        if self.recorded is None:
            return None
        summary = self.run.gpu_summary if self.run is not None else None
        return f"{self.recorded.name} on {summary}" if summary else self.recorded.name

    def attachments(self) -> dict[str, Callable[[Path], None]]:
        """Files the post embeds, by name beside it: the loss curve, when the post shows it."""
        if self.figure is None or self.recorded is None:
            return {}
        run, title = self.recorded, self.title() or self.recorded.name

        def draw(path: Path) -> None:
            from toolkit.runs.plot import loss_curve

            tokens_per_step = _num(run.metrics.get("tokens_per_step"))
            loss_curve(run.series(), path, title, tokens_per_step)

        return {self.figure.src: draw}


def training_context(
    request: TrainingRequest,
    runs_root: Path,
    gpu_hour_usd: float | None,
    no_figure: bool = False,
) -> TrainingRun:
    """The training-run part of a draft: `metrics` (the run's numbers, completed by a
    `--metrics` file), `run` (its facts), `figure` (the loss curve the post will embed, unless
    `no_figure`) and `comparison` (with `--baseline`)."""
    from toolkit.runs.plot import SERIES, points

    found = TrainingRun()
    if request.metrics is not None:
        found.metrics = load_metrics(request.metrics)
    if request.run is None and request.baseline is None:
        return found
    if gpu_hour_usd is not None and gpu_hour_usd < 0:
        raise BadInput(f"[runs] gpu_hour_usd is {gpu_hour_usd}: a price cannot be negative")
    if request.run is not None:
        run = found.recorded = store.resolve_run(runs_root, request.run)
        measured, facts = run_metrics(run, gpu_hour_usd)
        given = found.metrics
        found.metrics = merge(measured, given) if given is not None else measured
        found.run = facts
        rows = run.series()
        drawn = [column for column, *_ in SERIES if points(rows, column)]
        if drawn and not no_figure:
            found.figure = Figure(FIGURE, figure_alt(facts, drawn))
    if request.baseline is not None:
        mine = found.metrics
        if mine is None:
            raise BadInput("--baseline needs numbers to compare: --run RUN_ID or --metrics FILE")
        base, label = load_baseline(request.baseline, runs_root, gpu_hour_usd)
        found.comparison = compare(mine, base, label)
    return found
