"""Recorded runs on disk: `runs/YYYY-MM-DD-slug/` holding log.txt, run.json and metrics.csv.

The folder is the run: its name is the run's id, and nothing else indexes it, so runs can be
copied, committed, renamed or deleted by hand. run.json is written when the run starts (with
`exit_code: null`) and replaced atomically when it ends, so even a run whose recorder was
killed leaves a record.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text
from toolkit.runs.model import RunMetrics, RunRecord

RUN_FILE = "run.json"
LOG_FILE = "log.txt"
SERIES_FILE = "metrics.csv"
PATCH_FILE = "changes.patch"  # the run's code as a patch, when its commit is on no remote


@dataclass
class Run:
    """A recorded run: its folder (whose name is its id) and its typed record."""

    id: str
    path: Path
    record: RunRecord

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def started(self) -> datetime | None:
        return self.record.started_at

    @property
    def exit_code(self) -> int | None:
        return self.record.exit_code

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def numbers(self) -> RunMetrics:
        return self.record.numbers

    @property
    def data(self) -> dict[str, Any]:
        """The record as run.json holds it (for `--json`)."""
        return self.record.to_json()

    @property
    def metrics(self) -> dict[str, Any]:
        return self.numbers.to_json()

    def series(self) -> list[dict[str, float]]:
        name = self.numbers.series
        if not name:
            return []
        return read_series(self.path / name)

    @property
    def series_file(self) -> Path | None:
        """metrics.csv, when the run has one (read it a column at a time: runs.stream)."""
        name = self.numbers.series
        return self.path / name if name and (self.path / name).is_file() else None


def new_run_dir(root: Path, day: str, slug: str) -> Path:
    """A fresh folder `root/day-slug`, `-2`, `-3`... created exclusively (two runs started at
    the same moment never share one)."""
    root.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        folder = root / (f"{day}-{slug}" if n == 1 else f"{day}-{slug}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            n += 1


def write_run(folder: Path, record: RunRecord) -> None:
    text = json.dumps(record.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    atomic_write_text(folder / RUN_FILE, text + "\n")


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def write_series(folder: Path, rows: list[dict[str, float]], columns: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    atomic_write_text(folder / SERIES_FILE, buffer.getvalue())


def read_series(path: Path) -> list[dict[str, float]]:
    """A metrics.csv as rows of numbers (empty cells left out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the series ({exc.strerror or exc})") from None
    rows = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    for n, cells in enumerate(reader, start=2):
        row = {}
        for key, cell in zip(header, cells, strict=False):
            if cell.strip():
                try:
                    row[key.strip()] = float(cell)
                except ValueError:
                    raise BadInput(f"{path}:{n}: {key} is {cell!r}, not a number") from None
        if row:
            rows.append(row)
    return rows


def load_run(folder: Path) -> Run:
    path = folder / RUN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{folder} is not a recorded run (no {RUN_FILE})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: unreadable ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: not a run record (a JSON object)")
    return Run(folder.name, folder, RunRecord.from_json(data, folder.name))


def list_runs(root: Path) -> tuple[list[Run], list[str]]:
    """Every run under `root`, oldest first, and the folders that could not be read."""
    runs, broken = [], []
    if not root.is_dir():
        return [], []
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError as exc:
        return [], [f"{root}: unreadable ({exc.strerror or exc})"]
    for folder in folders:
        if not (folder / RUN_FILE).exists():
            continue
        try:
            runs.append(load_run(folder))
        except BadInput as exc:
            broken.append(exc.message)
    runs.sort(key=lambda r: (r.record.started, r.id))
    return runs, broken


def resolve_run(root: Path, ref: str, cwd: Path | None = None) -> Run:
    """A run by folder path, by id (its folder name), or by a part of its id that names one run."""
    as_path = Path(ref).expanduser()
    if not as_path.is_absolute():
        as_path = (cwd or Path.cwd()) / as_path
    if as_path.is_file() and as_path.name == RUN_FILE:
        as_path = as_path.parent
    if as_path.is_dir() and (as_path / RUN_FILE).exists():
        return load_run(as_path)
    runs, _ = list_runs(root)
    exact = [r for r in runs if r.id == ref]
    if exact:
        return exact[0]
    named = [r for r in runs if ref in (r.name, r.id[11:])]  # `smoke` is smoke, not smoke2
    if len(named) == 1:
        return named[0]
    partial = [r for r in runs if ref.lower() in r.id.lower()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise BadInput(
            f"{ref!r} names {len(partial)} runs: {', '.join(r.id for r in partial[-5:])}",
            hint="give the whole id (see `bip runs list`)",
        )
    from toolkit.text import did_you_mean

    raise BadInput(
        f"no run {ref!r} in {root}",
        hint=did_you_mean(ref, [r.id for r in runs])
        or "see `bip runs list`, or give the run's folder",
    )


def diverged_text(numbers: RunMetrics) -> str | None:
    """`train loss NaN or inf from step 1,200`, when the run ended with such a loss."""
    gone = numbers.diverged_loss
    if gone is None:
        return None
    key, step = gone
    return f"{key.replace('_', ' ')} NaN or inf from step {int(step):,}"


def headline(run: Run) -> str:
    """The run in one line of numbers: final val (else train) loss, steady throughput, MFU."""
    from toolkit.runs.mfu import mfu_short
    from toolkit.text import rate

    numbers = run.numbers
    parts = []
    gone = diverged_text(numbers)
    for key, label in (("val_loss", "val loss"), ("train_loss", "train loss")):
        if gone:  # a loss that ended NaN or inf is the headline, never a stale number
            parts.append(gone)
            break
        if key in numbers.final:
            parts.append(f"{label} {numbers.final[key]:.3f}")
            break
    if numbers.tokens_per_sec is not None:
        parts.append(f"{rate(numbers.tokens_per_sec)} tok/s")
    if numbers.mfu is not None:
        parts.append(mfu_short(numbers.mfu))
    return ", ".join(parts) or "no numbers parsed from its log"


def journal_line(run: Run) -> str:
    """The run as one Markdown list item: a multi-line command stays on the item's line."""
    from toolkit.text import duration

    wall = run.record.wall_seconds
    took = f", {duration(wall)}" if wall is not None else ""
    command = " ".join(shlex.join(run.record.command).split())
    command = command.replace("`", "'")
    if not command and run.record.source:  # imported: no command, what it was read from
        origin = " ".join(run.record.source.split()).replace("`", "'")
        return f"- run **{run.id}** (from {origin}): {headline(run)} ({run.status}{took})"
    return f"- run **{run.id}** (`{command}`): {headline(run)} ({run.status}{took})"


def runs_between(root: Path, since: datetime, until: datetime) -> list[Run]:
    """Runs started in [since, until]: the check-in's Built section names them."""
    runs, _ = list_runs(root)
    picked = []
    for run in runs:
        started = run.started
        if started is not None and started.tzinfo is not None and since <= started <= until:
            picked.append(run)
    return picked
