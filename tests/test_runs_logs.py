# ruff: noqa: UP031, UP032 -- the samples use the trainers' own format strings as written (printf, str.format)
"""The logs people print, parsed as they stream; numbers that overflow; MFU of the GPU it ran on.

Every built-in format is checked against lines written the way that project's own code prints
them: the print statement is cited (repository, file, line, commit) beside each sample, and the
sample is produced by the same format string, not retyped."""

from __future__ import annotations

import json
import math
import os
import select
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.runs import mfu
from toolkit.runs.model import GPUInfo, HardwareInfo, RunMetrics, SteadyState
from toolkit.runs.parse import parse_lines
from toolkit.runs.stream import HOLD


def rows_of(lines: list[str]) -> dict[int, dict[str, float]]:
    return {int(r["step"]): r for r in parse_lines(lines).rows}


def test_nanogpt_as_train_py_prints_it():
    # karpathy/nanoGPT@3adf61e train.py:102, :265, :327; model.py prints the parameter count.
    tokens_per_iter = 491520
    losses = {"train": 4.2, "val": 4.3}
    lines = [
        f"tokens per iteration will be: {tokens_per_iter:,}",
        "number of parameters: %.2fM" % (123.59e6 / 1e6,),
        f"step {0}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}",
        f"iter {0}: loss {4.25:.4f}, time {1234.5:.2f}ms, mfu {-100 * 100:.2f}%",
        f"iter {10}: loss {3.9:.4f}, time {170.25:.2f}ms, mfu {0.3812 * 100:.2f}%",
    ]
    parsed = parse_lines(lines)
    assert parsed.formats == ["nanoGPT"] and parsed.params == 123_590_000
    rows = {int(r["step"]): r for r in parsed.rows}
    assert rows[0] == {"step": 0, "eval_train_loss": 4.2, "val_loss": 4.3, "train_loss": 4.25,
                       "time_ms": 1234.5, "tokens": 0,
                       "tokens_per_sec": pytest.approx(tokens_per_iter / 1.2345)}  # fmt: skip
    assert rows[10]["mfu"] == pytest.approx(0.3812) and rows[10]["tokens"] == 10 * 491520


def test_llmc_both_trainers_as_they_print():
    # karpathy/llm.c@f1e2ace train_gpt2.cu:1652 (batch line), :1728 (val loss, printed before
    # the step that follows it), :1872 (the step line).
    B, T, procs, total = 64, 1024, 8, 524288
    cu = [
        "batch_size B=%d * seq_len T=%d * num_processes=%d and total_batch_size=%d"
        % (B, T, procs, total),
        "val loss %f" % 10.98,
        "step %4d/%d | loss %7.6f (%+.2fz)| norm %6.4f (%+.2fz)| lr %.2e | %.2f ms | %.1f%% bf16 MFU | %.0f tok/s"
        % (1, 18865, 11.01, 0.0, 15.3, 0.0, 6e-6, 312.55, 100 * 0.371, 1677535.0),
        "step %4d/%d | loss %7.6f (%+.2fz)| norm %6.4f (%+.2fz)| lr %.2e | %.2f ms | %.1f%% bf16 MFU | %.0f tok/s"
        % (2, 18865, 9.5, -1.2, 5.1, 0.3, 1.2e-5, 300.0, 100 * 0.38, 1700000.0),
        "val loss %f" % 9.4,
    ]
    rows = rows_of(cu)
    assert rows[0] == {"step": 0, "val_loss": 10.98, "tokens": 0}  # the untrained model's
    assert rows[1]["train_loss"] == 11.01 and rows[1]["tokens"] == 524288
    assert rows[1]["mfu"] == pytest.approx(0.371) and rows[1]["tokens_per_sec"] == 1677535
    assert rows[2]["norm"] == 5.1 and rows[2]["val_loss"] == 9.4  # after 2 steps
    # train_gpt2.py:625, :762, :842.
    py = [
        f"total desired batch size: {524288}",
        f"val loss {10.9}",
        f"step {0 + 1:4d}/{50} | train loss {11.0:.6f} | norm {1.5:.4f} | lr {6e-4:.2e} | ({312.5:.2f} ms | {178000.0:.0f} tok/s)",
    ]
    rows = rows_of(py)
    assert rows[0]["val_loss"] == 10.9 and rows[1]["time_ms"] == 312.5
    assert rows[1]["tokens_per_sec"] == 178000 and rows[1]["tokens"] == 524288
    # train_gpt2.c:1122, :1171 (the CPU reference).
    c = ["val loss %f" % 5.3, "step %d: train loss %f (took %f ms)" % (0, 5.35, 1234.5)]
    assert rows_of(c)[0] == {"step": 0, "val_loss": 5.3, "train_loss": 5.35, "time_ms": 1234.5}


