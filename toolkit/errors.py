"""One base error, one boundary: every failure a person can act on is a BipError."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    BAD_INPUT = 2
    GITHUB_UNREACHABLE = 3
    RATE_LIMITED = 4
    NOT_EXECUTABLE = 126  # `bip run`: the command exists but cannot run, as shells report it
    COMMAND_NOT_FOUND = 127  # `bip run`: no such command, as shells report it
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
    CLOSED_PIPE = 141  # the reader of our output went away (`| head`), as shells report SIGPIPE


class BipError(Exception):
    """An error with a message a person can act on, and the exit code it maps to."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInput(BipError):
    """The user's input (a flag, a file, an id) is wrong; nothing was changed."""

    exit_code = ExitCode.BAD_INPUT


class WorkspaceNotFound(BadInput):
    pass


class CommandNotFound(BipError):
    """`bip run`'s command is not on PATH (or its path names nothing): nothing was run."""

    exit_code = ExitCode.COMMAND_NOT_FOUND


class CommandNotExecutable(BipError):
    """`bip run`'s command exists but cannot be executed (no x bit, a folder, no #! line)."""

    exit_code = ExitCode.NOT_EXECUTABLE


@dataclass(frozen=True)
class Problem:
    """One problem found in a file, located precisely enough to fix it."""

    path: str
    line: int  # 1-based; 0 when the problem is about the whole file
    column: int  # 1-based; 0 when unknown
    message: str
    hint: str | None = None

    def render(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InvalidFile(BadInput):
    """A user file failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.render()}{more}")

    def render_all(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class ConcurrentEdit(BipError):
    """The file kept changing on disk while bip tried to write it."""
