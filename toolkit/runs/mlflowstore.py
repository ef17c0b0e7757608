"""MLflow's runs, read without installing mlflow (a server's worth of dependencies to read a
SQLite file or text files).

- `mlflow.db`: MLflow 3's default store (`sqlite:///mlflow.db` in the folder the script ran in).
  Its documented tables: `runs` (run_uuid, name, start_time, lifecycle_stage), `metrics` (key,
  value, timestamp, run_uuid, step, is_nan: a NaN is stored as 0 with is_nan set), `params`.
  A file with several runs needs `--run NAME|ID`; deleted runs are left out.
- a file-store run folder (`mlruns/<experiment>/<run>/`), the store MLflow 3 keeps in
  maintenance.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from toolkit.errors import BadInput
from toolkit.runs.importers import Source, merge, when
from toolkit.runs.parse import to_number

RUN_TABLES = {"runs", "metrics", "params", "experiments"}


def is_mlflow_db(path: Path) -> bool:
    """Whether `path` is an SQLite file holding MLflow's tables (else: trackio's, or none)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return RUN_TABLES <= names


def read_db(path: Path, run: str | None) -> Source:
    """One run of an `mlflow.db`: by name or run id, or the only one."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: cannot open MLflow's store ({exc})") from None
    try:
        runs = db.execute(
            "SELECT run_uuid, name, start_time FROM runs WHERE lifecycle_stage != 'deleted' "
            "ORDER BY start_time"
        ).fetchall()
        names = ", ".join(str(r[1] or r[0]) for r in runs[:10])
        if run is None:
            if len(runs) != 1:
                raise BadInput(
                    f"{path} holds {len(runs)} runs{': ' + names if runs else ''}",
                    hint="pick one with --run NAME (or its run id)" if runs else None,
                )
            chosen = runs[0]
        else:
            found = [r for r in runs if run in (r[0], r[1])]
            if not found:
                raise BadInput(f"{path} has no run {run!r}", hint=f"its runs: {names}")
            if len(found) > 1:
                raise BadInput(
                    f"{path} has {len(found)} runs named {run!r}",
                    hint="give the run id: " + ", ".join(r[0] for r in found[:5]),
                )
            chosen = found[0]
        uuid, name, started = chosen
        points = [
            (int(step), str(key), math.nan if is_nan else float(value))
            for key, value, step, is_nan in db.execute(
                "SELECT key, value, step, is_nan FROM metrics WHERE run_uuid = ? "
                "ORDER BY step, timestamp",
                (uuid,),
            )
        ]
        params = {str(k): str(v) for k, v in db.execute(
            "SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key", (uuid,)
        )}  # fmt: skip
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: not an MLflow store bip can read ({exc})") from None
    finally:
        db.close()
    seconds = started / 1000 if isinstance(started, (int, float)) else None
    return Source(
        "MLflow", path, str(name or uuid), when(seconds), merge(points),
        {"mlflow_run_id": str(uuid), **params}, "MLflow's start_time",
    )  # fmt: skip


def _meta(path: Path) -> dict[str, str]:
    """meta.yaml's top-level `key: value` pairs (MLflow writes flat YAML here)."""
    from toolkit import yamledit

    try:
        data = yamledit.to_plain(yamledit.parse(path.read_text(encoding="utf-8"), str(path)))
    except OSError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def read_run(path: Path) -> Source:
    """A file-store run folder: `metrics/<key>` holding `timestamp value step` lines,
    `meta.yaml`, `params/<key>`."""
    metrics = path / "metrics"
    points: list[tuple[int, str, float]] = []
    for file in sorted(p for p in metrics.rglob("*") if p.is_file()):
        key = file.relative_to(metrics).as_posix()
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2 or (value := to_number(parts[1])) is None:
                raise BadInput(f"{file}:{n}: not `timestamp value step` ({line!r})")
            step = int(parts[2]) if len(parts) > 2 and parts[2].lstrip("-").isdigit() else 0
            points.append((step, key, value))
    meta = _meta(path / "meta.yaml")
    params = {}
    if (path / "params").is_dir():
        for file in sorted(p for p in (path / "params").rglob("*") if p.is_file()):
            params[file.relative_to(path / "params").as_posix()] = file.read_text().strip()
    name = meta.get("run_name") or path.name
    started = to_number(meta.get("start_time", "")) if meta.get("start_time") else None
    facts = {"mlflow_run_id": meta.get("run_id", path.name), **params}
    return Source("MLflow", path, name, when(started / 1000 if started else None),
                  merge(points), facts, "MLflow's start_time")  # fmt: skip
