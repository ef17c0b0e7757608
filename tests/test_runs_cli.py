"""`bip run`'s edges: run ids keep the name as typed (any script), and a command that cannot
start exits as a shell would (127 not found, 126 not executable) with nothing left behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from toolkit.text import run_slug, slugify


def test_a_run_id_keeps_a_name_in_any_script_as_draft_file_names_do(bip, ws: Path):
    hello = [sys.executable, "-c", "print('loss 1.0')"]
    bip("-w", str(ws), "run", "--name", "训练 gpt2", "--", *hello)
    first = json.loads(bip("-w", str(ws), "runs", "show", "训练 gpt2", "--json").stdout)
    assert first["id"] == "2026-11-23-训练-gpt2" == "2026-11-23-" + slugify("训练 gpt2")
    assert first["name"] == "训练 gpt2"
    bip("-w", str(ws), "run", "--name", "训练", "--", *hello)
    bip("-w", str(ws), "run", "--name", "训练", "--", *hello)
    names = sorted(p.name for p in (ws / "runs").iterdir())
    assert names == ["2026-11-23-训练", "2026-11-23-训练-2", "2026-11-23-训练-gpt2"]
    shown = bip("-w", str(ws), "runs", "show", "2026-11-23-训练-2").stdout
    assert "2026-11-23-训练-2" in shown


def test_run_slug_keeps_letters_marks_dots_and_underscores():
    assert run_slug("हिन्दी रन") == "हिन्दी-रन" == slugify("हिन्दी रन")  # vowel signs kept
    assert run_slug("Café Ré") == "café-ré"
    assert run_slug("train_gpt2") == "train_gpt2" and run_slug("llama2.c") == "llama2.c"
    assert run_slug("../../etc/passwd") == "etc-passwd"
    assert run_slug("🚀") == ""


def test_a_command_that_cannot_start_exits_as_a_shell_would_and_leaves_no_run(
    bip, ws: Path, tmp_path: Path
):
    """127: no such command; 126: one that cannot be executed. No run folder is left (the
    command did not run), whether bip saw it first or the exec itself failed."""
    result = bip("-w", str(ws), "run", "--", "no-such-trainer", "--fast", code=127)
    lines = result.stderr.splitlines()
    assert lines[0] == "bip: error: command not found: no-such-trainer"
    assert "hint: nothing was run" in lines[1]
    (tmp_path / "train.py").write_text("print('loss 1.0')\n")
    result = bip("-w", str(ws), "run", "--", "train.py", "--fast", code=127)
    assert "hint: nothing was run; train.py is in this folder: python train.py" in result.stderr
    result = bip("-w", str(ws), "run", "--", "./missing.sh", code=127)
    assert "command not found: ./missing.sh" in result.stderr
    script = tmp_path / "train.sh"
    script.write_text("echo hi\n")  # no x bit
    result = bip("-w", str(ws), "run", "--", "./train.sh", code=126)
    assert "bip: error: cannot run ./train.sh: Permission denied" in result.stderr
    assert "chmod +x ./train.sh" in result.stderr
    (tmp_path / "folder").mkdir()
    assert "Is a directory" in bip("-w", str(ws), "run", "--", "./folder", code=126).stderr
    # Executable, but neither a program nor a script with a #! line: the exec itself fails.
    blob = tmp_path / "blob"
    blob.write_bytes(b"\x00\x01\x02garbage")
    blob.chmod(0o755)
    result = bip("-w", str(ws), "run", "--", str(blob), code=126)
    assert "Exec format error" in result.stderr and "#! line" in result.stderr
    runs = ws / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []
