"""A run's record, typed: what `bip run` (or `bip runs import`) writes to run.json and every
reader (runs show, compare, drafts, the journal) reads back, with no `.get()` chains.

`to_json` writes the documented shape of run.json; `from_json` reads any record bip ever wrote
(fields it does not know are ignored, a field of the wrong type reads as missing), so an old
or hand-edited run.json never breaks a command.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

FORMAT = 2  # 1: bip 0.x before the typed record; 2 adds mfu, params, the commit's remote, source


def _num(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _numbers(value: Any) -> dict[str, float]:
    return {str(k): n for k, v in _dict(value).items() if (n := _num(v)) is not None}


@dataclass
class GPUInfo:
    name: str
    memory: str | None = None  # as people write it: "80 GiB"
    memory_mib: int | None = None
    driver: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GPUInfo:
        return cls(
            str(data.get("name") or "GPU"),
            _str(data.get("memory")),
            _int(data.get("memory_mib")),
            _str(data.get("driver")),
        )

    def describe(self) -> str:
        extra = ", ".join(x for x in (self.memory, self.driver and f"driver {self.driver}") if x)
        return f"{self.name} ({extra})" if extra else self.name


@dataclass
class CPUInfo:
    model: str | None = None
    count: int | None = None


@dataclass
class HardwareInfo:
    gpus: list[GPUInfo] = field(default_factory=list)
    gpu_tool: str | None = None  # which tool named them
    gpu_note: str | None = None  # why there are none
    cpu: CPUInfo = field(default_factory=CPUInfo)
    memory: str | None = None
    memory_mib: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HardwareInfo:
        cpu = _dict(data.get("cpu"))
        gpus = data.get("gpus")
        return cls(
            [GPUInfo.from_json(g) for g in gpus if isinstance(g, dict)]
            if isinstance(gpus, list)
            else [],
            _str(data.get("gpu_tool")),
            _str(data.get("gpu_note")),
            CPUInfo(_str(cpu.get("model")), _int(cpu.get("count"))),
            _str(data.get("memory")),
            _int(data.get("memory_mib")),
        )

    @property
    def gpu_summary(self) -> str | None:
        """`8x NVIDIA A100-SXM4-40GB`, or the names when the GPUs differ."""
        names = [g.name for g in self.gpus]
        if not names:
            return None
        if len(set(names)) == 1:
            return f"{len(names)}x {names[0]}"
        return ", ".join(names)


@dataclass
class GitInfo:
    """Where the run's code came from (see toolkit.git.GitFacts), and where a reader finds it."""

    root: str
    commit: str | None = None
    branch: str | None = None
    dirty: bool = False
    diffstat: str = ""
    untracked: list[str] = field(default_factory=list)
    upstream_remote: str | None = None
    upstream_url: str | None = None
    upstream_ref: str | None = None
    merge_base: str | None = None
    tracking: str | None = None
    tracking_url: str | None = None
    # The remote whose branches hold the commit (the fork the branch tracks, as a rule); None
    # when the commit is on no remote bip knows: then `patch` (the run's changes on top of the
    # merge-base, saved beside run.json) is how a reader rebuilds it.
    commit_remote: str | None = None
    commit_url: str | None = None
    patch: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GitInfo:
        untracked = data.get("untracked")
        return cls(
            root=str(data.get("root") or ""),
            commit=_str(data.get("commit")),
            branch=_str(data.get("branch")),
            dirty=bool(data.get("dirty")),
            diffstat=str(data.get("diffstat") or ""),
            untracked=[str(u) for u in untracked] if isinstance(untracked, list) else [],
            upstream_remote=_str(data.get("upstream_remote")),
            upstream_url=_str(data.get("upstream_url")),
            upstream_ref=_str(data.get("upstream_ref")),
            merge_base=_str(data.get("merge_base")),
            tracking=_str(data.get("tracking")),
            tracking_url=_str(data.get("tracking_url")),
            commit_remote=_str(data.get("commit_remote")),
            commit_url=_str(data.get("commit_url")),
            patch=_str(data.get("patch")),
        )