def test_hugging_face_trainer_log_dicts():
    # huggingface/transformers@01081ce src/transformers/trainer_callback.py, ProgressCallback.
    # on_log: `self.training_bar.write(str(logs))` (PrinterCallback: `print(logs)`): the dict's
    # repr, single quotes, no step; eval and the final summary too.
    logs = [
        {"loss": 2.5, "grad_norm": 1.25, "learning_rate": 5e-05, "epoch": 0.01},
        {"loss": 2.25, "grad_norm": 1.0, "learning_rate": 4.5e-05, "epoch": 0.02},
        {"eval_loss": 2.4, "eval_runtime": 1.5, "eval_samples_per_second": 100.0, "epoch": 0.02},
        {"train_runtime": 12.5, "train_samples_per_second": 80.0, "train_loss": 2.3, "epoch": 1.0},
    ]
    parsed = parse_lines([str(d) for d in logs])
    assert parsed.formats == ["Hugging Face Trainer"]
    rows = {int(r["step"]): r for r in parsed.rows}
    assert rows[1]["train_loss"] == 2.5 and rows[1]["lr"] == 5e-05 and rows[1]["norm"] == 1.25
    assert rows[2]["val_loss"] == 2.4 and rows[2]["train_loss"] == 2.25
    assert list(rows) == [1, 2]


def test_lightning_progress_bar_metrics():
    # Lightning's TQDMProgressBar: tqdm's bar with the metrics logged with prog_bar=True as its
    # postfix (`k=v`, floats padded by Tqdm.format_num), redrawn in place with \r.
    bar = "\rEpoch 1:  45%|████▌     | 45/100 [00:02<00:02, 19.12it/s, v_num=0, train_loss=2.350, val_loss=2.410]"
    rows = rows_of([bar + bar.replace("45/100", "46/100").replace("2.350", "2.340")])
    assert rows[145] == {"step": 145, "train_loss": 2.35, "val_loss": 2.41}
    assert rows[146]["train_loss"] == 2.34


def test_megatron_iteration_and_validation_lines():
    # NVIDIA/Megatron-LM@d98e8a6 megatron/training/training.py:3567-3641 (training_log) and
    # :5371-5376 with the prefix of :2078 (evaluate_and_print_results).
    log_string = " [2026-11-23 10:00:00.123456]"
    log_string += " iteration {:8d}/{:8d} |".format(100, 10000)
    log_string += " consumed samples: {:12d} |".format(51200)
    log_string += " elapsed time per iteration (ms): {:.1f} |".format(1234.5)
    log_string += f" throughput per GPU (TFLOP/s/GPU): {401.2:.1f} |"
    log_string += f" learning rate: {3e-4:.6E} |"
    log_string += f" global batch size: {512:5d} |"
    log_string += " {}: {:.6E} |".format("lm loss", 3.456789)
    log_string += f" loss scale: {1.0:.1f} |"
    log_string += f" grad norm: {1.234:.3f} |"
    log_string += " number of skipped iterations: {:3d} |".format(0)
    val = " validation loss at iteration 100 on validation set | "
    val += "{} value: {:.6E} | ".format("lm loss", 3.25)
    val += "{} PPL: {:.6E} | ".format("lm loss", math.exp(3.25))
    parsed = parse_lines([log_string, val])
    assert parsed.formats == ["Megatron-LM"]
    assert parsed.rows == [{
        "step": 100, "time_ms": 1234.5, "tflops_per_gpu": 401.2, "lr": 3e-4,
        "global_batch_size": 512, "train_loss": 3.456789, "norm": 1.234, "val_loss": 3.25,
    }]  # fmt: skip


