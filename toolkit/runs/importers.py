"""`bip runs import PATH`: runs bip did not wrap, read from the files their tracker wrote.

- TensorBoard event files (`events.out.tfevents.*`, or a folder of them): tensorboard's own
  EventAccumulator (the optional extra `import`);
- a Hugging Face `trainer_state.json` (or the checkpoint folder holding it): its `log_history`;
- MLflow: its default store (`mlflow.db`, SQLite) or a file-store run folder
  (`mlruns/<experiment>/<run>/`), read without installing mlflow (toolkit/runs/mlflowstore.py);
- a trackio project (`<project>.db`): trackio stores runs in SQLite, read with sqlite3;
- a W&B offline run (`wandb/offline-run-*/`): wandb's own datastore reader (extra `import`);
- a W&B "Export CSV" (`Step`, `<run> - <metric>` columns) or a plain CSV with a step column.

Every reader yields rows in step order; they go through the same SeriesWriter as `bip run`, so
an imported run has a metrics.csv and the same numbers (final, best, steady state, MFU when
the hardware is given).
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from toolkit.errors import BadInput, BipError
from toolkit.runs.parse import STEP_KEYS, column_name, to_number
from toolkit.runs.store import Run

Row = dict[str, float]
NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
EXTRA_HINT = "pip install 'build-in-public[import]' (TensorBoard's and W&B's own readers)"
# A CSV column holding when each row was logged (TensorBoard's "Download CSV" says "Wall time")
TIME_KEYS = ("timestamp", "_timestamp", "wall_time", "wall time", "walltime", "datetime", "date")


@dataclass
class Source:
    kind: str  # "TensorBoard", "Hugging Face trainer_state.json", "MLflow", ...
    path: Path
    name: str  # the run's name as the tracker knew it
    started: datetime | None  # when the tracker says the run started; None: it does not say
    rows: list[Row]  # one per step, in step order, `step` set
    facts: dict[str, str]  # what else the tracker recorded (params, its run id)
    started_from: str | None = None  # where `started` comes from: "MLflow's start_time"


def merge(points: Iterable[tuple[int, str, float]]) -> list[Row]:
    by_step: dict[int, Row] = {}
    for step, key, value in points:
        by_step.setdefault(step, {"step": float(step)})[column_name(key)] = value
    return [by_step[s] for s in sorted(by_step)]


def moment(cell: str) -> datetime | None:
    """A time cell: Unix seconds (milliseconds, as MLflow and W&B write them) or ISO 8601."""
    text = cell.strip()
    number = to_number(text)
    if number is not None:
        if number > 1e11:
            number /= 1000
        return when(number) if number >= 1e9 else None  # before 2001: a duration, not a date
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def when(seconds: float | None) -> datetime | None:
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


# -- TensorBoard ---------------------------------------------------------------------------------


def read_tensorboard(path: Path) -> Source:
    try:
        from tensorboard.backend.event_processing.event_accumulator import (
            EventAccumulator,
        )
    except ImportError:
        raise BipError(
            "reading TensorBoard event files needs tensorboard", hint=EXTRA_HINT
        ) from None
    accumulator = EventAccumulator(str(path), size_guidance={"scalars": 0, "tensors": 0})
    try:
        accumulator.Reload()
    except Exception as exc:  # noqa: BLE001 -- tensorboard raises its own and protobuf's errors
        raise BadInput(f"{path}: not readable as TensorBoard event files ({exc})") from None
    tags = accumulator.Tags()
    points: list[tuple[int, str, float]] = []
    first: float | None = None
    for tag in tags.get("scalars", []):
        for event in accumulator.Scalars(tag):
            points.append((int(event.step), tag, float(event.value)))
            first = event.wall_time if first is None else min(first, event.wall_time)
    for tag in tags.get("tensors", []):
        for event in accumulator.Tensors(tag):
            import numpy as np
            from tensorboard.util import tensor_util

            value = np.asarray(tensor_util.make_ndarray(event.tensor_proto))
            if value.size == 1 and value.dtype.kind in "fiu":
                points.append((int(event.step), tag, float(value.reshape(()))))
                first = event.wall_time if first is None else min(first, event.wall_time)
    if not points:
        raise BadInput(f"{path}: no scalar in these TensorBoard event files")
    name = path.name if path.is_dir() else path.parent.name
    return Source("TensorBoard", path, name, when(first), merge(points), {},
                  "the first event's wall time")  # fmt: skip


# -- Hugging Face trainer_state.json ---------------------------------------------------------------


def read_trainer_state(path: Path) -> Source:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: unreadable ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise BadInput(f"{path}: no log_history (not a Hugging Face trainer_state.json)")
    points: list[tuple[int, str, float]] = []
    for n, entry in enumerate(history):
        if not isinstance(entry, dict) or "train_runtime" in entry:
            continue  # the closing summary: its train_loss is the run's mean, no step's
        step = entry.get("step")
        if not isinstance(step, int):
            raise BadInput(f"{path}: log_history[{n}] has no step")
        for key, value in entry.items():
            if key in ("step", "epoch") or isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                points.append((step, key, float(value)))
    facts = {k: str(data[k]) for k in ("global_step", "max_steps", "train_batch_size") if k in data}
    return Source("Hugging Face trainer_state.json", path, path.parent.name, None,
                  merge(points), facts)  # fmt: skip


# -- MLflow's file store ---------------------------------------------------------------------------


# -- trackio -------------------------------------------------------------------------------------


def read_trackio(path: Path, run: str | None) -> Source:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: not a trackio project ({exc})") from None
    try:
        names = [r[0] for r in db.execute("SELECT DISTINCT run_name FROM metrics ORDER BY id")]
        if run is None:
            if len(names) != 1:
                raise BadInput(
                    f"{path} holds {len(names)} runs: {', '.join(names[:10])}",
                    hint="pick one with --run NAME",
                )
            run = names[0]
        elif run not in names:
            raise BadInput(f"{path} has no run {run!r}", hint=f"its runs: {', '.join(names[:10])}")
        points: list[tuple[int, str, float]] = []
        first = None
        for step, stamp, blob in db.execute(
            "SELECT step, timestamp, metrics FROM metrics WHERE run_name = ? ORDER BY id", (run,)
        ):
            values = json.loads(blob)
            first = first or stamp
            for key, value in values.items():
                if isinstance(value, str):  # trackio writes inf and NaN as "Infinity", "NaN"
                    value = NON_FINITE.get(value, value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    points.append((int(step), key, float(value)))
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: not a trackio project ({exc})") from None
    finally:
        db.close()
    started = None
    if first:
        try:
            started = datetime.fromisoformat(str(first))
        except ValueError:
            started = None
    return Source("trackio", path, run, started, merge(points), {"project": path.stem},
                  "trackio's first timestamp")  # fmt: skip


# -- Weights & Biases ------------------------------------------------------------------------------


WANDB_HEADER = struct.Struct("<4sHB")  # ":W&B", magic 0xBEE1, version 0
WANDB_RECORD = struct.Struct("<IHB")  # crc32, length, type (LevelDB log: full/first/middle/last)
WANDB_BLOCK = 32768


def wandb_records(path: Path) -> Iterator[bytes]:
    """The records of a W&B transaction log (`run-*.wandb`): LevelDB's log format (32 KiB
    blocks of checksummed fragments) after a 7-byte W&B header. wandb itself reads these in its
    Go core since 0.19; its Python package keeps only the records' protobuf classes."""
    data = path.read_bytes()
    if len(data) < WANDB_HEADER.size:
        raise BadInput(f"{path}: too short for a W&B run file")
    ident, magic, _ = WANDB_HEADER.unpack_from(data)
    if ident != b":W&B" or magic != 0xBEE1:
        raise BadInput(f"{path}: not a W&B run file (its header is {data[:7]!r})")
    at, pending = WANDB_HEADER.size, b""
    while at + WANDB_RECORD.size <= len(data):
        room = WANDB_BLOCK - at % WANDB_BLOCK
        if room < WANDB_RECORD.size:
            at += room  # the block's tail is padding
            continue
        crc, length, kind = WANDB_RECORD.unpack_from(data, at)
        start = at + WANDB_RECORD.size
        chunk = data[start : start + length]
        if len(chunk) < length or zlib.crc32(chunk, zlib.crc32(bytes([kind]))) != crc:
            if length == 0 and kind == 0:
                break  # zero padding at the end of a file still being written
            raise BadInput(f"{path}: damaged at byte {at} (checksum or length)")
        at = start + length
        if kind == 1:
            yield chunk
        elif kind == 2:
            pending = chunk
        elif kind == 3:
            pending += chunk
        elif kind == 4:
            yield pending + chunk
            pending = b""


