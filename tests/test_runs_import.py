"""`bip runs import`: files written by the real libraries (tests/data/runs/make_imports.py made
them once: torch's SummaryWriter, transformers' TrainerState, mlflow's default SQLite store and
its file store, trackio, wandb offline), read back into runs with the same numbers."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "runs"
MLFLOW_RUN = DATA / "mlruns" / "890311010926882960" / "b6de36edbc884704af1c3e4e1912bb6b"
WANDB_RUN = next((DATA / "wandb" / "wandb").glob("offline-run-*"))


def stamp(path: Path, when: str) -> None:
    """Give a file the modification time `when` (ISO 8601), as if written then."""
    seconds = datetime.fromisoformat(when).timestamp()
    os.utime(path, (seconds, seconds))


def loss(step: int) -> float:  # as make_imports.py logged it
    return 4 / (1 + step / 10) + 2.5


@pytest.mark.parametrize(
    ("path", "kind", "name", "started_from"),
    [
        (DATA / "tensorboard" / "gpt2-tb", "TensorBoard", "gpt2-tb", "the first event's wall time"),
        (DATA / "hf" / "checkpoint-30", "Hugging Face trainer_state.json", "checkpoint-30",
         "the modification time of trainer_state.json"),
        (MLFLOW_RUN, "MLflow", "gpt2-mlflow", "MLflow's start_time"),
        (DATA / "trackio" / "bip-demo.db", "trackio", "gpt2-trackio", "trackio's first timestamp"),
        (WANDB_RUN, "W&B offline run", "gpt2-wandb", "the run's start_time"),
    ],
    ids=["tensorboard", "trainer_state", "mlflow", "trackio", "wandb"],
)  # fmt: skip
def test_import_reads_what_the_real_library_wrote(
    bip, ws: Path, path: Path, kind: str, name: str, started_from: str
):
    shown = json.loads(bip("-w", str(ws), "runs", "import", str(path), "--json").stdout)
    assert shown["source"].startswith(f"{kind}: {path}") and shown["name"] == name
    # When the tracker says the run started (the import's own time is BIP_NOW's)
    assert shown["started_from"].startswith(started_from)
    assert shown["started"] != "2026-11-23T10:00:00+00:00"
    metrics = shown["metrics"]
    assert metrics["steps"] == 30 and metrics["formats"] == [kind]
    assert metrics["final"]["train_loss"] == pytest.approx(loss(30), rel=1e-4)  # float32 in TB
    assert metrics["final"]["val_loss"] == pytest.approx(loss(30) + 0.05, rel=1e-6)
    assert metrics["best"]["val_loss_step"] == 30
    assert metrics["learning_rate"]["value"] == pytest.approx(6e-4, rel=1e-6)
    folder = Path(shown["path"])
    rows = (folder / "metrics.csv").read_text().splitlines()
    assert len(rows) == 31 and rows[0].startswith("step,")
    listed = bip("-w", str(ws), "runs", "list").stdout
    assert shown["id"] in listed and "imported" in listed


def test_a_trackio_project_with_several_runs_asks_which(bip, ws: Path, tmp_path: Path):
    import shutil
    import sqlite3

    db = tmp_path / "two.db"
    shutil.copy(DATA / "trackio" / "bip-demo.db", db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO metrics (run_id, timestamp, run_name, step, metrics) "
            "SELECT run_id || 'x', timestamp, 'other', step, metrics FROM metrics"
        )
    result = bip("-w", str(ws), "runs", "import", str(db), code=2)
    assert "holds 2 runs: gpt2-trackio, other" in result.stderr and "--run NAME" in result.stderr
    out = bip("-w", str(ws), "runs", "import", str(db), "--run", "other").stdout
    assert out.startswith("imported trackio as ")


def test_mlflow_default_store_several_runs_by_name_or_id_and_a_nan(bip, ws: Path):
    """MLflow 3 logs to `mlflow.db` (SQLite) unless told otherwise: two runs, one of which
    diverged to NaN (stored as 0 with is_nan set)."""
    db = DATA / "mlflow-db" / "mlflow.db"
    result = bip("-w", str(ws), "runs", "import", str(db), code=2)
    assert (
        "holds 2 runs: gpt2-mlflow, gpt2-diverged" in result.stderr
        and "--run NAME" in result.stderr
    )
    assert (
        "no run 'nope'"
        in bip("-w", str(ws), "runs", "import", str(db), "--run", "nope", code=2).stderr
    )
    first = json.loads(
        bip("-w", str(ws), "runs", "import", str(db), "--run", "gpt2-mlflow", "--json").stdout
    )
    assert first["source"].startswith(f"MLflow: {db}") and first["name"] == "gpt2-mlflow"
    metrics = first["metrics"]
    assert metrics["steps"] == 30 and metrics["final"]["train_loss"] == pytest.approx(loss(30))
    assert metrics["best"]["val_loss_step"] == 30
    assert metrics["learning_rate"]["value"] == pytest.approx(6e-4)
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (uuid,) = conn.execute("SELECT run_uuid FROM runs WHERE name = 'gpt2-diverged'").fetchone()
    second = json.loads(
        bip("-w", str(ws), "runs", "import", str(db), "--run", uuid, "--json").stdout
    )
    assert second["name"] == "gpt2-diverged" and second["metrics"]["steps"] == 5
    rows = (Path(second["path"]) / "metrics.csv").read_text().splitlines()
    assert rows[-1].startswith("5,") and rows[-1].endswith(",nan")  # NaN, not the stored 0
    assert second["metrics"]["best"]["train_loss"] == pytest.approx(loss(4))


def test_csv_plain_and_wandb_export(bip, ws: Path, tmp_path: Path):
    plain = tmp_path / "series.csv"
    plain.write_text("iter,loss,val_loss\n0,5.0,\n10,4.0,4.2\n20,3.5,\n")
    stamp(plain, "2026-11-23T08:00:00+00:00")  # written this morning: today's run
    shown = json.loads(bip("-w", str(ws), "runs", "import", str(plain), "--json").stdout)
    assert shown["metrics"]["final"] == {"step": 20, "train_loss": 3.5, "val_loss": 4.2}
    assert shown["started"] == "2026-11-23T08:00:00+00:00"
    # The check-in names it by what it was read from (it has no command: no empty ``).
    day = bip("-w", str(ws), "checkin", "--offline", "--dry-run").stdout
    line = f"- run **{shown['id']}** (from CSV: {plain}): val loss 4.200 (imported)"
    assert line in day.splitlines() and "``" not in day
    # Its post's Reproduce block says where it came from, not that it ran outside git with
    # an empty command; the local path stays out of what gets published.
    post = bip("-w", str(ws), "draft", "training-run", "--run", shown["id"], "--stdout").stdout
    block = post.split("## Reproduce", 1)[1]
    assert "Imported from CSV: bip did not run it" in block and str(plain) not in post
    assert "```sh\n# the exact commands you ran\n```" in block
    # W&B's panel "Export CSV": Step, then "<run> - <metric>" with __MIN/__MAX companions.
    export = tmp_path / "wandb_export.csv"
    export.write_text(
        '"Step","gpt2 - train/loss","gpt2 - train/loss__MIN","gpt2 - train/loss__MAX"\n'
        '"1","5.5","5.5","5.5"\n"2","5.0","5.0","5.0"\n'
    )
    shown = json.loads(bip("-w", str(ws), "runs", "import", str(export), "--json").stdout)
    assert shown["source"].startswith("W&B CSV export") and shown["name"] == "gpt2"
    assert shown["metrics"]["final"] == {"step": 2, "train_loss": 5.0}


def test_bad_inputs_say_what_to_fix(bip, ws: Path, tmp_path: Path):
    assert (
        "does not exist"
        in bip("-w", str(ws), "runs", "import", str(tmp_path / "nope"), code=2).stderr
    )
    bad = tmp_path / "x.csv"
    bad.write_text("loss,lr\n1,2\n")
    assert (
        "x.csv:1: no step column" in bip("-w", str(ws), "runs", "import", str(bad), code=2).stderr
    )
    experiment = MLFLOW_RUN.parent
    result = bip("-w", str(ws), "runs", "import", str(experiment), code=2)
    assert "an MLflow experiment with 1 runs" in result.stderr and MLFLOW_RUN.name in result.stderr
    broken = tmp_path / "run-x.wandb"
    broken.write_bytes(
        (WANDB_RUN / next(WANDB_RUN.glob("*.wandb")).name).read_bytes()[:200] + b"\xff" * 50
    )
    assert "damaged at byte" in bip("-w", str(ws), "runs", "import", str(broken), code=2).stderr
    latin = tmp_path / "excel.csv"  # Excel's default "CSV" is the locale's code page
    latin.write_bytes("step,loss,note\n1,2.5,ok\n2,2.1,caf\xe9\n".encode("cp1252"))
    result = bip("-w", str(ws), "runs", "import", str(latin), code=2)
    assert (
        "excel.csv:3: not UTF-8 text" in result.stderr and "save the CSV as UTF-8" in result.stderr
    )
    assert not (ws / "runs").exists() or not any((ws / "runs").iterdir())


def test_a_run_imported_today_starts_when_its_source_says_not_at_the_import(
    bip, ws: Path, tmp_path: Path
):
    """The tracker's own time (a timestamp column here), else the file's modification time,
    never the import's: an old run imported today is not in today's check-in. run.json and
    `runs show` say where the time comes from."""
    old = tmp_path / "old.csv"
    old.write_text("step,loss\n1,5.0\n2,4.0\n")
    stamp(old, "2026-11-10T09:00:00+00:00")
    shown = json.loads(bip("-w", str(ws), "runs", "import", str(old), "--json").stdout)
    assert shown["id"] == "2026-11-10-old" and shown["started"] == "2026-11-10T09:00:00+00:00"
    assert shown["started_from"] == "the modification time of old.csv (CSV records no start time)"
    text = bip("-w", str(ws), "runs", "show", "2026-11-10-old").stdout
    assert "2026-11-10T09:00:00+00:00 (from the modification time of old.csv" in text
    logged = tmp_path / "logged.csv"  # Unix seconds, as W&B's _timestamp and most loggers write
    first = datetime(2026, 11, 12, 6, tzinfo=timezone.utc).timestamp()
    logged.write_text(f"step,timestamp,loss\n1,{first},5.0\n2,{first + 60},4.0\n")
    out = bip("-w", str(ws), "runs", "import", str(logged)).stdout
    assert "started 2026-11-12T06:00:00+00:00 (from the CSV's 'timestamp' column)" in out
    shown = json.loads(bip("-w", str(ws), "runs", "show", "logged", "--json").stdout)
    assert shown["metrics"]["final"] == {"step": 2, "train_loss": 4.0}  # the time is no metric
    board = tmp_path / "board.csv"  # TensorBoard's "Download CSV"; ISO 8601 works the same
    board.write_text("Wall time,Step,Value\n1763445600.5,0,5.0\n1763445700.25,10,4.0\n")
    iso = tmp_path / "iso.csv"
    iso.write_text("date,step,loss\n2026-11-15T10:00:00Z,1,5.0\n2026-11-15T11:00:00Z,2,4.0\n")
    for path, started in ((board, "2025-11-18T06:00:00+00:00"), (iso, "2026-11-15T10:00:00+00:00")):
        shown = json.loads(bip("-w", str(ws), "runs", "import", str(path), "--json").stdout)
        assert shown["started"] == started and "column" in shown["started_from"]
    day = bip("-w", str(ws), "checkin", "--offline", "--dry-run").stdout
    assert "run **" not in day  # none of them ran since the last check-in
    # A copy made today has today's modification time: --started says when it really ran.
    copy = tmp_path / "copy.csv"
    copy.write_text(old.read_text())
    result = bip("-w", str(ws), "runs", "import", str(copy), "--started", "tomorrow", code=2)
    assert "--started 'tomorrow' is not a date-time" in result.stderr
    assert not any(p.name.endswith("-copy") for p in (ws / "runs").iterdir())
    args = ("runs", "import", str(copy), "--started", "2026-11-05T09:00", "--json")
    shown = json.loads(bip("-w", str(ws), *args).stdout)
    assert shown["id"] == "2026-11-05-copy" and shown["started"] == "2026-11-05T09:00:00+00:00"
    assert shown["started_from"] == "--started"