def test_torchtitan_with_its_ansi_colours():
    # pytorch/torchtitan@b5bcd76 torchtitan/components/metrics.py:526-536 and :563-569, in the
    # logger format of torchtitan/tools/logging.py:19, colours from tools/utils.py:263 (Color).
    red, green, orange, turquoise = (
        "\033[31m",
        "\033[32m",
        "\033[38;2;180;60;0m",
        "\033[38;2;54;234;195m",
    )
    blue, cyan, magenta, yellow, reset = "\033[34m", "\033[36m", "\033[35m", "\033[33m", "\033[39m"
    prefix = "[titan] 2026-11-23 10:00:00,123 - root - INFO - "
    step = (
        f"{red}step: {10:2}  {green}loss: {3.98765:8.5f}  {orange}grad_norm: {1.2345:7.4f}  "
        f"{turquoise}memory: {60.5:5.2f}GiB({75.0:.2f}%)  {blue}tps: {round(4321.6):,}  "
        f"{cyan}tflops: {250.5:,.2f}  {magenta}mfu: {f'{25.33:.2f}%'}{reset}"
    )
    validate = (
        f"{yellow}validate step: {10:2}  {green}loss: {3.5:7.4f}  "
        f"{turquoise}memory: {60.5:5.2f}GiB({75.0:.2f}%)  {blue}tps: {round(9000.2):,}{reset}"
    )
    parsed = parse_lines([prefix + step, prefix + validate])
    assert parsed.formats == ["torchtitan"]
    assert parsed.rows == [{
        "step": 10, "train_loss": 3.98765, "norm": 1.2345, "tokens_per_sec_per_gpu": 4322,
        "tflops_per_gpu": 250.5, "mfu": pytest.approx(0.2533), "val_loss": 3.5,
    }]  # fmt: skip


def test_json_lines_and_numbers_that_overflow():
    rows = rows_of([
        json.dumps({"step": 1, "loss": 2.5, "tok/s": 1000}),
        '{"step": 2, "loss": 1e999, "lr": NaN}',
        '{"step": 1e999, "loss": 3}',  # no step a float can hold: the last step's
        "iter 3: loss nan, time 1e400ms, mfu 1e400%",
    ])  # fmt: skip
    assert rows[1] == {"step": 1, "train_loss": 2.5, "tokens_per_sec": 1000}
    assert rows[2]["train_loss"] == 3  # merged into step 2
    assert (
        math.isnan(rows[2]["lr"])
        and math.isinf(rows[3]["mfu"])
        and math.isnan(rows[3]["train_loss"])
    )


OVERFLOW = r"""
import sys
print("tokens per iteration will be: 1,000")
print("iter 0: loss 5.0, time 100.00ms, mfu -100.00%")
print("iter 1: loss nan, time 1e400ms, mfu 1e400%")
print('{"step": 2, "loss": 1e999, "lr": NaN, "tok/s": -1e999}')
print('{"step": 1e999, "val_loss": 1e400}')
sys.exit(3)
"""


