"""Parse a run's log while it runs, in one pass, in bounded memory, straight into metrics.csv.

`bip run` feeds every chunk the command prints to `StreamParser.feed`; complete lines are
parsed as they arrive (the last, unfinished line waits for its end, up to MAX_LINE), rows go to
metrics.csv as soon as the next step begins, and the run's numbers (final, best, peak learning
rate, steady-state sums) are kept as running totals. Nothing grows with the log's length but
metrics.csv on disk: the steady-state mean leaves out the first 10% of measurements, a count
known only at the end, so the writer keeps checkpoints of its totals (at most CHECKPOINTS, each
with its place in the file, spaced further apart as the run grows) and `finish()` reads back
only the rows between the last checkpoint before that tenth and the tenth itself.

metrics.csv's header holds the columns seen in the first rows (held back until HOLD rows or
the end); a column that first appears later (rare: a metric logged only late in the run)
rewrites the file once with the wider header.
"""

from __future__ import annotations

import csv
import itertools
import math
import operator
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.runs import chunked, series
from toolkit.runs.model import SteadyState
from toolkit.runs.parse import LogParser, to_number

HOLD = 200  # rows held back to learn the columns before metrics.csv's header is written
MAX_LINE = 1 << 20  # a "line" this long without an end is parsed as it is, then dropped
MAX_COLUMNS = 256  # a log inventing columns without end keeps only the first ones
CHECKPOINTS = 256  # running totals kept to start finish()'s read-back from (memory is bounded)
Row = dict[str, float]


