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
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text

RUN_FILE = "run.json"
LOG_FILE = "log.txt"
SERIES_FILE = "metrics.csv"
FORMAT = 1


@dataclass
class Run:
    id: str
    path: Path
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.id)

    @property
    def started(self) -> datetime | None:
        try:
            return datetime.fromisoformat(str(self.data.get("started")))
        except ValueError:
            return None

    @property
    def exit_code(self) -> int | None:
        code = self.data.get("exit_code")
        return code if isinstance(code, int) else None

    @property
    def metrics(self) -> dict[str, Any]:
        found = self.data.get("metrics")
        return found if isinstance(found, dict) else {}

    @property
    def status(self) -> str:
        if self.exit_code is None:
            return "unfinished"  # still running, or its recorder was killed
        if self.data.get("interrupted"):
            return "interrupted"
        return "ok" if self.exit_code == 0 else f"exit {self.exit_code}"

    def series(self) -> list[dict[str, float]]:
        name = self.metrics.get("series")
        if not name:
            return []
        return read_series(self.path / str(name))


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


def write_run(folder: Path, data: dict[str, Any]) -> None:
    atomic_write_text(folder / RUN_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


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
    return Run(folder.name, folder, data)


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
    runs.sort(key=lambda r: (str(r.data.get("started") or ""), r.id))
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


def number(value: float, digits: int = 3) -> str:
    """A loss or rate as people write it: 3.281, 178,000, 1.2M."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def headline(run: Run) -> str:
    """The run in one line of numbers: final val (else train) loss and steady throughput."""
    metrics = run.metrics
    final = metrics.get("final") or {}
    steady = metrics.get("steady_state") or {}
    parts = []
    for key, label in (("val_loss", "val loss"), ("train_loss", "train loss")):
        if isinstance(final.get(key), (int, float)):
            parts.append(f"{label} {final[key]:.3f}")
            break
    if isinstance(steady.get("tokens_per_sec"), (int, float)):
        parts.append(f"{steady['tokens_per_sec']:,.0f} tok/s")
    if isinstance(steady.get("mfu"), (int, float)):
        parts.append(f"MFU {steady['mfu'] * 100:.1f}%")
    return ", ".join(parts) or "no numbers parsed from its log"


def runs_between(root: Path, since: datetime, until: datetime) -> list[Run]:
    """Runs started in [since, until]: the check-in's Built section names them."""
    runs, _ = list_runs(root)
    picked = []
    for run in runs:
        started = run.started
        if started is not None and started.tzinfo is not None and since <= started <= until:
            picked.append(run)
    return picked