def read_wandb_offline(path: Path) -> Source:
    files = [path] if path.is_file() else sorted(path.glob("run-*.wandb"))
    if not files:
        raise BadInput(f"{path}: no run-*.wandb file (not a W&B offline run folder)")
    try:
        from wandb.proto import wandb_internal_pb2
    except ImportError:
        raise BipError("reading a W&B offline run needs wandb", hint=EXTRA_HINT) from None
    points: list[tuple[int, str, float]] = []
    name, first = path.name, None
    for data in wandb_records(files[0]):
        record = wandb_internal_pb2.Record()  # type: ignore[attr-defined]  # protobuf-generated
        record.ParseFromString(data)
        kind = record.WhichOneof("record_type")
        if kind == "run":
            name = record.run.display_name or record.run.run_id or name
            first = record.run.start_time.seconds or None
        elif kind == "history":
            items = {
                item.key or "/".join(item.nested_key): json.loads(item.value_json)
                for item in record.history.item
            }
            step = items.pop("_step", None)
            if step is None and record.history.HasField("step"):
                step = record.history.step.num
            for key, value in items.items():
                if isinstance(value, str):
                    value = NON_FINITE.get(value, value)
                if key.startswith("_") or isinstance(value, bool):
                    continue
                if isinstance(value, (int, float)):
                    points.append((int(step or 0), key, float(value)))
    return Source("W&B offline run", path, name, when(first), merge(points), {},
                  "the run's start_time")  # fmt: skip


