"""Write the files `bip runs import` is tested on, with the real libraries (run once, by hand;
the outputs are committed beside this script, so the tests need none of these libraries but
the readers bip uses).

    python -m venv /tmp/gen && /tmp/gen/bin/pip install torch==2.13.0 tensorboard \
        mlflow-skinny sqlalchemy alembic trackio wandb transformers
    /tmp/gen/bin/python tests/data/runs/make_imports.py tests/data/runs

Every library logs the same small run: 30 steps of a loss curve 4 / (1 + step / 10) + 2.5,
a validation loss every 10 steps (+ 0.05), a learning rate warming up over 10 steps to 6e-4.
The tests restate these formulas.

Versions used: torch 2.13.0 (SummaryWriter), tensorboard 2.21.0, transformers 5.25.0
(TrainerState.save_to_json), mlflow-skinny 3.18.0 (file store), trackio 0.43.0, wandb (offline).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

STEPS = range(1, 31)


def loss(step: int) -> float:
    return 4 / (1 + step / 10) + 2.5


def lr(step: int) -> float:
    return 6e-4 * min(1.0, step / 10)


def tensorboard(out: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    folder = out / "tensorboard" / "gpt2-tb"
    shutil.rmtree(folder, ignore_errors=True)
    writer = SummaryWriter(log_dir=str(folder))
    for step in STEPS:
        writer.add_scalar("train/loss", loss(step), step)
        writer.add_scalar("train/lr", lr(step), step)
        if step % 10 == 0:
            writer.add_scalar("val/loss", loss(step) + 0.05, step)
    writer.close()


def trainer_state(out: Path) -> None:
    from transformers import TrainerState

    state = TrainerState(global_step=30, max_steps=30, train_batch_size=8)
    for step in STEPS:  # as Trainer.log appends them: the logs plus {"step": global_step}
        state.log_history.append(
            {
                "loss": round(loss(step), 4),
                "grad_norm": 1.5,
                "learning_rate": lr(step),
                "epoch": step / 30,
                "step": step,
            }  # fmt: skip
        )
        if step % 10 == 0:
            state.log_history.append(
                {
                    "eval_loss": loss(step) + 0.05,
                    "eval_runtime": 1.25,
                    "epoch": step / 30,
                    "step": step,
                }  # fmt: skip
            )
    state.log_history.append({"train_runtime": 42.0, "train_loss": 3.5, "epoch": 1.0, "step": 30})
    folder = out / "hf" / "checkpoint-30"
    folder.mkdir(parents=True, exist_ok=True)
    state.save_to_json(str(folder / "trainer_state.json"))


def mlflow_gpt2(mlflow: Any) -> None:
    """The small run, in experiment `bip`, to whichever store the tracking URI names."""
    mlflow.set_experiment("bip")
    with mlflow.start_run(run_name="gpt2-mlflow"):
        mlflow.log_param("lr", 6e-4)
        for step in STEPS:
            mlflow.log_metric("train/loss", loss(step), step=step)
            mlflow.log_metric("lr", lr(step), step=step)
            if step % 10 == 0:
                mlflow.log_metric("val/loss", loss(step) + 0.05, step=step)


def mlflow_run(out: Path) -> None:
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # 3.x keeps the file store, in maintenance
    import mlflow

    root = out / "mlruns"
    shutil.rmtree(root, ignore_errors=True)
    mlflow.set_tracking_uri(root.resolve().as_uri())
    mlflow_gpt2(mlflow)


def mlflow_db(out: Path) -> None:
    """MLflow 3's default store: `sqlite:///mlflow.db` in the folder the script runs in. Two
    runs (the second one short, with a NaN loss), so the reader must be told which."""
    import mlflow

    folder = out / "mlflow-db"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    mlflow.set_tracking_uri(f"sqlite:///{(folder / 'mlflow.db').resolve()}")
    mlflow_gpt2(mlflow)
    with mlflow.start_run(run_name="gpt2-diverged"):
        for step in range(1, 6):
            mlflow.log_metric("train/loss", float("nan") if step == 5 else loss(step), step=step)


def trackio_run(out: Path) -> None:
    folder = out / "trackio"
    shutil.rmtree(folder, ignore_errors=True)
    os.environ["TRACKIO_DIR"] = str(folder.resolve())
    import trackio

    trackio.init(project="bip-demo", name="gpt2-trackio", config={"lr": 6e-4})
    for step in STEPS:
        values = {"train/loss": loss(step), "lr": lr(step)}
        if step % 10 == 0:
            values["val/loss"] = loss(step) + 0.05
        trackio.log(values, step=step)
    trackio.finish()


def wandb_run(out: Path) -> None:
    folder = out / "wandb"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    import wandb

    run = wandb.init(project="bip", name="gpt2-wandb", dir=str(folder), config={"lr": 6e-4})
    for step in STEPS:
        values = {"train/loss": loss(step), "lr": lr(step)}
        if step % 10 == 0:
            values["val/loss"] = loss(step) + 0.05
        run.log(values, step=step)
    run.finish()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    only = sys.argv[2:] or [
        "tensorboard",
        "trainer_state",
        "mlflow_run",
        "mlflow_db",
        "trackio_run",
        "wandb_run",
    ]
    for name in only:
        globals()[name](target)
        print("wrote", name)