@dataclass
class SteadyState:
    values: dict[str, float] = field(default_factory=dict)  # tokens_per_sec, mfu, time_ms...
    first_step: int | None = None
    last_step: int | None = None
    measurements: int = 0
    rule: str | None = None

    KEYS = ("first_step", "last_step", "measurements", "rule")

    def to_json(self) -> dict[str, Any]:
        return {
            **self.values,
            "first_step": self.first_step,
            "last_step": self.last_step,
            "measurements": self.measurements,
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SteadyState:
        values = {k: v for k, v in _numbers(data).items() if k not in cls.KEYS}
        return cls(
            values,
            _int(data.get("first_step")),
            _int(data.get("last_step")),
            _int(data.get("measurements")) or 0,
            _str(data.get("rule")),
        )


@dataclass
class LearningRate:
    value: float
    source: str


@dataclass
class MFU:
    """Model FLOPs utilization against a stated peak: the GPU the run ran on, when bip knows it."""

    value: float  # a fraction: 0.38 is 38 %
    reference: str  # "AMD Instinct MI300X, 1307.4 TFLOPS dense bf16"
    how: str  # how bip got it: computed from FLOPs per token, or rescaled from the log's figure
    peak_tflops: float | None = None
    source: str | None = None  # where the peak comes from (a vendor's page)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MFU | None:
        value = _num(data.get("value"))
        if value is None:
            return None
        return cls(
            value,
            str(data.get("reference") or "unknown peak"),
            str(data.get("how") or ""),
            _num(data.get("peak_tflops")),
            _str(data.get("source")),
        )


@dataclass
class RunMetrics:
    final: dict[str, float] = field(default_factory=dict)  # last value of each column
    best: dict[str, float] = field(default_factory=dict)  # lowest loss, with `<loss>_step`
    steady_state: SteadyState = field(default_factory=SteadyState)
    series: str | None = None  # the metrics.csv beside run.json
    steps: int | None = None
    tokens_per_step: int | None = None
    learning_rate: LearningRate | None = None
    formats: list[str] = field(default_factory=list)  # which log formats matched
    mfu: MFU | None = None
    params: int | None = None  # model parameters, when the log or the user said
    flops_per_token: float | None = None
    # Columns whose last logged value was NaN or inf (not in `final`) -> the step it began
    diverged: dict[str, float] = field(default_factory=dict)
    final_steps: dict[str, float] = field(default_factory=dict)  # loss -> step of its final

    def to_json(self) -> dict[str, Any]:
        return {
            "final": self.final,
            "final_steps": self.final_steps,
            "diverged": self.diverged,
            "best": self.best,
            "steady_state": self.steady_state.to_json(),
            "series": self.series,
            "steps": self.steps,
            "tokens_per_step": self.tokens_per_step,
            "learning_rate": asdict(self.learning_rate) if self.learning_rate else None,
            "formats": self.formats,
            "mfu": asdict(self.mfu) if self.mfu else None,
            "params": self.params,
            "flops_per_token": self.flops_per_token,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunMetrics:
        lr = _dict(data.get("learning_rate"))
        lr_value = _num(lr.get("value"))
        formats = data.get("formats")
        return cls(
            final=_numbers(data.get("final")),
            best=_numbers(data.get("best")),
            steady_state=SteadyState.from_json(_dict(data.get("steady_state"))),
            series=_str(data.get("series")),
            steps=_int(data.get("steps")),
            tokens_per_step=_int(data.get("tokens_per_step")),
            learning_rate=(
                LearningRate(lr_value, str(lr.get("source") or ""))
                if lr_value is not None
                else None
            ),
            formats=[str(f) for f in formats] if isinstance(formats, list) else [],
            mfu=MFU.from_json(_dict(data.get("mfu"))),
            params=_int(data.get("params")),
            flops_per_token=_num(data.get("flops_per_token")),
            diverged=_numbers(data.get("diverged")),
            final_steps=_numbers(data.get("final_steps")),
        )

    @property
    def tokens_per_sec(self) -> float | None:
        return self.steady_state.values.get("tokens_per_sec")

    @property
    def diverged_loss(self) -> tuple[str, float] | None:
        """(loss column, step) when the run ended with a NaN or inf loss: val first."""
        for key in ("val_loss", "train_loss"):
            if key in self.diverged:
                return key, self.diverged[key]
        return None


@dataclass
class RunRecord:
    id: str
    name: str
    command: list[str]
    cwd: str
    started: str  # ISO 8601 with offset
    tags: list[str] = field(default_factory=list)
    finished: str | None = None
    wall_seconds: float | None = None
    exit_code: int | None = None  # None: still running, or its recorder was killed
    interrupted: bool = False
    git: GitInfo | None = None
    hardware: HardwareInfo | None = None
    software: dict[str, str] = field(default_factory=dict)  # python, torch, cuda, rocm...
    based_on: str | None = None
    metrics: RunMetrics | None = None
    source: str | None = None  # None: recorded by `bip run`; else what it was imported from
    started_from: str | None = None  # imported: where `started` comes from (None: bip saw it)
    format: int = FORMAT

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "id": self.id,
            "name": self.name,
            "tags": self.tags,
            "command": self.command,
            "cwd": self.cwd,
            "started": self.started,
            "finished": self.finished,
            "wall_seconds": self.wall_seconds,
            "exit_code": self.exit_code,
            "interrupted": self.interrupted,
            "git": asdict(self.git) if self.git else None,
            "hardware": asdict(self.hardware) if self.hardware else None,
            "software": self.software or None,
            "based_on": self.based_on,
            "metrics": self.metrics.to_json() if self.metrics else None,
            "source": self.source,
            "started_from": self.started_from,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], id_: str) -> RunRecord:
        command = data.get("command")
        tags = data.get("tags")
        git, hardware, metrics = (data.get(k) for k in ("git", "hardware", "metrics"))
        return cls(
            id=id_,
            name=str(data.get("name") or id_),
            command=[str(a) for a in command] if isinstance(command, list) else [],
            cwd=str(data.get("cwd") or ""),
            started=str(data.get("started") or ""),
            tags=[str(t) for t in tags] if isinstance(tags, list) else [],
            finished=_str(data.get("finished")),
            wall_seconds=_num(data.get("wall_seconds")),
            exit_code=code if isinstance(code := data.get("exit_code"), int) else None,
            interrupted=bool(data.get("interrupted")),
            git=GitInfo.from_json(git) if isinstance(git, dict) else None,
            hardware=HardwareInfo.from_json(hardware) if isinstance(hardware, dict) else None,
            software={str(k): str(v) for k, v in _dict(data.get("software")).items() if v},
            based_on=_str(data.get("based_on")),
            metrics=RunMetrics.from_json(metrics) if isinstance(metrics, dict) else None,
            source=_str(data.get("source")),
            started_from=_str(data.get("started_from")),
            format=_int(data.get("format")) or 1,
        )

    @property
    def started_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.started)
        except ValueError:
            return None

    @property
    def status(self) -> str:
        if self.source is not None and self.exit_code is None:
            return "imported"
        if self.exit_code is None:
            return "unfinished"  # still running, or its recorder was killed
        if self.interrupted:
            return "interrupted"
        return "ok" if self.exit_code == 0 else f"exit {self.exit_code}"

    @property
    def numbers(self) -> RunMetrics:
        return self.metrics or RunMetrics()
