"""Parse a run's log while it runs, in one pass, in bounded memory, straight into metrics.csv.

`bip run` feeds every chunk the command prints to `StreamParser.feed`; complete lines are
parsed as they arrive (the last, unfinished line waits for its end, up to MAX_LINE), rows go to
metrics.csv as soon as the next step begins, and the run's numbers (final, best, peak learning
rate, steady-state sums) are kept as running totals. Nothing grows with the log's length but
metrics.csv on disk: the steady-state mean leaves out the first 10% of measurements, a count
known only at the end, so `finish()` reads back the first tenth of metrics.csv to subtract it.

metrics.csv's header holds the columns seen in the first rows (held back until HOLD rows or
the end); a column that first appears later (rare: a metric logged only late in the run)
rewrites the file once with the wider header.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from toolkit.runs import series
from toolkit.runs.model import SteadyState
from toolkit.runs.parse import LogParser, to_number

HOLD = 200  # rows held back to learn the columns before metrics.csv's header is written
MAX_LINE = 1 << 20  # a "line" this long without an end is parsed as it is, then dropped
MAX_COLUMNS = 256  # a log inventing columns without end keeps only the first ones
Row = dict[str, float]


RATE_SET = frozenset(series.RATES)
LOSS_SET = frozenset(series.LOSSES)


class SeriesWriter:
    """Rows (one per step) to a CSV file, and the run's numbers as running totals."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns: list[str] = []
        self._known: set[str] = set()
        self._held: list[Row] = []
        self._fh: object = None
        self._write: Callable[[str], int] | None = None
        self.rows = 0
        self.final: Row = {}
        self.best: Row = {}
        self.peak_lr: float | None = None
        self.max_step: int | None = None
        self.measured = 0  # rows with a rate (tokens/s, MFU, step time...)
        self._sums: dict[str, float] = {}
        self._counts: dict[str, int] = {}
        self._kept = 0  # measured rows that ran no evaluation
        self._last_kept_step: int | None = None

    def add(self, row: Row) -> None:
        """One row (its `step` set); written out, and counted into the running totals."""
        self.rows += 1
        final, best, sums, counts = self.final, self.best, self._sums, self._counts
        isfinite = math.isfinite
        evaluated = "val_loss" in row and isfinite(row["val_loss"])
        measured = False
        for key, value in row.items():
            if not isfinite(value):
                continue  # NaN and inf are written to metrics.csv, never summed or compared
            final[key] = value
            if key in RATE_SET:
                measured = True
                if not evaluated:
                    sums[key] = sums.get(key, 0.0) + value
                    counts[key] = counts.get(key, 0) + 1
            elif key in LOSS_SET:
                if key not in best or value < best[key]:
                    best[key] = value
                    best[f"{key}_step"] = row["step"]
            elif key == "lr" and (self.peak_lr is None or value > self.peak_lr):
                self.peak_lr = value
        step = int(row["step"])
        if self.max_step is None or step > self.max_step:
            self.max_step = step
        if measured:
            self.measured += 1
            if not evaluated:
                self._kept += 1
                self._last_kept_step = step
        if self._write is None:
            self._held.append(row)
            if len(self._held) >= HOLD:
                self._open()
            return
        if not self._known.issuperset(row):
            self._widen(row)
        self._write(self._line(row))

    def _line(self, row: Row) -> str:
        return (
            f"{int(row['step'])},"
            + ",".join([repr(row[c]) if c in row else "" for c in self.columns[1:]])
            + "\n"
        )

    def _open(self) -> None:
        seen: dict[str, None] = {"step": None}
        for row in self._held:
            seen.update(dict.fromkeys(row))
        self.columns = list(seen)[:MAX_COLUMNS]
        self._known = set(self.columns)
        fh = self.path.open("w", encoding="utf-8", newline="")
        self._fh = fh
        self._write = fh.write
        fh.write(",".join(self.columns) + "\n")
        held, self._held = self._held, []
        for row in held:
            fh.write(self._line(row))

    def _widen(self, row: Row) -> None:
        new = [k for k in row if k not in self._known]
        room = MAX_COLUMNS - len(self.columns)
        if room <= 0:
            self._known.update(new)  # never looked at again
            return
        added = new[:room]
        self._known.update(new)
        self._close_file()
        tmp = self.path.with_name(f".{self.path.name}.wide")
        with (
            self.path.open(encoding="utf-8", newline="") as src,
            tmp.open("w", encoding="utf-8", newline="") as dst,
        ):
            lines = iter(src)
            next(lines, None)
            self.columns += added
            dst.write(",".join(self.columns) + "\n")
            pad = "," * len(added)
            for line in lines:
                dst.write(line[:-1] + pad + "\n")
        os.replace(tmp, self.path)
        fh = self.path.open("a", encoding="utf-8", newline="")
        self._fh = fh
        self._write = fh.write

    def flush(self) -> None:
        """What was written so far reaches the file (once per chunk the command printed)."""
        flush = getattr(self._fh, "flush", None)
        if flush is not None:
            flush()

    def _close_file(self) -> None:
        close = getattr(self._fh, "close", None)
        if close is not None:
            close()
        self._fh = None

    def finish(self) -> SteadyState:
        """Close metrics.csv and work out the steady state (the module says how)."""
        if self._write is None and self._held:
            self._open()
        self._close_file()
        self._write = None
        if not self.measured:
            return SteadyState()
        skip = series.warmup_skip(self.measured)
        sums, counts = dict(self._sums), dict(self._counts)
        kept, first = self._kept, None
        seen = 0
        for row in self._read():
            if not series.is_measured(row):
                continue
            if seen >= skip:
                if not series.is_eval(row):
                    first = int(row["step"])
                    break
                continue
            seen += 1
            if not series.is_eval(row):
                kept -= 1
                for key in series.RATES:
                    rate = row.get(key)
                    if rate is not None and math.isfinite(rate):
                        sums[key] -= rate
                        counts[key] -= 1
        if kept <= 0:  # a short run: computed in memory (its rows are few)
            return series.steady_state(list(self._read()))
        steady = SteadyState(measurements=kept, rule=series.STEADY_RULE)
        steady.values = {k: sums[k] / counts[k] for k in series.RATES if counts.get(k)}
        steady.first_step, steady.last_step = first, self._last_kept_step
        return steady

    def _read(self) -> Iterator[Row]:
        return read_rows(self.path) if self.path.exists() else iter(())