def read_csv(path: Path) -> Source:
    """A plain CSV series, or W&B's "Export CSV" (`Step`, `<run> - <metric>`, `__MIN`/`__MAX`)."""
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise BadInput(f"{path}: unreadable ({exc.strerror or exc})") from None
    try:
        return _read_csv(path, fh)
    except UnicodeDecodeError:
        fh.close()
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            line = 1
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
        raise BadInput(
            f"{path}:{line}: not UTF-8 text", hint="save the CSV as UTF-8 (CSV UTF-8 in Excel)"
        ) from None


def _read_csv(path: Path, fh: TextIO) -> Source:
    with fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        if not header:
            raise BadInput(f"{path}: the CSV file is empty")
        wandb = any(" - " in h for h in header) and header[0].lower() in ("step", "_step")
        kind, name = ("W&B CSV export", path.stem) if wandb else ("CSV", path.stem)
        keys: list[str | None] = []
        for h in header:
            if wandb and (h.endswith("__MIN") or h.endswith("__MAX")):
                keys.append(None)
            elif wandb and " - " in h:
                name, _, metric = h.partition(" - ")
                keys.append(metric)
            else:
                keys.append(h)
        lowered = [(k or "").lower() for k in keys]
        at = next((lowered.index(k) for k in STEP_KEYS if k in lowered), None)
        clock = next((lowered.index(k) for k in TIME_KEYS if k in lowered), None)
        if clock is not None:
            keys[clock] = None  # when a row was logged: the run's start, not a metric
        started = None
        if at is None:
            raise BadInput(
                f"{path}:1: no step column ({', '.join(header[:8])})",
                hint="name one column step (or iter, iteration, global_step)",
            )
        points: list[tuple[int, str, float]] = []
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if started is None and clock is not None and clock < len(cells):
                started = moment(cells[clock])
            step = to_number(cells[at]) if at < len(cells) else None
            if step is None or not math.isfinite(step):
                raise BadInput(f"{path}:{n}: the step is {cells[at] if at < len(cells) else ''!r}")
            for key, cell in zip(keys, cells, strict=False):
                if key is None or key == keys[at] or not cell.strip():
                    continue
                value = to_number(cell.strip())
                if value is not None:
                    points.append((int(step), key, value))
    said = f"the CSV's {header[clock]!r} column" if clock is not None else None
    return Source(kind, path, name, started, merge(points), {}, said)


# -- which reader --------------------------------------------------------------------------------


