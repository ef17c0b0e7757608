"""Thinning a loss line for the plot: bounded, in step order, and true to its shape (the lowest
and highest loss, a lone spike, the first and last step survive)."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.runs.plot import BUCKETS, MAX_POINTS, thin, thin_series

losses = st.lists(st.floats(min_value=0, max_value=20, allow_nan=False), min_size=1, max_size=6000)


@settings(max_examples=60, deadline=None)
@given(losses)
def test_thinned_line_is_bounded_ordered_and_keeps_its_extremes(ys: list[float]) -> None:
    line = [(float(step), y) for step, y in enumerate(ys)]
    kept = thin(line)
    assert len(kept) <= MAX_POINTS
    assert set(kept) <= set(line)
    assert [x for x, _ in kept] == sorted({x for x, _ in kept})  # step order, no repeats
    assert kept[0] == line[0] and kept[-1] == line[-1]
    assert min(y for _, y in kept) == min(ys) and max(y for _, y in kept) == max(ys)
    if len(line) <= BUCKETS:
        assert kept == line


def test_a_long_run_keeps_a_spike_and_the_curve() -> None:
    noise = random.Random(7)
    rows = (
        {"step": float(s), "train_loss": 3 + 8 * math.exp(-s / 20_000) + noise.gauss(0, 0.02)}
        | ({"train_loss": 9.5} if s == 153_087 else {})
        | ({"val_loss": 3.1 + 8 * math.exp(-s / 20_000)} if s % 25_000 == 0 else {})
        for s in range(250_000)
    )  # a generator: thinning streams, nothing holds the rows
    lines = thin_series(rows)
    train, val = lines["train_loss"], lines["val_loss"]
    assert MAX_POINTS // 2 <= len(train) <= MAX_POINTS
    assert (153_087.0, 9.5) in train  # one bad step is what a reader must see
    assert train[0][0] == 0 and train[-1][0] == 249_999
    assert [x for x, _ in val] == [float(s) for s in range(0, 250_000, 25_000)]
    # Between the spike and the end, the envelope hugs the curve: within the noise.
    for x, y in train:
        if x > 175_000:
            assert abs(y - (3 + 8 * math.exp(-x / 20_000))) < 0.2


cells = st.sampled_from(["", "1", "2.5", "1,234", "nan", "inf", "-inf", "1e400", "x", " 3", "-0"])
headers = st.lists(
    st.sampled_from(["step", "train_loss", "val_loss", "lr", "train_loss"]), max_size=5
)


@settings(max_examples=150, deadline=None)
@given(headers, st.lists(st.lists(cells, max_size=6), max_size=40), st.integers(1, 7))
def test_reading_only_the_loss_columns_thins_as_reading_every_row_does(
    tmp_path_factory, header: list[str], rows: list[list[str]], chunk: int
) -> None:
    """thin_file reads metrics.csv a column and a chunk at a time; it must give what
    thin_series(read_rows(...)) gives, whatever the file holds (names twice, short rows, text,
    commas, nan and inf, no step column)."""
    import csv

    from toolkit.runs.plot import thin_file
    from toolkit.runs.stream import read_columns, read_rows

    path = tmp_path_factory.mktemp("series") / "metrics.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    assert thin_file(path) == thin_series(read_rows(path))
    read = [
        (s, *v)
        for steps, values in read_columns(path, ("train_loss", "lr"), chunk)
        for s, *v in zip(steps, *values, strict=True)
        if s is not None
    ]
    rowwise = [(r["step"], r.get("train_loss"), r.get("lr")) for r in read_rows(path)]
    assert repr(read) == repr(rowwise)  # repr: nan is equal to itself there