def test_overflow_nan_and_inf_never_crash_bip_and_the_exit_code_is_the_commands(
    bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text(OVERFLOW)
    result = bip("-w", str(ws), "run", "--", sys.executable, "bad.py", code=3)
    assert "bip: recorded" in result.stderr and "(exit 3," in result.stderr
    [folder] = (ws / "runs").iterdir()
    data = json.loads((folder / "run.json").read_text())  # strict JSON: no NaN, no Infinity
    # The loss ended NaN/inf: its last finite value (5.0, at step 0) is not the final number
    assert data["exit_code"] == 3 and "train_loss" not in data["metrics"]["final"]
    assert data["metrics"]["diverged"]["train_loss"] == 1
    assert "mfu" not in data["metrics"]["steady_state"] or math.isfinite(
        data["metrics"]["steady_state"]["mfu"]
    )
    csv_text = (folder / "metrics.csv").read_text()
    assert "inf" in csv_text and "nan" in csv_text
    shown = bip("-w", str(ws), "runs", "show", folder.name).stdout
    assert "val loss NaN or inf from step 2" in shown and "train_loss 5" in shown  # best


DIVERGES = r"""
print("tokens per iteration will be: 1,000")
for i in range(40):
    loss = 4 - i / 20 if i < 20 else float("nan")
    if i % 10 == 0:
        print(f"step {i}: train loss {loss:.4f}, val loss {loss + 0.1:.4f}")
    print(f"iter {i}: loss {loss:.4f}, time 10.00ms, mfu 10.00%")
"""


def test_a_run_whose_loss_ends_nan_says_so_everywhere_never_a_stale_loss(
    bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Loss NaN from step 20 to the end: the run's number is that, not the val loss of step 10
    (3.600) passed off as final, in runs show, the check-in, the post and its thread."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(DIVERGES)
    recorded = bip("-w", str(ws), "run", "--name", "div", "--", sys.executable, "train.py")
    said = "val loss NaN or inf from step 20"
    assert said in recorded.stderr and "3.600" not in recorded.stderr
    assert said in bip("-w", str(ws), "runs", "show", "div").stdout
    assert said in bip("-w", str(ws), "checkin", "--offline", "--dry-run").stdout
    post = bip("-w", str(ws), "draft", "training-run", "--run", "div", "--stdout").stdout
    assert f"**TL;DR**: div: {said}, 100,000 tokens/s" in post and "Final val loss" not in post
    assert "| Best val loss | 3.6000 (step 10) |" in post  # the best is still the best
    thread = bip("-w", str(ws), "draft", "thread", "--run", "div", "--stdout").stdout
    assert f"I trained div: {said}" in thread and "3.600" not in thread
    # A loss that comes back to finite numbers is no divergence: its last value is final.
    (tmp_path / "train.py").write_text(DIVERGES + 'print("iter 40: loss 2.5000, time 10.00ms")\n')
    bip("-w", str(ws), "run", "--name", "back", "--", sys.executable, "train.py")
    data = json.loads((ws / "runs" / "2026-11-23-back" / "run.json").read_text())["metrics"]
    assert data["final"]["train_loss"] == 2.5 and "train_loss" not in data["diverged"]
    compared = bip("-w", str(ws), "runs", "compare", "div", "back", "--no-figure").stdout
    cells = [[c.strip() for c in line.split("  ") if c][1:3] for line in compared.splitlines()[1:3]]
    assert cells == [["NaN/inf from 20", "NaN/inf from 20"], ["2.5", "NaN/inf from 20"]]


STREAMING = r"""
import sys
for it in range({n}):
    print(f"iter {{it}}: loss {{5 - it / 1000:.4f}}, time 100.00ms, mfu 30.00%", flush=True)
print("waiting", flush=True)
open(sys.argv[1]).read()
print("iter {n}: loss 1.0, time 100.00ms, mfu 30.00%")
"""


def test_metrics_csv_is_written_while_the_command_runs(ws: Path, tmp_path: Path):
    """The command prints HOLD + 50 steps and then blocks on a FIFO: metrics.csv already holds
    them while it waits (parsed as they came, not after the command ended)."""
    n = HOLD + 50
    script = tmp_path / "train.py"
    script.write_text(STREAMING.format(n=n))
    fifo = tmp_path / "gate"
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_WORKSPACE=str(ws), BIP_TIMEZONE="UTC", BIP_OFFLINE="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "run", "--", sys.executable, str(script), str(fifo)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        seen = b""
        while b"waiting" not in seen:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "the command printed nothing for 60 s"
            seen += os.read(proc.stdout.fileno(), 65536)
        [folder] = (ws / "runs").iterdir()
        lines = (folder / "metrics.csv").read_text().splitlines()
        assert lines[0].startswith("step,") and len(lines) >= HOLD  # written as the rows came
    finally:  # the command never waits forever, whatever failed above
        try:
            gate = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO if nobody reads it
            os.write(gate, b"go")
            os.close(gate)
        except OSError:
            proc.kill()
        proc.communicate(timeout=60)
    assert proc.returncode == 0
    rows = (folder / "metrics.csv").read_text().splitlines()
    assert len(rows) == n + 2 and rows[-1].startswith(f"{n},")


WIDENING = r"""
for it in range({n}):
    extra = f", time 100.00ms" if it < {late} else f", time 100.00ms, mfu 30.00%"
    print(f"iter {{it}}: loss 2.0{{extra}}")
"""


def test_a_column_that_appears_late_widens_the_header(bip, ws: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    n, late = HOLD * 2, HOLD + 10
    (tmp_path / "t.py").write_text(WIDENING.format(n=n, late=late))
    bip("-w", str(ws), "run", "--", sys.executable, "t.py")
    [folder] = (ws / "runs").iterdir()
    lines = (folder / "metrics.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert header == ["step", "train_loss", "time_ms", "mfu"] and len(lines) == n + 1
    assert lines[1] == "0,2.0,100.0," and lines[-1] == f"{n - 1},2.0,100.0,0.3"


def test_the_peak_table_covers_the_gpus_people_train_on():
    # Names as nvidia-smi --query-gpu=name and amd-smi/rocm-smi print them.
    expected = {
        "NVIDIA A100-SXM4-40GB": 312.0, "NVIDIA A100 80GB PCIe": 312.0,
        "NVIDIA H100 80GB HBM3": 989.5, "NVIDIA H100 PCIe": 756.5, "NVIDIA H100 NVL": 835.5,
        "NVIDIA H200": 989.5, "NVIDIA B200": 2250.0, "NVIDIA L4": 121.0,
        "NVIDIA GeForce RTX 4090": 165.2, "AMD Instinct MI250X": 191.5,
        "AMD Instinct MI300X": 1307.4, "AMD Instinct MI325X": 1307.4,
    }  # fmt: skip
    for name, tflops in expected.items():
        peak = mfu.peak_for(name)
        assert peak is not None and peak.bf16_tflops == tflops, name
        assert peak.source, name
    assert mfu.peak_for("Tesla T4") is None


def test_mfu_is_computed_when_params_and_throughput_are_known():
    metrics = RunMetrics(
        steady_state=SteadyState({"tokens_per_sec": 500_000.0, "mfu": 0.38}),
        formats=["nanoGPT"],
        params=124_000_000,
    )
    mi300x = HardwareInfo(gpus=[GPUInfo("AMD Instinct MI300X")] * 2)
    found = mfu.run_mfu(metrics, mi300x)
    assert found is not None
    assert found.value == pytest.approx(6 * 124e6 * 500_000 / (2 * 1307.4e12))
    assert found.how.startswith("computed: 6 x 124M parameters FLOPs per token x 500,000 tokens/s")
    # Without the parameter count: nanoGPT's A100-relative figure rescaled to the MI300X.
    metrics.params = None
    found = mfu.run_mfu(metrics, mi300x)
    assert found is not None and found.value == pytest.approx(0.38 * 312 / 1307.4)
    # No GPU found: the figure as printed, with its reference said.
    found = mfu.run_mfu(metrics, HardwareInfo())
    assert found is not None and found.value == 0.38 and found.reference.startswith("NVIDIA A100")
    assert "not rescaled (no GPU detected)" in found.how


AMD_SMI = {
    "gpu_data": [
        {
            "gpu": 0,
            "asic": {"market_name": "AMD Instinct MI300X", "device_id": "0x74a1"},
            "vram": {"type": "HBM3", "size": {"value": 196592, "unit": "MB"}},
            "driver": {"name": "amdgpu", "version": "6.10.5"},
        }
    ]
}  # amd-smi static --asic --vram --driver --json, ROCm 6.4 and later


def test_runs_show_and_the_recorder_state_mfu_of_the_mi300x_it_ran_on(
    bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "amd-smi"
    tool.write_text(f"#!/bin/sh\nprintf '%s\\n' '{json.dumps(AMD_SMI)}'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    lines = "\n".join(
        f"iter {i}: loss 3.0, time 100.00ms, mfu {38.0 if i >= 5 else -100.0:.2f}%"
        for i in range(60)
    )
    (tmp_path / "t.py").write_text(
        f"print('tokens per iteration will be: 100,000')\nprint('''{lines}''')\n"
    )
    result = bip("-w", str(ws), "run", "--params", "124M", "--", sys.executable, "t.py")
    # 6 x 124M x (100,000 tokens / 0.1 s) / 1307.4 TFLOPS
    want = 6 * 124e6 * 1e6 / 1307.4e12
    assert f"MFU {want * 100:.1f}%" in result.stderr
    [folder] = (ws / "runs").iterdir()
    shown = bip("-w", str(ws), "runs", "show", folder.name).stdout
    assert (
        f"{want * 100:.1f}% of AMD Instinct MI300X, 1,307.4 TFLOPS dense bf16 (computed: 6 x "
        "124M parameters FLOPs per token x 1,000,000 tokens/s / (1 x 1,307.4 TFLOPS))"
    ) in shown
    assert "AMD Instinct MI300X (192 GiB, driver 6.10.5)" in shown


def test_bip_run_is_never_blocked_by_the_reading_list(bip, ws: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (ws / "reading_list.yaml").write_text("entries:\n  - id: [broken\n")
    result = bip(
        "-w", str(ws), "run", "--based-on", "nanogpt", "--", sys.executable, "-c", "print(1)"
    )
    assert "bip: warning: --based-on nanogpt not resolved (recorded as given)" in result.stderr
    [folder] = (ws / "runs").iterdir()
    assert json.loads((folder / "run.json").read_text())["based_on"] == "nanogpt"


def test_a_multiline_command_stays_inside_its_journal_list_item(
    bip, ws: Path, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    bip("-w", str(ws), "run", "--name", "multi", "--", "sh", "-c", "x=1\necho `echo $x`")
    day = bip("-w", str(ws), "checkin", "--offline", "--dry-run").stdout
    built = day.split("## Published")[1].split("\n## ")[0]  # runs recorded are published work
    items = [line for line in built.splitlines() if "2026-11-23-multi" in line]
    assert len(items) == 1 and items[0].startswith("- run **2026-11-23-multi** (`sh -c 'x=1 echo")
    assert items[0].count("`") == 2  # the command's own backticks cannot end the code span


def test_a_metrics_series_ending_nan_has_no_stale_final_loss():
    """`bip draft training-run --metrics series.csv` summarizes as a run does."""
    from toolkit.runs.series import summarize

    ended = summarize([{"step": 0.0, "train_loss": 4.0}, {"step": 1.0, "train_loss": math.nan}])
    assert "train_loss" not in ended.final and ended.best["train_loss"] == 4.0
    back = summarize([{"step": 0, "train_loss": 4.0}, {"step": 1, "train_loss": math.inf},
                      {"step": 2, "train_loss": 3.0}])  # fmt: skip
    assert back.final["train_loss"] == 3.0


def test_the_final_val_loss_is_given_at_the_step_it_was_measured(
    bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Evaluations are sparse: a run to step 35 evaluated last at step 30 says step 30."""
    monkeypatch.chdir(tmp_path)
    script = DIVERGES.replace("range(40)", "range(36)").replace("i < 20", "True")
    (tmp_path / "train.py").write_text(script)
    bip("-w", str(ws), "run", "--name", "gap", "--", sys.executable, "train.py")
    data = json.loads((ws / "runs" / "2026-11-23-gap" / "run.json").read_text())["metrics"]
    assert data["steps"] == 35 and data["final_steps"] == {"val_loss": 30, "train_loss": 35}
    post = bip("-w", str(ws), "draft", "training-run", "--run", "gap", "--stdout").stdout
    assert "| Final val loss | 2.6000 (step 30) |" in post
