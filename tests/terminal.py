"""bip on a real pseudo-terminal: `bip_on_terminal(*args, env=...)` runs `python -m toolkit ARGS`
with a pty as its stdin, stdout and stderr, answers its prompts, and returns its exit code and
everything it wrote to the terminal.

Each time `prompt` appears once more in the output, the next of `answers` is written: bytes
(typed, with "\\r" or "\\n" as Enter), or INTERRUPT (SIGINT to bip, said again every 2 s up to 5
times while nothing comes back: a signal landing between input() writing its prompt and
blocking in read() is only noted, not acted on, until read() returns (CPython)). `on_prompt(n)`
is called before answer n is given, to check the world at that moment. Waiting longer than
`timeout` seconds for output fails the test with the output so far.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Callable, Sequence

INTERRUPT = object()  # an answer: SIGINT instead of typing
RESENDS = 5


def bip_on_terminal(
    *args: str,
    env: dict[str, str],
    answers: Sequence[bytes | object] = (),
    prompt: bytes = b"(Enter to skip)",
    on_prompt: Callable[[int], None] | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: bip with the terminal as stdin, stdout and stderr
        try:
            # A runner started in the background may ignore SIGINT, and exec keeps that: undo it.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execve(sys.executable, [sys.executable, "-m", "toolkit", *args], env)
        finally:
            os._exit(127)  # never back into the test runner's code in the child
    seen, answered, resent, interrupted = b"", 0, 0, False
    reaped = False
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 2 if interrupted else timeout)
            if not ready:
                assert interrupted and resent < RESENDS, seen.decode(errors="replace")
                os.kill(pid, signal.SIGINT)
                resent += 1
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: bip has exited and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            while answered < len(answers) and seen.count(prompt) > answered:
                if on_prompt is not None:
                    on_prompt(answered)
                answer = answers[answered]
                if answer is INTERRUPT:
                    os.kill(pid, signal.SIGINT)
                    interrupted = True
                else:
                    assert isinstance(answer, bytes)
                    os.write(fd, answer)
                answered += 1
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:  # a failed check above: leave no bip behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")
