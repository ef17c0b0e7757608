"""`bip run`: run a command exactly as if typed, tee its output to log.txt, record the run.

The command inherits stdin. Its stdout and stderr go to a pseudo-terminal when bip's own are a
terminal (so Python, tqdm and friends line-buffer and draw as usual), to pipes otherwise (so
`bip run ... > out.txt` behaves like the command alone). bip copies every chunk to the
terminal and to log.txt the moment it arrives: the command never waits on bip.

Ctrl-C: the terminal sends SIGINT to the whole foreground process group, the command included,
so bip does not send a second one; a SIGINT sent to bip alone (kill, a CI timeout) is passed
on. Either way bip waits for the command to stop, records the partial run and exits 130. A
third interrupt kills the command. SIGTERM is passed on the same way (exit 143).
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import shlex
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, BipError, CommandNotExecutable, CommandNotFound
from toolkit.runs import store
from toolkit.runs.model import GitInfo, HardwareInfo, LearningRate, RunMetrics, RunRecord

CHUNK = 65536
# `--learning_rate=6e-4`, `--lr 6e-4`, `--max-lr=...`; llm.c takes `-l 6e-4`.
LR_FLAG = re.compile(r"^--?(?:max[_-]?)?(?:learning[_-]rate|lr)(?:=(.*))?$")
LLMC = re.compile(r"^train_gpt2\w*$")


@dataclass
class Sink:
    """Where one of the command's streams goes: a writer, and the terminal's fd if it is one."""

    write: Callable[[bytes], None]
    terminal_fd: int | None = None


@dataclass
class Outcome:
    exit_code: int  # as a shell reports it: 128 + N when the command died of signal N
    interrupted: bool
    wall_seconds: float


@dataclass
class RunRequest:
    argv: list[str]
    cwd: Path
    runs_root: Path
    now: Callable[[], datetime]
    name: str | None = None
    tags: list[str] = field(default_factory=list)
    based_on: str | None = None
    upstream_repo: str | None = None  # the based-on entry's GitHub repo, for the merge-base
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    params: int | None = None  # the model's parameter count, when the user gives it (MFU)
    flops_per_token: float | None = None
    reading_list: Path | None = None  # where `based_on` is looked up


@dataclass
class RunResult:
    run: store.Run
    outcome: Outcome
    warnings: list[str] = field(default_factory=list)


def resolve_based_on(reading_list: Path | None, based_on: str) -> tuple[str | None, str | None]:
    """(the entry's GitHub repo, a warning): a reading list that does not load, or an entry
    it does not have, is a warning, never a reason not to run (the run is what matters)."""
    from toolkit import readinglist as rl

    if reading_list is None:
        return None, f"--based-on {based_on}: no reading list to look it up in"
    try:
        entry = rl.load_reading_list(reading_list).model.entry(based_on)
    except BipError as exc:
        return None, f"--based-on {based_on} not resolved (recorded as given): {exc.message}"
    return entry.repo, None


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _in_foreground_group() -> bool:
    """True when a Ctrl-C on the controlling terminal reaches bip's whole process group (the
    command included), so bip must not pass SIGINT on a second time."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def _pty(terminal_fd: int) -> tuple[int, int]:
    import pty
    import termios

    master, slave = pty.openpty()
    _mirror_size(terminal_fd, slave)
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # no "\n" -> "\r\n": the bytes reach the terminal as written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def _mirror_size(source: int, target: int) -> None:
    import fcntl
    import termios

    try:
        size = fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)
    except OSError:
        pass


def spawn_and_tee(
    argv: list[str],
    cwd: Path,
    log_fd: int,
    out: Sink,
    err: Sink,
    on_started: Callable[[], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_output: Callable[[bytes], None] | None = None,
) -> Outcome:
    import subprocess

    channels: list[tuple[int, Sink]] = []  # (bip's read end, where the bytes go)
    child_ends: list[int] = []

    def channel(sink: Sink) -> int:
        if sink.terminal_fd is not None:
            read, write = _pty(sink.terminal_fd)
        else:
            read, write = os.pipe()
        channels.append((read, sink))
        child_ends.append(write)
        return write

    child_out = channel(out)
    same_terminal = (
        out.terminal_fd is not None
        and err.terminal_fd is not None
        and os.path.samestat(os.fstat(out.terminal_fd), os.fstat(err.terminal_fd))
    )
    child_err = child_out if same_terminal else channel(err)

    interrupts = [0]
    terminated = [False]
    proc: list[Any] = []
    ctrl_c_reaches_command = _in_foreground_group()

    def send(sig: int) -> None:
        if proc and proc[0].poll() is None:
            try:
                proc[0].send_signal(sig)
            except OSError:
                pass

    def on_interrupt(signum: int, frame: Any) -> None:
        interrupts[0] += 1
        if interrupts[0] >= 3:
            send(signal.SIGKILL)
        elif not ctrl_c_reaches_command:
            send(signal.SIGINT)

    def on_terminate(signum: int, frame: Any) -> None:
        terminated[0] = True
        send(signal.SIGTERM)

    def on_resize(signum: int, frame: Any) -> None:
        for read, sink in channels:
            if sink.terminal_fd is not None:
                _mirror_size(sink.terminal_fd, read)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, on_interrupt),
        signal.SIGTERM: signal.signal(signal.SIGTERM, on_terminate),
    }
    if any(s.terminal_fd is not None for s in (out, err)) and hasattr(signal, "SIGWINCH"):
        previous[signal.SIGWINCH] = signal.signal(signal.SIGWINCH, on_resize)
    try:
        started = clock()
        try:
            proc.append(
                subprocess.Popen(argv, cwd=cwd, stdout=child_out, stderr=child_err, close_fds=True)
            )
        except OSError as exc:
            for fd in child_ends + [c[0] for c in channels]:
                os.close(fd)
            raise cannot_run(argv, exc) from None
        for fd in child_ends:
            os.close(fd)
        if interrupts[0] and not ctrl_c_reaches_command:  # arrived while it was starting
            send(signal.SIGINT)
        if on_started is not None:
            on_started()
        _tee(channels, log_fd, proc[0], on_output)
        code = proc[0].wait()
        wall = clock() - started
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    exit_code = 128 - code if code < 0 else code
    return Outcome(exit_code, bool(interrupts[0] or terminated[0]), wall)


