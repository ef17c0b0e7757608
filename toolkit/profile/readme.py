"""`bip profile readme`: replace the block between two marker comments of a README, in place.

Everything outside the markers (and the marker lines themselves) keeps its bytes: the file is
edited as bytes, the block takes the file's own line endings, and the write is atomic and
checked (a save by an editor meanwhile is never overwritten: bip reads again and retries).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BadInput, ConcurrentEdit
from toolkit.fileio import digest, read_regular, text_style, write_checked

START = "<!-- bip:profile:start -->"
END = "<!-- bip:profile:end -->"


@dataclass
class ReadmeResult:
    path: Path
    changed: bool
    block: str


def splice_block(data: bytes, block: str, shown: str) -> bytes:
    """`data` with the lines between the START and END marker lines replaced by `block`."""
    start, end = data.find(START.encode()), data.find(END.encode())
    if start < 0 or end < 0:
        raise BadInput(
            f"{shown} has no bip block to update",
            hint=f"add two lines where the card should go:\n    {START}\n    {END}",
        )
    if data.find(START.encode(), start + 1) >= 0 or data.find(END.encode(), end + 1) >= 0:
        raise BadInput(f"{shown} has more than one {START} or {END}: keep one pair")
    if end < start:
        raise BadInput(f"{shown}: {END} comes before {START}")
    after_start = data.find(b"\n", start)
    if after_start < 0 or after_start > end:  # both markers on one line
        newline = b"\r\n" if text_style(data)[1] else b"\n"
        head, tail = data[: start + len(START)], data[end:]
        return head + newline + _lines(block, newline) + tail
    # the block takes the line ending of the start marker's own line
    newline = b"\r\n" if data[after_start - 1 : after_start] == b"\r" else b"\n"
    line_of_end = data.rfind(b"\n", 0, end) + 1
    return data[: after_start + 1] + _lines(block, newline) + data[line_of_end:]


def _lines(block: str, newline: bytes) -> bytes:
    text = block.strip("\n")
    return (text.replace("\r\n", "\n").replace("\n", newline.decode()) + newline.decode()).encode(
        "utf-8"
    )


def update_readme(path: Path, block: str, attempts: int = 3) -> ReadmeResult:
    for _ in range(attempts):
        data = read_regular(path)
        new = splice_block(data, block, str(path))
        if new == data:
            return ReadmeResult(path, False, block)
        if write_checked(path, new, digest(data)):
            return ReadmeResult(path, True, block)
    raise ConcurrentEdit(f"{path} kept changing while bip updated it; nothing was written")
