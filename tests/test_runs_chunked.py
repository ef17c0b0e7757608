"""`bip run`'s fast path (toolkit/runs/chunked.py) against the line parser it stands in for.

nanoGPT's lines are read a chunk at a time; whatever the log holds and wherever the pipe cuts
it, metrics.csv and the run's numbers must be exactly what the line-by-line parser gives
(parse.parse_lines, the in-memory reader `runs` used before streaming) and series.steady_state
computes from all the rows at once.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.runs import chunked, series
from toolkit.runs.parse import LogParser, parse_lines
from toolkit.runs.stream import SeriesWriter, StreamParser, read_rows

NANOGPT, LLMC = chunked.BY_NAME["nanoGPT"], chunked.BY_NAME["llm.c"]


def nanogpt(steps: int, eval_every: int = 50) -> list[str]:
    """Lines as nanoGPT's train.py prints them (its f-strings: loss :.4f, time :.2f, mfu :.2f)."""
    lines = ["tokens per iteration will be: 491,520"]
    for it in range(steps):
        if it % eval_every == 0:
            lines.append(
                f"step {it}: train loss {3 + 8 / (it + 1):.4f}, val loss {3.1 + 8 / (it + 1):.4f}"
            )
        mfu = -100.0 if it < 5 else 38 + (it % 5) / 10
        lines.append(
            f"iter {it}: loss {3 + 8 / (it + 1):.4f}, time {170 + it % 7 + it % 3 / 7:.2f}ms, mfu {mfu:.2f}%"
        )
    return lines


LLMC_STEP = (
    "step %4d/%d | loss %7.6f (%+.2fz)| norm %6.4f (%+.2fz)| lr %.2e | %.2f ms | %.1f%% bf16 MFU"
    " | %.0f tok/s"
)


def llmc(steps: int, eval_every: int = 50, known_gpu: bool = True) -> list[str]:
    """Lines as llm.c's train_gpt2.cu prints them (karpathy/llm.c@f1e2ace :1652, :1728, :1872);
    on a GPU missing from llmc/mfu.h's table, flops_promised is -1 and the MFU negative."""
    lines = ["batch_size B=64 * seq_len T=1024 * num_processes=8 and total_batch_size=524288"]
    for it in range(steps):
        if it % eval_every == 0:
            lines.append("val loss %f" % (3.1 + 8 / (it + 1)))
        ms = 170 + it % 7 + it % 3 / 7
        lines.append(
            LLMC_STEP
            % (
                it + 1,
                steps,
                3 + 8 / (it + 1),
                (it % 9 - 4) / 3,
                1 + it % 4 / 3,
                0.5,
                6e-4 * (1 - it / steps),
                ms,
                37 + it % 5 / 10 if known_gpu else -(3000 + it % 5 / 10),
                524288 / (ms / 1000),
            )
        )
    return lines


def test_a_chunk_of_iteration_lines_is_read_a_column_at_a_time() -> None:
    text = "\n".join(nanogpt(120)[10:]) + "\n"
    pieces = chunked.split(NANOGPT, text, 491_520)
    assert pieces is not None
    blocks = [p for p in pieces if isinstance(p, chunked.Block)]
    evals = [p for p in pieces if isinstance(p, str)]
    assert evals == [
        "step 50: train loss 3.1569, val loss 3.2569",
        "step 100: train loss 3.0792, val loss 3.1792",
    ]
    assert sum(len(b.steps) for b in blocks) == 120 - 8  # iter 8 to iter 119
    parser = LogParser()
    parser.tokens_per_step = 491_520
    for block in blocks:
        for i, step in enumerate(block.steps):
            line = f"iter {step}: loss {block.cells['train_loss'][i]}, time {block.cells['time_ms'][i]}ms, mfu"
            found = parser.line(next(t for t in text.split("\n") if t.startswith(line)))
            assert found == (step, block.row(i))


def test_a_chunk_with_any_other_line_goes_to_the_line_parser() -> None:
    good = "iter 7: loss 3.1000, time 170.00ms, mfu 38.00%\n"
    assert chunked.split(NANOGPT, good, None) is not None
    for other in (
        "saving checkpoint to out\n",  # a line of no format
        "iter 8: loss 3.1000, time 170.00ms, mfu -100.00%\n",  # MFU not yet measured
        "iter 8: loss 3.1.0, time 170.00ms, mfu 38.00%\n",  # no number
        "iter 7: loss 3.0000, time 170.00ms, mfu 38.00%\n",  # a second line of step 7
        "\n",
        "  iter 8: loss 3.1000, time 170.00ms, mfu 38.00%\n",
        f"iter 8: loss {'9' * 400}, time 170.00ms, mfu 38.00%\n",  # overflows to inf
    ):
        assert chunked.split(NANOGPT, good + other, None) is None, other
    assert chunked.split(NANOGPT, "iter 8: loss 3.1000, time 0.00ms, mfu 38.00%\n", 1024) is None
    assert (
        chunked.split(NANOGPT, "iter 8: loss 3.1000, time 0.00ms, mfu 38.00%\n", None) is not None
    )


def stream(raw: bytes, cuts: list[int], tmp: Path) -> tuple[StreamParser, series.SteadyState]:
    parser = StreamParser(LogParser(), SeriesWriter(tmp / "metrics.csv"))
    start = 0
    for cut in sorted(cuts) + [len(raw)]:
        parser.feed(raw[start:cut])
        start = cut
    return parser, parser.close()


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


EXTRAS = {
    "nanoGPT": [
        "saving checkpoint to out",
        "",
        "iter {s}: loss nan, time 170.00ms, mfu 38.00%",
        "iter {s}: loss 3.0000, time 0.00ms, mfu 38.00%",
        "iter {s}: loss 1e400, time 170.00ms, mfu 38.00%",
        "step {s}: train loss 3.0000, val loss 3.1000",
        "iter {s}: loss 2.5000, time 171.00ms, mfu 39.00%",  # a second line of the same step
    ],
    "llm.c": [
        "generating:\n---\nOnce upon a time\n---",
        "",
        "val loss nan",
        "step {s:4d}/100 | loss nan (+nanz)| norm 1.0000 (+0.00z)| lr 6.00e-04 | 170.00 ms | 37.0% bf16 MFU | 3000000 tok/s",
        "step {s:4d}/100 | loss 3.000000 (+0.00z)| norm 1.0000 (+0.00z)| lr 6.00e-04 | 170.00 ms | -1.0% bf16 MFU | 3000000 tok/s",
        "step {s:4d}/100 | loss 2.500000 (+0.10z)| norm 1.1000 (+0.00z)| lr 6.00e-04 | 171.00 ms | 37.5% bf16 MFU | 3100000 tok/s",
        "val loss 3.100000",
    ],
}
STEP = re.compile(r"(?:iter |step +)(\d+)")


@settings(max_examples=40, deadline=None)
@given(
    steps=st.integers(min_value=1, max_value=1500),
    eval_every=st.integers(min_value=1, max_value=400),
    trainer=st.sampled_from(sorted(EXTRAS)),
    extras=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3000), st.integers(0, 6)), max_size=6
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=200_000), max_size=12),
    announce=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    known_gpu=st.booleans(),
)
def test_streamed_in_any_chunks_the_rows_and_numbers_are_the_line_parsers(
    tmp_path_factory, steps, eval_every, trainer, extras, cuts, announce, newline, known_gpu
) -> None:
    log = nanogpt(steps, eval_every) if trainer == "nanoGPT" else llmc(steps, eval_every, known_gpu)
    lines = log[0 if announce else 1 :]
    for at, extra in sorted(extras, reverse=True):
        at = min(at, len(lines))
        # the step of the metric line before: a log's steps never go back
        before = [m for line in lines[:at] if (m := STEP.match(line))]
        step = int(before[-1].group(1)) if before else 0
        lines.insert(at, EXTRAS[trainer][extra].format(s=step))
    raw = (newline.join(lines) + newline).encode()
    tmp = tmp_path_factory.mktemp("chunked")
    streamed, steady = stream(raw, [c % (len(raw) + 1) for c in cuts], tmp)
    expected = parse_lines(raw.decode().splitlines()).rows
    got = list(read_rows(tmp / "metrics.csv"))
    assert len(got) == len(expected)
    for want, row in zip(expected, got, strict=True):
        assert want.keys() == row.keys() and all(same(float(want[k]), row[k]) for k in want), (
            want,
            row,
        )
    at_once = series.steady_state(got)
    assert (steady.measurements, steady.first_step, steady.last_step) == (
        at_once.measurements,
        at_once.first_step,
        at_once.last_step,
    )
    assert steady.values.keys() == at_once.values.keys()
    for key, value in steady.values.items():
        assert math.isclose(value, at_once.values[key], rel_tol=1e-9), key
    writer = streamed.writer
    losses = [r["train_loss"] for r in got if "train_loss" in r and math.isfinite(r["train_loss"])]
    if losses:
        low = min(losses)
        assert writer.best["train_loss"] == low
        assert writer.best["train_loss_step"] == next(
            r["step"] for r in got if r.get("train_loss") == low
        )
    assert writer.max_step == max(int(r["step"]) for r in got)


def test_a_negative_mfu_is_not_measured_on_both_paths() -> None:
    """llm.c on a GPU its table lacks (flops_promised = -1) prints a negative MFU on every
    step: no `mfu` column, from the chunk reader as from the line parser."""
    text = "\n".join(llmc(40, eval_every=1000, known_gpu=False)[2:]) + "\n"
    pieces = chunked.split(LLMC, text, 524_288)
    assert pieces is not None
    (block,) = pieces
    assert isinstance(block, chunked.Block) and "mfu" not in block.columns
    rows = parse_lines(text.splitlines()).rows
    assert rows and all("mfu" not in row for row in rows)
