"""A training log's numbers, line by line, as the trainers people use print them.

Built in (each checked against the print statements of the project's own code; the tests cite
file and commit): nanoGPT, llm.c (train_gpt2.cu, train_gpt2.py and train_gpt2.c), Hugging Face
Trainer log dicts, PyTorch Lightning's progress bar metrics, Megatron-LM iteration and
validation lines, torchtitan (ANSI colours and all), JSON lines; and your own `[runs] patterns`.

`LogParser.line()` turns one line into `(step, {column: number})`; consecutive lines about the
same step are one row (nanoGPT prints `step 250: ...` and `iter 250: ...`). Columns: `step`,
`train_loss`, `val_loss`, `lr`, `norm`, `time_ms`, `tokens_per_sec`, `tflops_per_gpu`, `mfu` (a
fraction: 0.38 is 38 %), `tokens` (seen so far, when tokens per step is known), your own names.
A number too large for a float (`1e400`), NaN or inf is kept as such and never crashes bip.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import BadInput

NUMBER = r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
MAX_STEP = 2**53  # a step past this is no step (JSON's 1e999 is inf)

# nanoGPT (train.py): `iter 100: loss 2.3456, time 45.67ms, mfu 38.12%` (mfu is -100.00% for
# the first iterations, before it is measured) and `step 250: train loss 2.1012, val loss 2.2034`.
NANOGPT_ITER = re.compile(
    rf"iter (\d+): loss ({NUMBER}), time ({NUMBER}) ?ms(?:, mfu ({NUMBER})%)?", re.IGNORECASE
)
NANOGPT_EVAL = re.compile(rf"step (\d+): train loss ({NUMBER}), val loss ({NUMBER})", re.IGNORECASE)
# llm.c train_gpt2.cu: `step    1/5000 | loss 5.270009 (+0.00z)| norm 15.1294 (+0.00z)| lr
# 6.00e-06 | 312.55 ms | 37.1% bf16 MFU | 178000 tok/s`; train_gpt2.py: `step    1/50 | train
# loss 5.27 | norm 1.2 | lr 6.00e-06 | (312.55 ms | 178000 tok/s)`; validation is `val loss 3.28`,
# printed before the step that follows it (so before step 1: the untrained model's loss).
LLMC_STEP = re.compile(r"step\s+(\d+)\s*/\s*\d+\s*\|")
LLMC_FIELDS = (
    ("train_loss", re.compile(rf"(?:train )?loss\s+({NUMBER})")),
    ("norm", re.compile(rf"norm\s+({NUMBER})")),
    ("lr", re.compile(rf"lr\s+({NUMBER})")),
    ("time_ms", re.compile(rf"({NUMBER})\s*ms$")),
    ("mfu", re.compile(rf"({NUMBER})%.*\bMFU\b")),
    ("tokens_per_sec", re.compile(rf"({NUMBER})\s*tok/s$")),
)
LLMC_VAL = re.compile(rf"val loss\s+({NUMBER})\s*$")
# llm.c train_gpt2.c (the CPU trainer): `step 3: train loss 4.2 (took 1234.5 ms)`.
LLMC_CPU = re.compile(rf"step (\d+): train loss ({NUMBER}) \(took ({NUMBER}) ms\)")
# Megatron-LM (megatron/training/training.py, training_log): ` [2026-11-23 10:00:00.123456]
# iteration      100/   10000 | consumed samples: ... | elapsed time per iteration (ms): 1234.5 |
# throughput per GPU (TFLOP/s/GPU): 123.4 | learning rate: 3.000000E-04 | global batch size:
# 512 | lm loss: 3.456789E+00 | loss scale: 1.0 | grad norm: 1.234 | ...`
MEGATRON_ITER = re.compile(r"\biteration\s+(\d+)/\s*\d+\s*\|")
MEGATRON_FIELDS = {
    "elapsed time per iteration (ms)": "time_ms",
    "throughput per GPU (TFLOP/s/GPU)": "tflops_per_gpu",
    "learning rate": "lr",
    "lm loss": "train_loss",
    "grad norm": "norm",
    "global batch size": "global_batch_size",
}
# ` validation loss at iteration 100 on validation set | lm loss value: 3.1E+00 | lm loss PPL: ...`
MEGATRON_VAL = re.compile(rf"validation loss at iteration (\d+)\b.*?\| lm loss value: ({NUMBER})")
# torchtitan (torchtitan/components/metrics.py, log): `[titan] ... - INFO - step:  1  loss:
# 12.0  grad_norm:  1.2  memory: 10.00GiB(12.50%)  tps: 1,234  tflops: 56.78  mfu: 12.34%`
# (each field in its own ANSI colour), and `validate step:  1  loss:  3.2  memory: ...  tps: ...`.
TITAN = re.compile(rf"\b(validate )?step:\s*(\d+)\s+loss:\s*({NUMBER})")
TITAN_FIELDS = (
    ("norm", re.compile(rf"grad_norm:\s*({NUMBER})")),
    ("tokens_per_sec_per_gpu", re.compile(rf"tps:\s*({NUMBER})")),
    ("tflops_per_gpu", re.compile(rf"tflops:\s*({NUMBER})")),
    ("mfu", re.compile(rf"mfu:\s*({NUMBER})%")),
)
# PyTorch Lightning's TQDM bar: `Epoch 1:  45%|####5     | 45/100 [00:02<00:02, 19.12it/s,
# v_num=0, train_loss=2.350]` (metrics logged with prog_bar=True after the rate).
LIGHTNING = re.compile(r"Epoch (\d+):.*?\|\s*(\d+)/(\d+) \[[^\]]*?(?:it/s|s/it)(, .*)\]")
LIGHTNING_PAIR = re.compile(rf"([A-Za-z_][\w/.-]*)=({NUMBER})")
# Tokens per optimizer step, as trainers announce it at start-up.
TOKENS_PER_STEP = (
    re.compile(r"tokens per iteration will be: ([\d,]+)"),  # nanoGPT
    re.compile(r"total desired batch size: ([\d,]+)"),  # llm.c train_gpt2.py
    re.compile(r"total_batch_size=(\d+)"),  # llm.c train_gpt2.cu
    re.compile(r"\| total batch size\s+\| (\d+)\s+\|"),  # llm.c train_gpt2.cu's table
)
PARAMS = (
    re.compile(r"number of parameters: ([\d.]+)M"),  # nanoGPT model.py
    re.compile(r"\| num_parameters\s+\| (\d+)\s+\|"),  # llm.c train_gpt2.cu's table
)
# nanoGPT's configurator: `Overriding: learning_rate = 6e-4`.
CONFIGURED_LR = re.compile(rf"^Overriding: (?:learning_rate|lr|max_lr) = ({NUMBER})\s*$")

ALIASES = {
    "loss": "train_loss",
    "train/loss": "train_loss",
    "loss_metrics/global_avg_loss": "train_loss",
    "val/loss": "val_loss",
    "valid_loss": "val_loss",
    "eval_loss": "val_loss",
    "validation_metrics/loss": "val_loss",
    "learning_rate": "lr",
    "train/lr": "lr",
    "lr-adamw": "lr",
    "iter": "step",
    "iteration": "step",
    "global_step": "step",
    "tok/s": "tokens_per_sec",
    "tok_per_sec": "tokens_per_sec",
    "tokens_per_second": "tokens_per_sec",
    "throughput": "tokens_per_sec",
    "grad_norm": "norm",
    "dt_ms": "time_ms",
}
STEP_KEYS = ("step", "iter", "iteration", "global_step", "_step")


def column_name(key: str) -> str:
    key = key.strip()
    name = ALIASES.get(key.lower(), key.lower())
    return re.sub(r"[^a-z0-9_]+", "_", name).strip("_") or "value"


def compile_patterns(patterns: list[str], where: str) -> list[re.Pattern[str]]:
    """The `[runs] patterns` of bip.toml, checked before the run starts: each must compile and
    name at least one group (the group names are the columns)."""
    compiled = []
    for n, text in enumerate(patterns, start=1):
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise BadInput(
                f"{where}: [runs] patterns #{n} ({text!r}) is not a regular expression: {exc}"
            ) from None
        if not pattern.groupindex:
            raise BadInput(
                f"{where}: [runs] patterns #{n} ({text!r}) names no group",
                hint=r"name what to keep, e.g. 'step (?P<step>\d+) loss (?P<train_loss>[\d.]+)'",
            )
        compiled.append(pattern)
    return compiled


def to_number(text: str) -> float | None:
    """A printed number (`1,234`, `1e400` is inf, `nan`); None when it is no number."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _step(value: float | None) -> int | None:
    if value is None or not math.isfinite(value) or abs(value) > MAX_STEP:
        return None
    return int(value)


