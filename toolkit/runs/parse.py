"""A training log's numbers, line by line: nanoGPT, llm.c, JSON lines and your own patterns.

Every parser turns one line into `{column: number}` plus, where the line says so, its step.
Rows are merged by step (nanoGPT prints `iter 250: ...` and `step 250: train loss ...` as two
lines), so the series holds one row per step with whatever each line told about it. Columns:
`step`, `train_loss`, `val_loss`, `lr`, `norm`, `time_ms`, `tokens_per_sec`, `mfu` (a fraction:
0.38 is 38 %), `tokens` (seen so far, when tokens per step is known), and your own names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import BadInput

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")

# nanoGPT: `iter 100: loss 2.3456, time 45.67ms, mfu 38.12%` (mfu is -100.00% for the first
# iterations, before it is measured) and `step 250: train loss 2.1012, val loss 2.2034`.
NANOGPT_ITER = re.compile(
    rf"^iter (?P<step>\d+): loss (?P<train_loss>{NUMBER}), time (?P<time_ms>{NUMBER}) ?ms"
    rf"(?:, mfu (?P<mfu>{NUMBER})%)?"
)
NANOGPT_EVAL = re.compile(
    rf"^step (?P<step>\d+): train loss (?P<eval_train_loss>{NUMBER}), val loss (?P<val_loss>{NUMBER})"
)
# llm.c: `step    1/5000 | train loss 5.270009 | norm 15.1294 | lr 6.00e-06 | 312.55 ms |
# 37.1% bf16 MFU | 178000 tok/s`; its validation line is `val loss 3.2809` (for the last step).
LLMC_STEP = re.compile(r"^step\s+(?P<step>\d+)\s*/\s*\d+\s*[|:]")
LLMC_FIELDS = (
    ("train_loss", re.compile(rf"^(?:train )?loss\s+({NUMBER})")),
    ("norm", re.compile(rf"^norm\s+({NUMBER})")),
    ("lr", re.compile(rf"^lr\s+({NUMBER})")),
    ("time_ms", re.compile(rf"^({NUMBER})\s*ms$")),
    ("mfu", re.compile(rf"^({NUMBER})%.*\bMFU\b")),
    ("tokens_per_sec", re.compile(rf"^({NUMBER})\s*tok/s$")),
)
LLMC_VAL = re.compile(rf"^val loss\s+(?P<val_loss>{NUMBER})\s*$")
# Tokens per optimizer step, as nanoGPT and llm.c announce it at start-up.
TOKENS_PER_STEP = (
    re.compile(r"tokens per iteration will be: ([\d,]+)"),
    re.compile(r"total desired batch size: ([\d,]+)"),
)
# nanoGPT's configurator: `Overriding: learning_rate = 6e-4`.
CONFIGURED_LR = re.compile(rf"^Overriding: (?:learning_rate|lr|max_lr) = ({NUMBER})\s*$")

ALIASES = {
    "loss": "train_loss",
    "train/loss": "train_loss",
    "val/loss": "val_loss",
    "valid_loss": "val_loss",
    "eval_loss": "val_loss",
    "learning_rate": "lr",
    "train/lr": "lr",
    "iter": "step",
    "iteration": "step",
    "tok/s": "tokens_per_sec",
    "tok_per_sec": "tokens_per_sec",
    "tokens_per_second": "tokens_per_sec",
    "throughput": "tokens_per_sec",
    "dt_ms": "time_ms",
}
STEP_KEYS = ("step", "iter", "iteration", "global_step")


@dataclass
class Parsed:
    """What a log holds: one row per step, and the facts it announced."""

    rows: list[dict[str, float]] = field(default_factory=list)
    tokens_per_step: int | None = None
    configured_lr: float | None = None
    formats: list[str] = field(default_factory=list)  # which parsers matched, in order seen

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {"step": None}
        for row in self.rows:
            seen.update(dict.fromkeys(row))
        return list(seen)


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


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if value == value else None  # NaN is no number to plot or average


def _nanogpt(line: str) -> tuple[int, dict[str, float]] | None:
    match = NANOGPT_ITER.match(line) or NANOGPT_EVAL.match(line)
    if not match:
        return None
    values = {k: float(v) for k, v in match.groupdict().items() if v is not None and k != "step"}
    if "mfu" in values:
        if values["mfu"] < 0:  # nanoGPT prints -100.00% until MFU is measured
            del values["mfu"]
        else:
            values["mfu"] /= 100
    return int(match.group("step")), values


def _llmc(line: str) -> tuple[int, dict[str, float]] | None:
    match = LLMC_STEP.match(line)
    if not match:
        return None
    values: dict[str, float] = {}
    for part in re.split(r"[|]", line[match.end() :]):
        part = part.strip().strip("()").strip()
        for name, pattern in LLMC_FIELDS:
            found = pattern.match(part)
            if found and (value := _number(found.group(1))) is not None:
                values[name] = value / 100 if name == "mfu" else value
                break
    return (int(match.group("step")), values) if values else None


def _json_line(line: str) -> tuple[int | None, dict[str, float]] | None:
    if not (line.startswith("{") and line.endswith("}")):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    step = None
    values: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if str(key).lower() in STEP_KEYS:
            step = int(value)
        elif value == value:
            values[column_name(str(key))] = float(value)
    return (step, values) if values else None


def _user(line: str, patterns: list[re.Pattern[str]]) -> tuple[int | None, dict[str, float]] | None:
    for pattern in patterns:
        match = pattern.search(line)
        if not match:
            continue
        step = None
        values: dict[str, float] = {}
        for key, text in match.groupdict().items():
            if text is None or (value := _number(text)) is None:
                continue
            if column_name(key) == "step":
                step = int(value)
            else:
                values[column_name(key)] = value
        if values:
            return step, values
    return None


def _match(
    line: str, patterns: list[re.Pattern[str]]
) -> tuple[str, tuple[int | None, dict[str, float]] | None]:
    for name, parser in (("nanoGPT", _nanogpt), ("llm.c", _llmc), ("JSON", _json_line)):
        found = parser(line)
        if found:
            return name, found
    return "patterns", _user(line, patterns)


def parse_lines(lines: Iterable[str], patterns: list[re.Pattern[str]] | None = None) -> Parsed:
    """The series in `lines` (a log read line by line; `\\r`-separated progress bars too)."""
    parsed = Parsed()
    by_step: dict[int, dict[str, float]] = {}
    last_step: int | None = None
    for raw in lines:
        for piece in raw.split("\r"):
            line = ANSI.sub("", piece).strip()
            if not line:
                continue
            name, found = _match(line, patterns or [])
            if found is None:
                val = LLMC_VAL.match(line)
                if val and last_step is not None:
                    name, found = "llm.c", (last_step, {"val_loss": float(val.group(1))})
                else:
                    _facts(line, parsed)
                    continue
            step, values = found
            step = last_step if step is None else step
            if step is None:
                continue
            if name not in parsed.formats:
                parsed.formats.append(name)
            by_step.setdefault(step, {"step": float(step)}).update(values)
            last_step = step
    parsed.rows = [by_step[s] for s in sorted(by_step)]
    if parsed.tokens_per_step:
        for row in parsed.rows:
            row.setdefault("tokens", row["step"] * parsed.tokens_per_step)
            if "tokens_per_sec" not in row and row.get("time_ms"):
                row["tokens_per_sec"] = parsed.tokens_per_step / (row["time_ms"] / 1000)
    return parsed


def _facts(line: str, parsed: Parsed) -> None:
    for pattern in TOKENS_PER_STEP:
        match = pattern.search(line)
        if match and parsed.tokens_per_step is None:
            parsed.tokens_per_step = int(match.group(1).replace(",", "")) or None
    match = CONFIGURED_LR.match(line)
    if match and parsed.configured_lr is None:
        parsed.configured_lr = float(match.group(1))


def parse_log(path: Path, patterns: list[re.Pattern[str]] | None = None) -> Parsed:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return parse_lines(fh, patterns)
