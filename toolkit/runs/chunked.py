"""The step lines of nanoGPT and llm.c a whole chunk at a time: the fast path of `bip run`.

A long run's log is almost all step lines (nanoGPT's `iter N: loss L, time Tms, mfu M%`, llm.c
train_gpt2.cu's `step N/M | loss L (+0.00z)| norm ... | lr ... | T ms | M% bf16 MFU | R tok/s`)
with an evaluation line now and then. Parsed one line at a time in Python, such a log costs bip
several times what the trainer spends printing it; here one regular expression reads every line
of a chunk (`findall`, in C), the numbers are converted a column at a time (`map`, in C) and
metrics.csv's lines are joined a block at a time.

`split()` gives the chunk as blocks of step lines and the evaluation lines between them (those go
to the line parser, one each), or None as soon as any line is something else (a checkpoint
message, nanoGPT's `-100.00%` MFU before it is measured, a number bip would read differently):
the caller then parses that chunk line by line, so both paths always give the same rows
(tests/test_runs_chunked.py holds them to it).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

MAX_DIGITS = 15  # a step written with more digits goes to the line parser (its limits apply)


@dataclass(frozen=True)
class Format:
    """A trainer's step line as one pattern: group 1 the step, then one group per column, and
    last an alternative group holding a whole evaluation line."""

    name: str  # as parse.LogParser names the format
    lines: re.Pattern[str]
    columns: tuple[str, ...]  # in the order the line parser puts them in a row
    percent: str | None = None  # a column printed in %, kept as a fraction; < 0: not measured


FORMATS = (
    # nanoGPT train.py: `iter 100: loss 2.3456, time 45.67ms, mfu 38.12%`; its evaluation
    # `step 250: train loss 2.1012, val loss 2.2034`.
    Format(
        "nanoGPT",
        re.compile(
            r"^(?:iter (\d+): loss ([\d.]+), time ([\d.]+)ms, mfu (-?[\d.]+)%"
            r"|(step \d+: train loss [\d.]+, val loss [\d.]+))$",
            re.MULTILINE,
        ),
        ("train_loss", "time_ms", "mfu"),
        percent="mfu",
    ),
    # llm.c train_gpt2.cu: printf("step %4d/%d | loss %7.6f (%+.2fz)| norm %6.4f (%+.2fz)| lr
    # %.2e | %.2f ms | %.1f%% bf16 MFU | %.0f tok/s\n", ...); its evaluation `val loss %f`.
    Format(
        "llm.c",
        re.compile(
            r"^(?:step +(\d+)/\d+ \| loss ([\d.]+) \([-+][\d.]+z\)\| norm ([\d.]+) \([-+][\d.]+z\)"
            r"\| lr (\d\.\d+e[-+]\d+) \| ([\d.]+) ms \| (-?[\d.]+)% bf16 MFU \| ([\d.]+) tok/s"
            r"|(val loss [\d.]+))$",
            re.MULTILINE,
        ),
        ("train_loss", "norm", "lr", "time_ms", "mfu", "tokens_per_sec"),
        percent="mfu",
    ),
)
BY_NAME = {f.name: f for f in FORMATS}


@dataclass
class Block:
    """Consecutive step lines, a column per metric (the line parser's names and order)."""

    steps: list[int]
    columns: dict[str, Sequence[float]]
    cells: dict[str, Sequence[str]]  # each column as metrics.csv writes it
    step_cells: Sequence[str]

    def row(self, i: int) -> dict[str, float]:
        return {name: values[i] for name, values in self.columns.items()}


Piece = Block | str  # a block of step lines, or one evaluation line


def split(form: Format, text: str, tokens_per_step: int | None) -> list[Piece] | None:
    """`text` (whole lines, each ending in a newline) as blocks and evaluation lines, or None
    when some line must be read by the line parser."""
    found = form.lines.findall(text)
    if not found or len(found) != text.count("\n"):
        return None
    groups = list(zip(*found, strict=True))
    steps, evals = groups[0], groups[-1]
    pieces: list[Piece] = []
    start, end = 0, len(found)
    while start < end:
        try:
            stop = steps.index("", start)
        except ValueError:
            stop = end
        if stop > start:
            texts = [g[start:stop] for g in groups[1:-1]]
            block = _block(form, steps[start:stop], texts, tokens_per_step)
            if block is None:
                return None
            pieces.append(block)
        if stop < end:
            pieces.append(evals[stop])
        start = stop + 1
    return pieces


def _block(
    form: Format, iters: Sequence[str], texts: Sequence[Sequence[str]], tokens_per_step: int | None
) -> Block | None:
    if max(map(len, iters)) > MAX_DIGITS:
        return None
    columns: dict[str, Sequence[float]] = {}
    cells: dict[str, Sequence[str]] = {}
    try:
        steps = list(map(int, iters))
        for name, text in zip(form.columns, texts, strict=True):
            values = list(map(float, text))
            if name == form.percent:
                if min(values) < 0:  # MFU not measured (nanoGPT's first steps, a GPU llm.c
                    if max(values) >= 0:  # does not know): left out, as the line parser does
                        return None
                    continue
                values = list(map(operator.truediv, values, repeat(100.0)))
                cells[name] = list(map(repr, values))
            else:
                cells[name] = text
            if not math.isfinite(sum(values)):
                return None  # an overflowing number: the line parser keeps it out of the totals
            columns[name] = values
    except ValueError:  # `1.2.3`: the line parser reads no number there
        return None
    if any(map(operator.eq, steps, steps[1:])):
        return None  # two lines of one step are one row: the line parser merges them
    if tokens_per_step:
        tokens = list(map(tokens_per_step.__mul__, steps))
        columns["tokens"] = tokens
        cells["tokens"] = list(map(str, tokens))
        if "tokens_per_sec" not in columns and "time_ms" in columns:
            time_ms = columns["time_ms"]
            if min(time_ms) <= 0:
                return None  # no rate from a zero time: the line parser leaves it out
            try:  # whole tokens per second, as parse.LogParser rounds them
                rates = list(map(round, map(float(tokens_per_step * 1000).__truediv__, time_ms)))
            except OverflowError:  # a time so small the rate is inf: the line parser keeps it
                return None
            columns["tokens_per_sec"] = rates
            cells["tokens_per_sec"] = list(map(str, rates))
    return Block(steps, columns, cells, iters)