Found = tuple[int | None, dict[str, float]]


class LogParser:
    """Reads a log one line at a time; remembers what the log announced (tokens per step,
    parameters, the learning rate) and which formats it saw."""

    def __init__(self, patterns: list[re.Pattern[str]] | None = None) -> None:
        self.patterns = patterns or []
        self.formats: list[str] = []
        self.tokens_per_step: int | None = None
        self.configured_lr: float | None = None
        self.params: int | None = None
        self.last_step: int | None = None
        self._hf_logs = 0

    def line(self, raw: str) -> Found | None:
        """(step, values) for one line of the log, or None. The step is the last one seen when
        the line names none (llm.c's `val loss`, an HF eval dict)."""
        if "\x1b" in raw:
            raw = ANSI.sub("", raw)
        text = raw.strip()
        if not text:
            return None
        name, found = self._match(text)
        if found is None:
            self._facts(text)
            return None
        step, values = found
        if step is None:
            step = self.last_step
            if step is None:
                if name not in ("llm.c",):
                    return None
                step = 0  # llm.c's val loss before step 1: the untrained model's
        if name not in self.formats:
            self.formats.append(name)
        self.last_step = step
        if self.tokens_per_step:
            values.setdefault("tokens", step * self.tokens_per_step)
            time_ms = values.get("time_ms")
            if "tokens_per_sec" not in values and time_ms and time_ms > 0:
                rate = self.tokens_per_step * 1000 / time_ms  # whole tokens: ms has 2 decimals
                values["tokens_per_sec"] = round(rate) if math.isfinite(rate) else rate
        return step, values

    def _match(self, line: str) -> tuple[str, Found | None]:
        first = line[0]
        if first == "{":
            found = _json_line(line)
            if found is not None:
                return "JSON", found
            found = self._hf(line)
            if found is not None:
                return "Hugging Face Trainer", found
        elif first in "is":
            for name, parse in (("nanoGPT", _nanogpt), ("llm.c", _llmc)):
                found = parse(line)
                if found is not None:
                    return name, found
        elif first == "v":
            match = LLMC_VAL.match(line)
            if match:
                return "llm.c", (None, {"val_loss": _f(match.group(1))})
        if "iteration" in line:
            found = _megatron(line)
            if found is not None:
                return "Megatron-LM", found
        if "step:" in line:
            found = _titan(line)
            if found is not None:
                return "torchtitan", found
        if "Epoch " in line and "=" in line:
            found = _lightning(line)
            if found is not None:
                return "Lightning", found
        return "patterns", _user(line, self.patterns) if self.patterns else None

    def _hf(self, line: str) -> Found | None:
        """A Hugging Face Trainer log dict as ProgressCallback/PrinterCallback print it
        (`str(logs)`: Python's repr, single quotes, no step): training logs are numbered in
        the order printed; an eval dict belongs to the last one."""
        if "'" not in line:
            return None
        try:
            data = ast.literal_eval(line)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        values = _numbers_of(data)
        if not values:
            return None
        keys = [str(k) for k in data]
        if "train_runtime" in keys:
            return None  # the closing summary: its train_loss is the run's mean, no step's
        if any(k.startswith("eval_") for k in keys):
            return None, values
        self._hf_logs += 1
        return self._hf_logs, values

    def _facts(self, line: str) -> None:
        if self.tokens_per_step is None and ("batch size" in line or "per iteration" in line
                                             or "total_batch_size" in line):  # fmt: skip
            for pattern in TOKENS_PER_STEP:
                match = pattern.search(line)
                if match:
                    self.tokens_per_step = int(match.group(1).replace(",", "")) or None
                    return
        if self.params is None and ("parameters" in line or "num_parameters" in line):
            for n, pattern in enumerate(PARAMS):
                match = pattern.search(line)
                if match:
                    value = float(match.group(1))
                    self.params = round(value * 1e6) if n == 0 else int(value)
                    return
        if self.configured_lr is None and line.startswith("Overriding:"):
            match = CONFIGURED_LR.match(line)
            if match:
                self.configured_lr = _f(match.group(1))