def _tee(
    channels: list[tuple[int, Sink]],
    log_fd: int,
    proc: Any,
    on_output: Callable[[bytes], None] | None = None,
) -> None:
    readers = dict(channels)
    dead: set[int] = set()  # sinks that stopped taking bytes (a closed pipe): the log goes on
    selector = selectors.DefaultSelector()
    for fd in readers:
        selector.register(fd, selectors.EVENT_READ)
    try:
        while readers:
            events = selector.select(timeout=0.25)
            for key, _ in events:
                fd = int(key.fd)
                try:
                    data = os.read(fd, CHUNK)
                except OSError as exc:  # a pty whose command has gone reads as EIO
                    if exc.errno != errno.EIO:
                        raise
                    data = b""
                if not data:
                    selector.unregister(fd)
                    os.close(fd)
                    del readers[fd]
                    continue
                write_all(log_fd, data)
                if on_output is not None:
                    on_output(data)
                if fd not in dead:
                    try:
                        readers[fd].write(data)
                    except OSError:
                        dead.add(fd)
            if not events and proc.poll() is not None:
                break  # the command is gone; whatever it left running keeps the pipe open
    finally:
        for fd in readers:
            selector.unregister(fd)
            os.close(fd)
        selector.close()


def slug_for(argv: list[str], name: str | None) -> str:
    from toolkit.text import run_slug

    if name:
        return run_slug(name) or "run"
    script = next((a for a in argv[1:] if a.endswith(".py") and not a.startswith("-")), None)
    if script is None and "-m" in argv[:-1]:
        script = argv[argv.index("-m") + 1]
    base = re.sub(r"^python[\d.]*$", "python", Path(script or argv[0]).name)
    return run_slug(base.removesuffix(".py")) or "run"


def configured_lr(argv: list[str]) -> float | None:
    """The learning rate set on the command line, if any."""
    llmc = bool(argv) and bool(LLMC.match(Path(argv[0]).name))
    for i, arg in enumerate(argv[1:], start=1):
        match = LR_FLAG.match(arg)
        value = None
        if match:
            value = match.group(1) if match.group(1) is not None else _next(argv, i)
        elif llmc and arg == "-l":
            value = _next(argv, i)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                continue
    return None


def _next(argv: list[str], i: int) -> str | None:
    return argv[i + 1] if i + 1 < len(argv) else None


def cannot_run(argv: list[str], exc: OSError) -> BipError:
    """Why the command did not start, with a shell's exit code: 127 when there is no such
    file, 126 when there is one that cannot be executed."""
    if exc.errno == errno.ENOENT:
        return CommandNotFound(
            f"command not found: {argv[0]}", hint=f"nothing was run; try `{shlex.join(argv)}` alone"
        )
    why = exc.strerror or str(exc)
    hint = "nothing was run; "
    if exc.errno == errno.ENOEXEC:
        hint += f"start the script with a #! line, or run it with its interpreter (sh {argv[0]})"
    elif exc.errno == errno.EISDIR:
        hint += "give the program inside it"
    else:
        hint += f"make it executable (chmod +x {argv[0]}) or run it with its interpreter"
    return CommandNotExecutable(f"cannot run {argv[0]}: {why}", hint=hint)


def check_command(argv: list[str], cwd: Path) -> None:
    """Refuse, before anything is recorded, a command a shell would refuse (127 or 126)."""
    if not argv:
        raise BadInput("no command to run", hint="bip run -- python train.py")
    first = argv[0]
    if "/" not in first:
        if shutil.which(first) is None:
            error = cannot_run(argv, FileNotFoundError(errno.ENOENT, "not found"))
            if (cwd / first).is_file():  # as in a shell, PATH is searched, not this folder
                runner = "python " if first.endswith(".py") else ""
                error.hint = f"nothing was run; {first} is in this folder: {runner or './'}{first}"
            raise error
        return
    path = Path(first) if os.path.isabs(first) else cwd / first
    if not path.exists():
        raise cannot_run(argv, FileNotFoundError(errno.ENOENT, "No such file or directory"))
    if path.is_dir():
        raise cannot_run(argv, IsADirectoryError(errno.EISDIR, "Is a directory"))
    if not os.access(path, os.X_OK):
        raise cannot_run(argv, PermissionError(errno.EACCES, "Permission denied"))