def read_rows(path: Path) -> Iterator[Row]:
    """metrics.csv's rows, one at a time (empty cells left out)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        for cells in reader:
            row: Row = {}
            for key, text in zip(header, cells, strict=False):
                if text and (value := to_number(text)) is not None:
                    row[key] = value
            if "step" in row:
                yield row


class StreamParser:
    """Bytes in, as the command prints them; rows out to a SeriesWriter."""

    def __init__(self, parser: LogParser, writer: SeriesWriter) -> None:
        self.parser = parser
        self.writer = writer
        self._tail = b""
        self._row: Row | None = None
        self._step: int | None = None

    def feed(self, data: bytes) -> None:
        data = self._tail + data
        end = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if end < 0:
            self._tail = data
            if len(data) > MAX_LINE:
                self._lines(data[:MAX_LINE].decode("utf-8", "replace"))
                self._tail = b""
            return
        self._tail = data[end + 1 :]
        self._lines(data[: end + 1].decode("utf-8", "replace"))
        self.writer.flush()

    def _lines(self, text: str) -> None:
        if "\r" in text:
            text = text.replace("\r", "\n")
        line_of = self.parser.line
        add = self._add
        for line in text.split("\n"):
            if line:
                found = line_of(line)
                if found is not None:
                    add(found[0], found[1])

    def _add(self, step: int | None, values: Row) -> None:
        if step is None:
            return
        if step == self._step and self._row is not None:
            self._row.update(values)
            return
        if self._row is not None:
            self.writer.add(self._row)
        values["step"] = float(step)
        self._row, self._step = values, step

    def close(self) -> SteadyState:
        if self._tail:
            self._lines(self._tail.decode("utf-8", "replace"))
            self._tail = b""
        if self._row is not None:
            self.writer.add(self._row)
            self._row = None
        return self.writer.finish()
