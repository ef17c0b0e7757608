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
from toolkit.readinglist import Entry
from toolkit.runs import store
from toolkit.runs.reproduce import Reproduce
from toolkit.text import duration

FIGURE = "loss.svg"
FIGURE_PNG = "loss.png"  # a thread attaches the curve to a post on X, which takes no SVG


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
    mfu: str | None = None  # "12.0% of NVIDIA H100 SXM, 989.5 TFLOPS dense bf16 (rescaled: ...)"
    reproduce: Reproduce | None = None
    diverged: str | None = None  # "train loss NaN or inf from step 1,200": it ended so


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


def run_metrics(run: store.Run, gpu_hour_usd: float | None) -> tuple[Metrics, RunFacts]:
    """The run's numbers as the template's Metrics, and its facts, from the typed record."""
    from toolkit.runs.mfu import mfu_long
    from toolkit.runs.reproduce import reproduce
    from toolkit.runs.store import diverged_text

    record, numbers = run.record, run.numbers
    hardware = record.hardware
    gpus = hardware.gpus if hardware else []
    git = record.git
    steady = numbers.steady_state
    m = Metrics(path=str(run.path))
    names = [g.name for g in gpus]
    if names and len(set(names)) == 1:
        m.hardware, m.gpus = names[0], len(names)
    elif names:
        m.hardware = ", ".join(names)
    m.train_loss = numbers.final.get("train_loss")
    m.val_loss = numbers.final.get("val_loss")
    val_step = numbers.final_steps.get("val_loss")
    m.val_step = int(val_step) if val_step is not None else None
    m.best_val_loss = numbers.best.get("val_loss")
    best_step = numbers.best.get("val_loss_step")
    m.best_val_step = int(best_step) if best_step is not None else None
    m.tokens_per_second = numbers.tokens_per_sec
    m.mfu = numbers.mfu.value if numbers.mfu else None  # of the GPU it ran on (runs.mfu)
    tokens = numbers.final.get("tokens")
    m.tokens = int(tokens) if tokens is not None else None
    m.steps = numbers.steps
    m.learning_rate = numbers.learning_rate.value if numbers.learning_rate else None
    wall = record.wall_seconds
    m.wall_time_hours = wall / 3600 if wall is not None else None
    software = record.software
    framework = [f"PyTorch {software['torch']}"] if software.get("torch") else []
    for key, label in (("rocm", "ROCm"), ("cuda", "CUDA")):
        if software.get(key):
            framework.append(f"{label} {software[key]}")
    m.framework = ", ".join(framework) or None
    facts = RunFacts(
        id=run.id,
        name=run.name,
        command=shlex.join(record.command),
        status=run.status,
        started=record.started,
        wall=duration(wall) if wall is not None else None,
        gpu_summary=hardware.gpu_summary if hardware else None,
        lr_source=numbers.learning_rate.source if numbers.learning_rate else None,
        mfu=mfu_long(numbers.mfu) if numbers.mfu else None,
        reproduce=reproduce(run),
        diverged=diverged_text(numbers),
    )
    if git is not None:
        facts.commit, facts.branch, facts.dirty = git.commit, git.branch, git.dirty
        facts.diffstat, facts.untracked = git.diffstat, len(git.untracked)
        facts.repo_url = git.commit_url or git.tracking_url or git.upstream_url
        if git.merge_base:
            facts.base_commit = git.merge_base
            facts.base_source = f"the merge-base with {git.upstream_ref or 'upstream'}"
    if steady.rule and (m.tokens_per_second is not None or m.mfu is not None):
        facts.steady_rule = steady.rule
        if steady.first_step is not None and steady.last_step is not None:
            facts.steady_span = (
                f"steps {steady.first_step:,}–{steady.last_step:,}, "
                f"{steady.measurements:,} measurements"
            )
    if gpu_hour_usd is not None and m.wall_time_hours is not None:
        count_gpus = max(1, len(gpus))
        m.cost_usd = gpu_hour_usd * count_gpus * m.wall_time_hours
        unit = "GPU" if gpus else "machine"
        facts.cost_rule = (
            f"{count_gpus} {unit}{'s' if count_gpus > 1 else ''} × {m.wall_time_hours:.2f} h × "
            f"${gpu_hour_usd:.2f} per {unit}-hour"
        )
    for g in gpus:
        facts.hardware_rows.append(("GPU", g.describe()))
    if hardware is not None and not gpus and hardware.gpu_note:
        facts.hardware_rows.append(("GPU", f"none ({hardware.gpu_note})"))
    if hardware is not None and hardware.cpu.model:
        cores = f" ({hardware.cpu.count} cores)" if hardware.cpu.count else ""
        facts.hardware_rows.append(("CPU", f"{hardware.cpu.model}{cores}"))
    if hardware is not None and hardware.memory:
        facts.hardware_rows.append(("Memory", hardware.memory))
    for key, label in (
        ("python", "Python"),
        ("torch", "PyTorch"),
        ("rocm", "ROCm"),
        ("cuda", "CUDA"),
        ("platform", "OS"),
    ):
        if software.get(key):
            facts.software_rows.append((label, software[key]))
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
    hw_a, hw_b = mine.hardware_text, base.hardware_text
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
    warnings: list[str] = field(default_factory=list)  # said when drafting (an unpushed commit)

    def template_values(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "run": self.run,
            "figure": self.figure,
            "comparison": self.comparison,
            "credit": self.credit,
            "run_thread": self.thread_text(),
        }

    def thread_text(self) -> str | None:
        """The run told as a thread: what ran where, its numbers, who it builds on, and how
        to reproduce it (split into posts by the template's `thread()`)."""
        if self.run is None or self.metrics is None:
            return None
        from toolkit.text import human_number, percent, rate

        m, run = self.metrics, self.run
        where = f" on {run.gpu_summary}" if run.gpu_summary else ""
        numbers = []
        if run.diverged:  # never a loss from before it diverged, as if it were the last
            numbers.append(run.diverged)
        elif m.val_loss is not None:
            tokens = f" after {human_number(m.tokens)} tokens" if m.tokens else ""
            numbers.append(f"val loss {m.val_loss:.3f}{tokens}")
        elif m.train_loss is not None:
            numbers.append(f"train loss {m.train_loss:.3f}")
        if m.tokens_per_second is not None:
            numbers.append(f"{rate(m.tokens_per_second)} tokens/s (steady state)")
        if m.mfu is not None:
            of = f" of {run.mfu.split(' of ', 1)[1].split(' (', 1)[0]}" if run.mfu else ""
            numbers.append(f"MFU {percent(m.mfu)}{of}")
        parts = [f"I trained {run.name}{where}: " + ", ".join(numbers) + "." if numbers
                 else f"I trained {run.name}{where}."]  # fmt: skip
        if self.credit:
            parts.append(self.credit[0].upper() + self.credit[1:] + ".")
        if self.figure is not None:
            parts.append("The loss curve is attached.")
        if run.repo_url and run.commit:
            parts.append(f"Code: {run.repo_url} at {run.commit[:7]}.")
        return " ".join(parts)

    credit: str | None = None  # "built on Andrej Karpathy's nanoGPT at e86574a" (set by drafts)

    @property
    def based_on(self) -> str | None:
        """The reading-list entry the recorded run says it builds on."""
        if self.recorded is None:
            return None
        return self.recorded.record.based_on

    def title(self) -> str | None:
        """A post title from the run: its name, on its GPUs."""
        if self.recorded is None:
            return None
        summary = self.run.gpu_summary if self.run is not None else None
        return f"{self.recorded.name} on {summary}" if summary else self.recorded.name

    def attachments(self) -> dict[str, Callable[[Path], None]]:
        """Files the post embeds, by name beside it: the loss curve, when the post shows it,
        and the run's patch, when its Reproduce block applies one."""
        if self.recorded is None:
            return {}
        run, title = self.recorded, self.title() or self.recorded.name
        files: dict[str, Callable[[Path], None]] = {}
        # a figure is shown only for a run with a loss curve
        if self.figure is not None and (series := run.series_file) is not None:

            def draw(path: Path) -> None:
                from toolkit.runs.plot import file_loss_curve

                file_loss_curve(series, path, title, run.numbers.tokens_per_step)

            files[self.figure.src] = draw
        block = self.run.reproduce if self.run is not None else None
        if block is not None and block.patch is not None:
            patch = block.patch

            def copy(path: Path) -> None:
                from toolkit.fileio import atomic_write_bytes

                atomic_write_bytes(path, patch.read_bytes())

            files[patch.name] = copy
        return files