def detect(path: Path) -> str:
    if not path.exists():
        raise BadInput(f"{path} does not exist")
    if path.is_file():
        if path.name.startswith("events.out.tfevents"):
            return "tensorboard"
        if path.name == "trainer_state.json":
            return "trainer_state"
        if path.suffix == ".wandb":
            return "wandb"
        if path.suffix == ".db":
            from toolkit.runs.mlflowstore import is_mlflow_db

            return "mlflow-db" if is_mlflow_db(path) else "trackio"
        if path.suffix.lower() == ".csv":
            return "csv"
        raise BadInput(
            f"{path}: bip does not know this file",
            hint="give TensorBoard event files, trainer_state.json, MLflow's mlflow.db or a "
            "run folder, a trackio .db, a W&B offline run or CSV",
        )
    if (path / "trainer_state.json").is_file():
        return "trainer_state"
    if (path / "meta.yaml").is_file() and (path / "metrics").is_dir():
        return "mlflow"
    if any(path.glob("run-*.wandb")):
        return "wandb"
    if any(path.rglob("events.out.tfevents*")):
        return "tensorboard"
    runs = [p.parent for p in path.glob("*/meta.yaml") if (p.parent / "metrics").is_dir()]
    if runs:
        raise BadInput(
            f"{path} is an MLflow experiment with {len(runs)} runs",
            hint="give one run's folder: " + ", ".join(str(r) for r in runs[:3]),
        )
    raise BadInput(f"{path}: no run bip can read in this folder")


def read_source(path: Path, run: str | None = None) -> Source:
    kind = detect(path)
    if kind == "tensorboard":
        return read_tensorboard(path)
    if kind == "trainer_state":
        return read_trainer_state(path if path.is_file() else path / "trainer_state.json")
    if kind in ("mlflow", "mlflow-db"):
        from toolkit.runs import mlflowstore

        return mlflowstore.read_run(path) if kind == "mlflow" else mlflowstore.read_db(path, run)
    if kind == "trackio":
        return read_trackio(path, run)
    if kind == "wandb":
        return read_wandb_offline(path)
    return read_csv(path)


def when_started(source: Source, now: datetime, given: str | None = None) -> tuple[datetime, str]:
    """When the imported run started, in the user's time zone, and where that comes from:
    `--started`, else the tracker's own time, else the file's modification time (never the
    import's: an old run imported today is no run of today's check-in, nor the profile's
    latest)."""
    zone = now.tzinfo
    if given is not None:
        started = moment(given)
        if started is None:
            raise BadInput(
                f"--started {given!r} is not a date-time", hint="e.g. --started 2026-11-20T09:00"
            )
        said = "--started"
        if started.tzinfo is None:
            started = started.replace(tzinfo=zone)
    elif source.started is not None:
        started, said = source.started, source.started_from or f"{source.kind}'s start time"
        if started.tzinfo is None:  # a time written without its zone: the user's
            started = started.replace(tzinfo=zone)
    else:
        try:
            started = datetime.fromtimestamp(source.path.stat().st_mtime, tz=zone or timezone.utc)
        except OSError:
            return now, "the import's time (the files give no time)"
        said = f"the modification time of {source.path.name} ({source.kind} records no start time)"
    return (started.astimezone(zone) if zone else started), said


def import_run(
    root: Path,
    path: Path,
    now: datetime,
    name: str | None = None,
    run: str | None = None,
    started: str | None = None,
) -> tuple[Run, Source]:
    """Read the run at `path` and record it under `root` as bip records its own runs;
    `started` (ISO 8601) overrides when the files say it started."""
    from toolkit.runs import store
    from toolkit.runs.mfu import run_mfu
    from toolkit.runs.model import LearningRate, RunMetrics, RunRecord
    from toolkit.runs.stream import SeriesWriter
    from toolkit.text import run_slug

    source = read_source(path.expanduser().resolve(), run)
    if not source.rows:
        raise BadInput(f"{path}: {source.kind} holds no metric")
    began, said = when_started(source, now, started)
    title = name or source.name
    folder = store.new_run_dir(root, f"{began:%Y-%m-%d}", run_slug(title) or "imported")
    try:
        writer = SeriesWriter(folder / store.SERIES_FILE)
        for row in source.rows:
            writer.add(row)
        steady = writer.finish()
        lr = writer.peak_lr
        metrics = RunMetrics(
            final=writer.final,
            diverged=writer.diverged,
            final_steps=writer.final_steps,
            best=writer.best,
            steady_state=steady,
            series=store.SERIES_FILE,
            steps=writer.max_step,
            learning_rate=LearningRate(lr, "the peak of the logged schedule") if lr else None,
            formats=[source.kind],
        )
        metrics.mfu = run_mfu(metrics, None)
        record = RunRecord(
            id=folder.name,
            name=title,
            command=[],
            cwd=str(source.path),
            started=began.isoformat(timespec="seconds"),
            started_from=said,
            software=dict(source.facts),
            metrics=metrics,
            source=f"{source.kind}: {source.path}",
        )
        store.write_run(folder, record)
    except BaseException:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        raise
    return store.load_run(folder), source