@dataclass
class Checkpoint:
    """The running totals after `measured` measured rows, and where the next row starts."""

    measured: int
    kept: int
    sums: dict[str, float]
    counts: dict[str, int]
    offset: int


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
        # A column whose last logged value is NaN or inf (a loss that diverged) -> the step
        # where that stretch began; its stale finite value is not the run's final number.
        self.diverged: Row = {}
        self.final_steps: Row = {}  # loss -> the step of its final value (evaluations are sparse)
        self.peak_lr: float | None = None
        self.max_step: int | None = None
        self.measured = 0  # rows with a rate (tokens/s, MFU, step time...)
        self._sums: dict[str, float] = {}
        self._counts: dict[str, int] = {}
        self._kept = 0  # measured rows that ran no evaluation
        self._last_kept_step: int | None = None
        self._checkpoints: list[Checkpoint] = []
        self._every = 64  # measured rows between checkpoints; doubles as they fill

    def add(self, row: Row) -> None:
        """One row (its `step` set); written out, and counted into the running totals."""
        self.rows += 1
        final, best, sums, counts = self.final, self.best, self._sums, self._counts
        isfinite = math.isfinite
        evaluated = "val_loss" in row and isfinite(row["val_loss"])
        measured = False
        for key, value in row.items():
            if not isfinite(value):
                # NaN and inf are written to metrics.csv, never summed or compared
                self.diverged.setdefault(key, row["step"])
                continue
            if self.diverged:
                self.diverged.pop(key, None)
            final[key] = value
            if key in RATE_SET:
                measured = True
                if not evaluated:
                    sums[key] = sums.get(key, 0.0) + value
                    counts[key] = counts.get(key, 0) + 1
            elif key in LOSS_SET:
                self.final_steps[key] = row["step"]
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
        if measured:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """After a write: keep the totals when `_every` measured rows passed since the last."""
        last = self._checkpoints[-1].measured if self._checkpoints else 0
        fh = self._fh
        if self.measured - last < self._every or not hasattr(fh, "tell"):
            return
        self._checkpoints.append(
            Checkpoint(self.measured, self._kept, dict(self._sums), dict(self._counts), fh.tell())
        )
        if len(self._checkpoints) > CHECKPOINTS:
            self._checkpoints = self._checkpoints[1::2]
            self._every = max(2 * self._every, self.measured // len(self._checkpoints))

    def add_block(self, block: chunked.Block, start: int, stop: int) -> None:
        """Rows start..stop-1 of a block (no evaluation among them, every value finite), as
        `add` would take them one by one, at a fraction of the cost."""
        if self._write is None or not self._known.issuperset(block.columns):
            for i in range(start, stop):
                row = block.row(i)
                row["step"] = float(block.steps[i])
                self.add(row)
            return
        n = stop - start
        steps = block.steps[start:stop]
        self.rows += n
        for key, values in block.columns.items():
            part = values[start:stop]
            self.final[key] = part[-1]
            if self.diverged:
                self.diverged.pop(key, None)
            if key in RATE_SET:
                self._sums[key] = self._sums.get(key, 0.0) + sum(part)
                self._counts[key] = self._counts.get(key, 0) + n
            elif key in LOSS_SET:
                self.final_steps[key] = float(steps[-1])
                low = min(part)
                if key not in self.best or low < self.best[key]:
                    self.best[key] = low
                    self.best[f"{key}_step"] = float(steps[part.index(low)])
            elif key == "lr" and (self.peak_lr is None or max(part) > self.peak_lr):
                self.peak_lr = max(part)
        self.final["step"] = float(steps[-1])
        top = max(steps)
        if self.max_step is None or top > self.max_step:
            self.max_step = top
        if any(key in RATE_SET for key in block.columns):
            self.measured += n
            self._kept += n
            self._last_kept_step = steps[-1]
        blank = [""] * n
        cells = [block.step_cells[start:stop]] + [
            block.cells[c][start:stop] if c in block.cells else blank for c in self.columns[1:]
        ]
        self._write("\n".join(map(",".join, zip(*cells, strict=True))) + "\n")
        if self.measured:
            self._checkpoint()

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
        self._checkpoints = []  # their places in the file move: finish() reads from the top
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
        for key in self.diverged:
            self.final.pop(key, None)
            self.final_steps.pop(key, None)
        if self._write is None and self._held:
            self._open()
        self._close_file()
        self._write = None
        if not self.measured:
            return SteadyState()
        skip = series.warmup_skip(self.measured)
        sums, counts = dict(self._sums), dict(self._counts)
        kept, first = self._kept, None
        seen, offset = 0, 0
        start = [c for c in self._checkpoints if c.measured <= skip]
        if start:  # the rows up to the checkpoint come off at once
            mark = start[-1]
            seen, offset, kept = mark.measured, mark.offset, kept - mark.kept
            for key, value in mark.sums.items():
                sums[key] -= value
                counts[key] -= mark.counts[key]
        for row in self._read(offset):
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

    def _read(self, offset: int = 0) -> Iterator[Row]:
        return read_rows(self.path, offset) if self.path.exists() else iter(())


def read_rows(path: Path, offset: int = 0) -> Iterator[Row]:
    """metrics.csv's rows, one at a time (empty cells left out); from `offset` on (a place in
    the file as `tell()` gave it) when given."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        if offset:
            fh.seek(offset)
        for cells in reader:
            row: Row = {}
            for key, text in zip(header, cells, strict=False):
                if text and (value := to_number(text)) is not None:
                    row[key] = value
            if "step" in row:
                yield row


def read_columns(
    path: Path, columns: tuple[str, ...], size: int = 8192
) -> Iterator[tuple[list[float | None], list[list[float | None]]]]:
    """metrics.csv's steps and the `columns`' values, `size` rows at a time, as read_rows gives
    them (None where a cell is empty, not a number, or missing; a row without a step has None
    for its step), converting only these cells, a column of a chunk at a time: a curve of a
    1,000,000-step run needs 2 of its columns, and a dict per row took most of the 5 s of its
    first drawing."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        where = {name: i for i, name in enumerate(header)}
        if "step" not in where or len(where) != len(header):  # a name twice: read_rows decides
            rows = read_rows(path)
            while part := list(itertools.islice(rows, size)):
                yield [r["step"] for r in part], [[r.get(c) for r in part] for c in columns]
            return
        at = [where["step"], *(where.get(c) for c in columns)]
        while chunk := list(itertools.islice(reader, size)):
            none: list[float | None] = [None] * len(chunk)
            steps, *values = (none if i is None else _numbers(_cells(chunk, i)) for i in at)
            yield steps, values


def _cells(rows: list[list[str]], i: int) -> list[str]:
    """Column `i` of the rows ("" where a row is too short)."""
    try:
        return list(map(operator.itemgetter(i), rows))  # every row as long as its header
    except IndexError:
        return [r[i] if i < len(r) else "" for r in rows]


def _numbers(cells: list[str]) -> list[float | None]:
    """to_number of each cell (None for an empty one), the plain numbers bip writes at C speed."""
    try:
        return list(map(float, cells))  # a column with a number in every row
    except ValueError:
        pass
    try:
        return [float(text) if text else None for text in cells]
    except ValueError:
        return [to_number(text) if text else None for text in cells]


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
        form = next((chunked.BY_NAME[f] for f in self.parser.formats if f in chunked.BY_NAME), None)
        if form is not None and text.endswith("\n"):
            pieces = chunked.split(form, text, self.parser.tokens_per_step)
            if pieces is not None:
                self._pieces(pieces)
                return
        line_of = self.parser.line
        add = self._add
        for line in text.split("\n"):
            if line:
                found = line_of(line)
                if found is not None:
                    add(found[0], found[1])

    def _pieces(self, pieces: list[chunked.Piece]) -> None:
        """A chunk the fast path read: evaluation lines through the line parser, blocks of
        iteration lines a block at a time (their first row may merge with the row before, their
        last waits for a line of the same step, as a row from the line parser does)."""
        for piece in pieces:
            if isinstance(piece, str):
                found = self.parser.line(piece)
                if found is not None:
                    self._add(found[0], found[1])
                continue
            steps, n = piece.steps, len(piece.steps)
            self._add(steps[0], piece.row(0))
            if n > 1:
                if self._row is not None:
                    self.writer.add(self._row)
                if n > 2:
                    self.writer.add_block(piece, 1, n - 1)
                self._row, self._step = None, None
                self._add(steps[-1], piece.row(n - 1))
            self.parser.last_step = steps[-1]

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
