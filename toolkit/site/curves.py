"""The run pages' loss curves, each drawn once for what it shows.

A curve is kept in `.bip/cache/curves/` under a key made of everything it is drawn from: the
series file's size and modification time, the run's name (the title), its tokens per step and
a fingerprint of the drawing code and matplotlib's version. A build links the cached file into
the run's page bundle, so an unchanged run is never read or drawn again, even after `.bip/site/`
is deleted. The curves that must be drawn share one matplotlib figure; matplotlib is imported
only when there is one to draw. Cached curves no run uses any more are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.site.collect import RunFacts

NO_LOSS = ".none"  # a marker: this series has no loss to draw (so it is not read again)


@cache
def _code_fingerprint() -> str:
    """The drawing code (plot.py's bytes) and the installed matplotlib (its package file's size
    and time: an upgrade rewrites it), without importing matplotlib."""
    from importlib.util import find_spec

    from toolkit.runs import plot

    spec = find_spec("matplotlib")
    engine = ""
    if spec is not None and spec.origin:
        with contextlib.suppress(OSError):
            stat = os.stat(spec.origin)
            engine = f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(Path(plot.__file__).read_bytes() + engine.encode()).hexdigest()


def curve_key(run: RunFacts) -> str | None:
    """The cache key of the run's curve, or None when the run has no series file."""
    if run.series is None:
        return None
    try:
        stat = run.series.stat()
    except OSError:
        return None
    parts: list[Any] = [
        _code_fingerprint(),
        stat.st_size,
        stat.st_mtime_ns,
        run.name,
        run.tokens_per_step,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def place_curves(
    runs: list[RunFacts],
    targets: list[Path],
    cache_dir: Path,
    say: Callable[[str], None],
) -> int:
    """Put each run's curve at its target (or remove the target when the run has none);
    returns how many curves were drawn."""
    plotter: Any = None  # a LossPlotter, made (and matplotlib imported) for the first curve
    used: set[str] = set()
    drawn = 0
    for run, target in zip(runs, targets, strict=True):
        key = curve_key(run)
        if key is None or run.series is None:
            target.unlink(missing_ok=True)
            continue
        svg, empty = cache_dir / f"{key}.svg", cache_dir / f"{key}{NO_LOSS}"
        used.update((svg.name, empty.name))
        if not svg.is_file() and not empty.is_file():
            from toolkit.runs.plot import LossPlotter, thin_file

            try:
                lines = thin_file(run.series)
            except (OSError, UnicodeDecodeError, ValueError):
                target.unlink(missing_ok=True)  # unreadable now: tried again next build
                continue
            if not any(lines.values()):  # no loss in the log: the page goes without a curve
                cache_dir.mkdir(parents=True, exist_ok=True)
                empty.touch()
            else:
                say(f"drawing the loss curve of {run.id}")
                plotter = plotter or LossPlotter()
                plotter.draw(lines, svg, run.name, run.tokens_per_step)
                drawn += 1
        if svg.is_file():
            _link(svg, target)
        else:
            target.unlink(missing_ok=True)
    _prune(cache_dir, used)
    return drawn


def _link(cached: Path, target: Path) -> None:
    """Make target the cached file (a hard link where the file system allows, else a copy)."""
    try:
        if target.exists() and os.path.samefile(cached, target):
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(cached, tmp)
    except OSError:
        shutil.copyfile(cached, tmp)
    tmp.replace(target)


def _prune(cache_dir: Path, used: set[str]) -> None:
    if not cache_dir.is_dir():
        return
    for path in cache_dir.iterdir():
        if path.name not in used and path.suffix in (".svg", NO_LOSS, ".tmp"):
            path.unlink(missing_ok=True)