def training_context(
    request: TrainingRequest,
    runs_root: Path,
    gpu_hour_usd: float | None,
    no_figure: bool = False,
    figure_name: str = FIGURE,
) -> TrainingRun:
    """The training-run part of a draft: `metrics` (the run's numbers, completed by a
    `--metrics` file), `run` (its facts), `figure` (the loss curve the post will embed, unless
    `no_figure`) and `comparison` (with `--baseline`)."""
    from toolkit.runs.plot import SERIES, thin_file

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
        if facts.reproduce is not None:
            found.warnings += facts.reproduce.warnings
        series = run.series_file  # looked for once: a property that asks the disk
        lines = thin_file(series) if series is not None else {}
        drawn = [column for column, *_ in SERIES if lines.get(column)]
        if drawn and not no_figure:
            found.figure = Figure(figure_name, figure_alt(facts, drawn))
    if request.baseline is not None:
        mine = found.metrics
        if mine is None:
            raise BadInput("--baseline needs numbers to compare: --run RUN_ID or --metrics FILE")
        base, label = load_baseline(request.baseline, runs_root, gpu_hour_usd)
        found.comparison = compare(mine, base, label)
    return found


def credit_line(entry: Entry, commit: str | None, people: list[str]) -> str:
    """`built on Andrej Karpathy's nanoGPT at e86574a`: the work, by name who made it (its
    figures' names, else its authors), and the commit it was built on."""
    who = ""
    people = people or list(entry.authors)
    if people:
        who = f"{people[0]}'s " if len(people) == 1 else f"{people[0]} et al.'s "
    at = f" at {commit[:7]}" if commit else ""
    return f"built on {who}{entry.title}{at}"