def record_run(request: RunRequest, out: Sink, err: Sink) -> RunResult:
    """Run the command, streaming its output and parsing it as it comes, and record it;
    returns the run, how it ended and what the user should know (warnings)."""
    from toolkit.git import git_facts
    from toolkit.runs import probe
    from toolkit.runs.parse import LogParser
    from toolkit.runs.stream import SeriesWriter, StreamParser

    check_command(request.argv, request.cwd)
    warnings = []
    upstream = request.upstream_repo
    if request.based_on and upstream is None:
        upstream, warning = resolve_based_on(request.reading_list, request.based_on)
        if warning:
            warnings.append(warning)
    facts_git = git_facts(request.cwd, upstream)
    started = request.now()
    folder = store.new_run_dir(
        request.runs_root, f"{started:%Y-%m-%d}", slug_for(request.argv, request.name)
    )
    record = RunRecord(
        id=folder.name,
        name=request.name or folder.name[11:],
        command=list(request.argv),
        cwd=str(request.cwd),
        started=started.isoformat(timespec="seconds"),
        tags=list(request.tags),
        git=where_code_lives(facts_git, folder) if facts_git else None,
        based_on=request.based_on,
    )
    store.write_run(folder, record)
    machine: dict[str, Any] = {}

    def probe_machine() -> None:
        machine["hardware"] = probe.probe_hardware()
        machine["software"] = probe.probe_software(request.argv, request.cwd)

    prober = threading.Thread(target=probe_machine, name="bip-probe", daemon=True)
    parser = LogParser(request.patterns)
    stream = StreamParser(parser, SeriesWriter(folder / store.SERIES_FILE))
    log_fd = os.open(folder / store.LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        outcome = spawn_and_tee(
            request.argv,
            request.cwd,
            log_fd,
            out,
            err,
            on_started=prober.start,
            on_output=stream.feed,
        )
    except BipError:  # it did not start: no run to keep
        os.close(log_fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    os.close(log_fd)
    if prober.ident is not None:  # started: its probes have their own timeouts
        prober.join(timeout=probe.PYTHON_TIMEOUT + 3 * probe.TOOL_TIMEOUT + 5)
    record.finished = (started + timedelta(seconds=outcome.wall_seconds)).isoformat(
        timespec="seconds"
    )
    record.wall_seconds = round(outcome.wall_seconds, 3)
    record.exit_code = outcome.exit_code
    record.interrupted = outcome.interrupted
    hardware = machine.get("hardware")
    record.hardware = HardwareInfo.from_json(asdict(hardware)) if hardware else None
    software = machine.get("software") or {}
    record.software = {str(k): str(v) for k, v in software.items() if v}
    record.metrics = _metrics(stream, parser, request, record.hardware)
    store.write_run(folder, record)
    return RunResult(store.load_run(folder), outcome, warnings)


def where_code_lives(facts: Any, folder: Path) -> GitInfo:
    """The run's git facts, and where a reader finds its commit: the remote whose branches
    hold it (the fork the branch tracks, first); when none does, the run's changes on top of
    the merge-base are saved beside run.json as a patch a reader can apply."""
    from toolkit.git import remote_holding, save_patch

    info = GitInfo.from_json(asdict(facts))
    if not info.commit:
        return info
    root = Path(info.root)
    found = remote_holding(root, info.commit, info.tracking)
    if found is not None:
        info.commit_remote, info.commit_url = found
    if found is None or info.dirty:
        base = info.merge_base if found is None else info.commit
        if base and save_patch(root, base, folder / store.PATCH_FILE, working_tree=info.dirty):
            info.patch = store.PATCH_FILE
    return info


def _metrics(
    stream: Any, parser: Any, request: RunRequest, hardware: HardwareInfo | None
) -> RunMetrics:
    from toolkit.runs.mfu import run_mfu

    steady = stream.close()
    writer = stream.writer
    lr, source = configured_lr(request.argv), "the command line"
    if lr is None and parser.configured_lr is not None:
        lr, source = parser.configured_lr, "the log (Overriding: ...)"
    if lr is None and writer.peak_lr is not None:
        lr, source = writer.peak_lr, "the peak of the logged schedule"
    metrics = RunMetrics(
        final=writer.final,
        diverged=writer.diverged,
        final_steps=writer.final_steps,
        best=writer.best,
        steady_state=steady,
        series=store.SERIES_FILE if writer.rows else None,
        steps=writer.max_step,
        tokens_per_step=parser.tokens_per_step,
        learning_rate=LearningRate(lr, source) if lr is not None else None,
        formats=parser.formats,
        params=request.params or parser.params,
        flops_per_token=request.flops_per_token,
    )
    metrics.mfu = run_mfu(metrics, hardware)
    return metrics