def _f(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        value = to_number(text)
        return value if value is not None else math.nan


def _nanogpt(line: str) -> Found | None:
    match = NANOGPT_ITER.match(line)
    if match:
        step, loss, ms, mfu = match.groups()
        values = {"train_loss": _f(loss), "time_ms": _f(ms)}
        if mfu is not None:
            value = _f(mfu)
            if not value < 0:  # nanoGPT prints -100.00% until MFU is measured
                values["mfu"] = value / 100
        return int(step), values
    match = NANOGPT_EVAL.match(line)
    if match:
        step, train, val = match.groups()
        return int(step), {"eval_train_loss": _f(train), "val_loss": _f(val)}
    return None


def _llmc(line: str) -> Found | None:
    match = LLMC_STEP.match(line)
    if not match:
        match = LLMC_CPU.match(line)
        if match:
            step, loss, ms = match.groups()
            return int(step), {"train_loss": _f(loss), "time_ms": _f(ms)}
        return None
    values: dict[str, float] = {}
    for part in line[match.end() :].split("|"):
        part = part.strip().strip("()").strip()
        for name, pattern in LLMC_FIELDS:
            found = pattern.match(part)
            if found:
                value = _f(found.group(1))
                if name == "mfu" and value < 0:
                    break  # llm.c on a GPU missing from its table prints a negative MFU
                values[name] = value / 100 if name == "mfu" else value
                break
    return (int(match.group(1)), values) if values else None


def _megatron(line: str) -> Found | None:
    match = MEGATRON_ITER.search(line)
    if match:
        values: dict[str, float] = {}
        for part in line[match.end() :].split("|"):
            key, sep, text = part.rpartition(":")
            column = MEGATRON_FIELDS.get(key.strip()) if sep else None
            if column is not None and (value := to_number(text.strip())) is not None:
                values[column] = value
        return (int(match.group(1)), values) if values else None
    match = MEGATRON_VAL.search(line)
    if match:
        return int(match.group(1)), {"val_loss": _f(match.group(2))}
    return None


def _titan(line: str) -> Found | None:
    match = TITAN.search(line)
    if not match:
        return None
    validate, step, loss = match.groups()
    if validate:
        return int(step), {"val_loss": _f(loss)}
    values = {"train_loss": _f(loss)}
    rest = line[match.end() :]
    for name, pattern in TITAN_FIELDS:
        found = pattern.search(rest)
        if found:
            value = _f(found.group(1))
            values[name] = value / 100 if name == "mfu" else value
    return int(step), values


def _lightning(line: str) -> Found | None:
    match = LIGHTNING.search(line)
    if not match:
        return None
    epoch, n, total, postfix = match.groups()
    values = {
        column_name(k): _f(v) for k, v in LIGHTNING_PAIR.findall(postfix) if k.lower() != "v_num"
    }
    if not values:
        return None
    return int(epoch) * int(total) + int(n), values


def _numbers_of(data: dict[object, object]) -> dict[str, float]:
    values: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        values[column_name(str(key))] = float(value)
    return values


def _json_line(line: str) -> Found | None:
    if not line.endswith("}") or '"' not in line:
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    values = _numbers_of(data)
    step = None
    for key in STEP_KEYS:
        if key in values:
            step = _step(values.pop(key))
            break
    values.pop("step", None)
    return (step, values) if values else None


def _user(line: str, patterns: list[re.Pattern[str]]) -> Found | None:
    for pattern in patterns:
        match = pattern.search(line)
        if not match:
            continue
        step = None
        values: dict[str, float] = {}
        for key, text in match.groupdict().items():
            if text is None or (value := to_number(text)) is None:
                continue
            if column_name(key) == "step":
                step = _step(value)
            else:
                values[column_name(key)] = value
        if values:
            return step, values
    return None


@dataclass
class Parsed:
    """A whole log in memory (tests, small logs): one row per step, and what it announced."""

    rows: list[dict[str, float]] = field(default_factory=list)
    tokens_per_step: int | None = None
    configured_lr: float | None = None
    params: int | None = None
    formats: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {"step": None}
        for row in self.rows:
            seen.update(dict.fromkeys(row))
        return list(seen)


def split_lines(raw: str) -> list[str]:
    """A chunk of log as lines: `\\r` (progress bars redrawn in place) ends a line too."""
    return raw.replace("\r", "\n").split("\n")


def parse_lines(lines: Iterable[str], patterns: list[re.Pattern[str]] | None = None) -> Parsed:
    """The series in `lines`, rows merged by step (the recorder streams; this keeps it all)."""
    parser = LogParser(patterns)
    by_step: dict[int, dict[str, float]] = {}
    for raw in lines:
        for piece in split_lines(raw):
            found = parser.line(piece)
            if found is not None:
                step, values = found
                assert step is not None
                by_step.setdefault(step, {"step": float(step)}).update(values)
    return Parsed(
        [by_step[s] for s in sorted(by_step)],
        parser.tokens_per_step,
        parser.configured_lr,
        parser.params,
        parser.formats,
    )


def parse_log(path: Path, patterns: list[re.Pattern[str]] | None = None) -> Parsed:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return parse_lines(fh, patterns)


SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


def count_option(option: str, text: str) -> float:
    """`124M`, `1.5B`, `1.5e9`, `124,000,000` as a number; BadInput naming the option else."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    scale = SUFFIXES.get(cleaned[-1:].lower(), 1.0) if cleaned else 1.0
    if scale != 1.0:
        cleaned = cleaned[:-1]
    value = to_number(cleaned) if cleaned else None
    if value is None or not math.isfinite(value) or value <= 0:
        raise BadInput(
            f"{option} {text!r} is not a positive number", hint=f"e.g. {option} 124M or 1.5e9"
        )
    return value * scale
