"""Run bip with a pause at one of toolkit.fileio's seams, so a test can kill it there or save
the file under it. No sleeps: the pause is a pipe.

    HOSTILE_PAUSE=SEAM:READY_FD:GO_FD python tests/hostile_bip.py read note ...

The first time bip reaches SEAM it writes one byte to READY_FD and waits for one on GO_FD. The
seam `_write_all` pauses halfway through writing the temporary file (half the bytes on disk).

    HOSTILE_SIGNAL=SEAM:FD python tests/hostile_bip.py read note ...

Each time bip reaches SEAM it writes one byte to FD and goes on (`locked`: "about to take the
lock"). Seams are patched before the rest of bip imports them.
"""

from __future__ import annotations

import os
from typing import Any

import toolkit.fileio as fileio


def _pause(ready: int, go: int) -> None:
    os.write(ready, b"r")
    os.read(go, 1)


def _signal() -> None:
    seam, fd = os.environ["HOSTILE_SIGNAL"].split(":")
    original = getattr(fileio, seam)

    def patched(*args: Any, **kwargs: Any) -> Any:
        os.write(int(fd), b"s")
        return original(*args, **kwargs)

    setattr(fileio, seam, patched)


def _install() -> None:
    seam, ready_fd, go_fd = os.environ["HOSTILE_PAUSE"].split(":")
    ready, go = int(ready_fd), int(go_fd)
    original = getattr(fileio, seam)
    done = False

    def once() -> bool:
        nonlocal done
        first, done = not done, True
        return first

    if seam == "_write_all":

        def patched(fh: Any, data: bytes) -> None:
            if not once():
                original(fh, data)
                return
            half = len(data) // 2
            original(fh, data[:half])
            fh.flush()
            os.fsync(fh.fileno())
            _pause(ready, go)
            original(fh, data[half:])

    else:

        def patched(*args: Any) -> Any:
            if once():
                _pause(ready, go)
            return original(*args)

    setattr(fileio, seam, patched)


if __name__ == "__main__":
    if "HOSTILE_PAUSE" in os.environ:
        _install()
    if "HOSTILE_SIGNAL" in os.environ:
        _signal()
    from toolkit.cli import main

    main()
