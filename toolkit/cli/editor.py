"""Write longer text in your own editor, the way jrnl and git do: $VISUAL, else $EDITOR."""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from toolkit.errors import BadInput, BipError


def has_terminal() -> bool:
    """An editor needs a terminal to draw on and a person to type: both ends must be one."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def ensure_editor(what: str, hint: str) -> list[str]:
    """The editor's command line, or BadInput saying why none can be opened (before any work)."""
    from toolkit.settings import environ

    if not has_terminal():
        raise BadInput(f"no terminal to open an editor for {what}", hint=hint)
    command = environ("VISUAL") or environ("EDITOR")
    if not command:
        raise BadInput(
            f"no editor to write {what} in: VISUAL and EDITOR are not set",
            hint=f"export EDITOR=nano (or vim, code --wait, ...); or {hint}",
        )
    return shlex.split(command)


def edit(editor: list[str], initial: str, name: str) -> str:
    """Open `initial` in the editor; what was saved, without `# ` comment lines, stripped."""
    with tempfile.TemporaryDirectory(prefix="bip-") as folder:
        path = Path(folder) / name
        path.write_text(initial, encoding="utf-8")
        try:
            result = subprocess.run([*editor, str(path)], check=False)
        except FileNotFoundError:
            raise BadInput(
                f"editor {editor[0]!r} not found", hint="check VISUAL / EDITOR"
            ) from None
        if result.returncode != 0:
            raise BipError(f"the editor exited with code {result.returncode}; nothing was saved")
        text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not _comment(line)]
    return "\n".join(lines).strip()


def _comment(line: str) -> bool:
    """`# ...` lines are bip's instructions (a `#hashtag` is the user's text)."""
    stripped = line.strip()
    return stripped == "#" or stripped.startswith("# ")
